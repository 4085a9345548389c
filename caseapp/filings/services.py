"""The filings' use cases: which routes are open to a case (routes.check_case over the case's
facts), render a route's filing, and generate it: render, store every file in the file store,
record the Filing with its files' hashes, audit it (on the case timeline) — or refuse, naming every
missing thing, if the route is closed. Plain functions taking a session; no Flask views."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound, Refusal
from caseapp.filings import routes as rules
from caseapp.filings.facts import Facts, gather
from caseapp.filings.models import Filing, FilingFile
from caseapp.filings.render import RenderedFile


class RouteClosed(Refusal):
    """The route is not open to the case: the message lists every reason and missing field."""

    def __init__(self, check: rules.RouteCheck) -> None:
        super().__init__(check.refusal())
        self.check = check


def renderer(name: str):
    from caseapp.filings import ccb, complaint, escp, ipec, mahnverfahren

    return {rules.ESCP: escp.render, rules.MAHN: mahnverfahren.render, rules.CCB: ccb.render,
            rules.IPEC: ipec.render, rules.COMPLAINT: complaint.render}[name]


def facts_of(session: Session, case, *, today: date) -> Facts:
    return gather(session, case, today=today)


def route_checks(session: Session, case, *, today: date) -> list[rules.RouteCheck]:
    return rules.check_case(facts_of(session, case, today=today))


def open_check(facts: Facts, route_id: str) -> rules.RouteCheck:
    checks = rules.check_case(facts)
    check = rules.find(checks, route_id)
    if check is None:
        have = ", ".join(c.route for c in checks) or "none"
        raise InvalidInput(f"Route: {str(route_id)[:40]!r} is not a route for case {facts.ref} "
                           f"(its routes: {have}).")
    if not check.open:
        raise RouteClosed(check)
    return check


def render_route(session: Session, store, case, route_id: str, *, today: date, actor: Actor | None = None):
    """(check, files): the filing's files for an open route; RouteClosed naming what is missing."""
    facts = facts_of(session, case, today=today)
    check = open_check(facts, route_id)
    files = renderer(check.renderer)(facts, check, _Store(store, session, actor or Actor.system("filings")))
    return check, files


class _Store:
    """The file store, plus what a renderer may need beside it (the evidence annex keeps the
    evidence report it shows, through the evidence domain)."""

    def __init__(self, store, session, actor):
        self.inner, self.session, self.actor = store, session, actor

    def __getattr__(self, name):
        return getattr(self.inner, name)


def generate(session: Session, actor: Actor, case, route_id: str, *, store, today: date) -> Filing:
    """Render the route's filing, store its files, record it on the case (audited, on the timeline).
    Refused (RouteClosed, nothing written) if the route is closed."""
    check, files = render_route(session, store, case, route_id, today=today, actor=actor)
    filing = Filing(case_id=case.id, route_id=check.route, language=check.language or "en",
                    created_by=actor.name[:100])
    filing.files = [FilingFile(name=f.name, media_type=f.media_type, file_sha256=store.put(f.data), size=len(f.data))
                    for f in files]
    session.add(filing)
    session.flush()
    audit.record(session, actor, "filing.generated", "filing", filing.id, case_id=case.id,
                 details={"route": check.route, "route_name": check.name, "language": filing.language,
                          "files": len(files), "court": check.court.name if check.court else None,
                          "sha256": {f.name: f.file_sha256 for f in filing.files}})
    return filing


def filings_of(session: Session, case_id: int) -> list[Filing]:
    return list(session.scalars(select(Filing).where(Filing.case_id == case_id)
                                .order_by(Filing.created_at.desc(), Filing.id.desc())))


def file_of(session: Session, filing_id: int, file_id: int) -> FilingFile:
    found = session.get(FilingFile, file_id)
    if found is None or found.filing_id != filing_id:
        raise NotFound(f"Filing {filing_id} has no file {file_id}.")
    return found


def written(files: list[RenderedFile]) -> list[tuple[str, str]]:
    import hashlib

    return [(f.name, hashlib.sha256(f.data).hexdigest()) for f in files]
