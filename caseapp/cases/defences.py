"""A recipient's licence defence: they show a licence (an invoice, a licence file) for a work
of the case (or all of them). The case waits on hold until a handler accepts it (the case
closes as licence shown, the site is cleared for the work, the work's record and the client
are told) or rejects it with a reason that the next letter quotes (`rejected_defences`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.cases import lifecycle
from caseapp.cases.models import DEFENCE_ACCEPTED, DEFENCE_OPEN, DEFENCE_REJECTED, Case, LicenceDefence
from caseapp.cases.services import change_stage
from caseapp.clients import ownership
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.paths import upload_name
from caseapp.core.records import check_version
from caseapp.hits import services as hits

DEFENCE_MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT = 5000


def _text(value, field: str, *, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"{field}: write it; it is required (the next letter quotes it).")
        return None
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{field}: at most {MAX_TEXT:,} characters; attach a document for more.")
    if any(not ch.isprintable() and ch not in "\n\r\t" for ch in text):
        raise InvalidInput(f"{field}: control characters (NUL, an escape) are not allowed; type or paste the text "
                           "again.")
    return text


def defences(session: Session, case_id: int) -> list[LicenceDefence]:
    return list(session.scalars(select(LicenceDefence).where(LicenceDefence.case_id == case_id)
                                .order_by(LicenceDefence.id.desc())))


def rejected_defences(session: Session, case_id: int) -> list[LicenceDefence]:
    """The case's rejected licence defences, oldest first, with their reasons: what the next
    letter answers ("the licence you showed does not cover …")."""
    return list(session.scalars(select(LicenceDefence).where(LicenceDefence.case_id == case_id,
                                                             LicenceDefence.status == DEFENCE_REJECTED)
                                .order_by(LicenceDefence.decided_at, LicenceDefence.id)))


def record_defence(session: Session, store, actor: Actor, case: Case, *, data: bytes, filename: str,
                   statement: str | None, work_id: int | None, today: date,
                   seen_version: int | None) -> LicenceDefence:
    """The recipient showed a licence: its file kept in the store, the defence open, the case
    on hold (through the state machine) until a handler decides. Audited."""
    check_version(f"Case {case.ref}", case, seen_version)
    if case.stage == lifecycle.CLOSED:
        raise InvalidInput(f"{case.ref} is closed; a licence shown now needs no decision.")
    if work_id is not None and work_id not in {item.work_id for item in case.items}:
        raise InvalidInput(f"Work {work_id} is not in {case.ref}; choose one of its works, or all of them.")
    name = upload_name(filename)
    if not data or not name:
        raise InvalidInput("Licence file: choose the file the recipient sent (an invoice or licence).")
    if len(data) > DEFENCE_MAX_BYTES:
        raise InvalidInput(f"Licence file: {len(data):,} bytes; at most {DEFENCE_MAX_BYTES:,}.")
    statement = _text(statement, "What the recipient says", required=False)
    defence = LicenceDefence(case_id=case.id, work_id=work_id, file_sha256=store.put(data), filename=name,
                             statement=statement, recorded_by=actor.name, status=DEFENCE_OPEN)
    session.add(defence)
    session.flush()
    audit.record(session, actor, "case.licence_defence_recorded", "licence_defence", defence.id, case_id=case.id,
                 reason=statement, details={"file": name, "sha256": defence.file_sha256, "work": work_id})
    if case.stage != lifecycle.ON_HOLD:
        change_stage(session, actor, case, lifecycle.ON_HOLD, today=today,
                     note=f"Licence shown by the recipient ({name}): waiting for a decision")
    return defence


def _open_defence(session: Session, case: Case, defence_id: int, seen_version: int | None) -> LicenceDefence:
    defence = session.get(LicenceDefence, defence_id)
    if defence is None or defence.case_id != case.id:
        raise NotFound(f"{case.ref} has no licence defence {defence_id}.")
    check_version(f"The licence defence of {case.ref}", defence, seen_version)
    if defence.status != DEFENCE_OPEN:
        raise InvalidInput(f"That licence defence was {defence.status} already by {defence.decided_by}.")
    return defence


def _decide(defence: LicenceDefence, actor: Actor, status: str, reason: str | None) -> None:
    defence.status, defence.reason, defence.decided_by, defence.decided_at = status, reason, actor.name, utcnow()


def accept_defence(session: Session, actor: Actor, case: Case, defence_id: int, *, today: date,
                   reason: str | None = None, seen_version: int | None = None) -> LicenceDefence:
    """The licence holds: the case closes as licence shown; the party's site is cleared for the
    work(s) (no hit is made there again); each work's record says so; and the client is told
    (recorded on the case's timeline with the text that goes to them: there is no letters
    domain yet)."""
    defence = _open_defence(session, case, defence_id, seen_version)
    reason = _text(reason, "Why the licence holds", required=False)
    _decide(defence, actor, DEFENCE_ACCEPTED, reason)
    session.flush()
    audit.record(session, actor, "case.licence_defence_accepted", "licence_defence", defence.id, case_id=case.id,
                 reason=reason, details={"file": defence.filename, "work": defence.work_id})
    change_stage(session, actor, case, lifecycle.CLOSED, today=today, reason="licence_shown")
    party = case.party
    work_ids = [defence.work_id] if defence.work_id else sorted({item.work_id for item in case.items})
    line = f"Licence shown by {party.name} on {today.isoformat()}, case {case.ref}" + (f": {reason}" if reason else "")
    cleared = []
    for work_id in work_ids:
        if party.site:
            hits.clear_site(session, actor, client_id=case.client_id, work_id=work_id, site=party.site,
                            note=f"licence shown, case {case.ref}")
            cleared.append(party.site)
        ownership.note_on_work(session, actor, work_id, line, case_id=case.id)
    titles = ", ".join(f"work {w}" for w in work_ids)
    message = (f"Dear {case.client.name}, in case {case.ref} {party.name} showed us a licence for {titles} "
               f"({defence.filename}), which we accepted on {today.isoformat()}. We have closed the case and will "
               f"not pursue this use{' on ' + party.site if party.site else ''} again. Please tell us whom you "
               "licensed the image to, so that we can whitelist them.")
    audit.record(session, actor, "case.client_informed", "case", case.id, case_id=case.id,
                 reason="Licence shown: the case is closed",
                 details={"text": message, "channel": "to be sent (no letters domain yet)", "cleared": cleared})
    return defence


def reject_defence(session: Session, actor: Actor, case: Case, defence_id: int, *, reason: str, today: date,
                   seen_version: int | None = None) -> LicenceDefence:
    """The licence does not hold (another image, another use, expired, a different licensee):
    the reason is required and kept for the next letter; the case goes back to the stage it
    was held from (once no other defence of it is open)."""
    defence = _open_defence(session, case, defence_id, seen_version)
    reason = _text(reason, "Why the licence does not hold", required=True)
    _decide(defence, actor, DEFENCE_REJECTED, reason)
    session.flush()
    audit.record(session, actor, "case.licence_defence_rejected", "licence_defence", defence.id, case_id=case.id,
                 reason=reason, details={"file": defence.filename, "work": defence.work_id})
    still_open = [d for d in defences(session, case.id) if d.status == DEFENCE_OPEN]
    if case.stage == lifecycle.ON_HOLD and case.held_from_stage and not still_open:
        change_stage(session, actor, case, case.held_from_stage, today=today,
                     note=f"Licence defence rejected: {reason}")
    return defence
