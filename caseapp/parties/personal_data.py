"""What the parties domain holds on a person: the party row — name, kind, site, e-mail, postal
address, country, language — each field with where it came from, read from the audit trail
(who entered or changed it, when, on which page or command) (core.personal_data).

A party with an open case is never touched. A party nobody ever claimed against (made from a
site during triage) is deleted when it was last changed longer ago than the `party` retention.
A party whose cases are all closed and past the case-file retention is anonymised: its name
becomes "[erased]", its site, e-mail and address go; its country, kind and language stay (the
books keep its cases' jurisdiction). The audit trail keeps that it was added and edited, by whom
and when, not the values (they are the personal data).

Where the address lookup found a field (`party_field_source`: the legal-notice page, the site's
structured data, the domain's registration, a handler's entry) that is the field's source; the
addresses the lookup found (`party_address_candidate`) are exported with their page and confidence,
and go with the party when it is anonymised or deleted."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from caseapp.core.audit import AuditEvent
from caseapp.core.personal_data import (ANONYMISE, CASE_FILE, DELETE, ERASED, PROSPECT, Expired, Retention, bulk,
                                        field, forget_audit_details, record, today_of)
from caseapp.parties.models import Party, PartyAddressCandidate, PartyFieldSource

PURGE_ORDER = 90
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("party", "party_address_candidate", "party_field_source")
PERSONAL = ("name", "site", "email", "street", "postal_code", "city", "subdivision", "phone", "vat_id",
            "register_number", "address_source_url", "cleared_note", "commercial_reasons")
FIELDS = ("name", "kind", "site", "email", "street", "postal_code", "city", "country", "subdivision", "language",
          "phone", "vat_id", "register_number", "commercial", "commercial_score", "commercial_reasons", "cleared",
          "cleared_note")
CANDIDATE_FIELDS = ("name", "street", "postal_code", "city", "country", "email", "phone", "vat_id", "register_number")


def sites_of(session: Session, party_ids: Iterable[int]) -> list[str]:
    ids = list(party_ids)
    if not ids:
        return []
    return sorted({s for s in session.scalars(select(Party.site).where(Party.id.in_(ids), Party.site.is_not(None)))})


def site_owners(session: Session, sites: list[str]) -> dict[str, int]:
    """{site: the first party on file for it}."""
    found: dict[str, int] = {}
    for start in range(0, len(sites), 500):
        for party_id, site in session.execute(select(Party.id, Party.site).where(Party.site.in_(sites[start:start + 500]))
                                              .order_by(Party.id)):
            found.setdefault(site, party_id)
    return found


def _sources(session: Session, party: Party) -> dict[str, str]:
    """Each field's source: the last audit event that set it (who, when)."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "party",
                                                      AuditEvent.subject_id == party.id)
                             .order_by(AuditEvent.occurred_at, AuditEvent.id)).all()
    sources: dict[str, str] = {}
    for event in events:
        when = f"{event.occurred_at:%Y-%m-%d}"
        if event.action == "party.added":
            entered = (f"named after its site {party.site} when a hit on it was triaged ({event.actor_name}, {when})"
                       if party.site and (event.details or {}).get("name") == party.site else
                       f"entered by {event.actor_name} on {when}")
            for name in FIELDS:
                sources[name] = entered
        elif event.action == "party.edited":
            for name in (event.details or {}):
                sources[name] = f"changed by {event.actor_name} on {when}"
    # Where the address lookup found a field, or who typed it (party_field_source), wins: it names the page.
    from caseapp.parties.page import SOURCE_WORDS

    for row in session.scalars(select(PartyFieldSource).where(PartyFieldSource.party_id == party.id)
                               .order_by(PartyFieldSource.recorded_at, PartyFieldSource.id)):
        where = f" ({row.source_url})" if row.source_url else ""
        said = str(SOURCE_WORDS.get(row.source, row.source))
        sources[row.field] = f"{said}{where}, recorded {row.recorded_at:%Y-%m-%d} by {row.actor}"
    if party.commercial:
        for name in ("commercial", "commercial_score", "commercial_reasons"):
            sources.setdefault(name, "the firm's commercial check of the party's site (docs/addresses.md)")
    default = "entered by the firm (no record of who)"
    return {name: sources.get(name, default) for name in FIELDS}


def export(session: Session, party_id: int) -> dict:
    party = session.get(Party, party_id)
    if party is None:
        return {}
    sources = _sources(session, party)
    candidates = session.scalars(select(PartyAddressCandidate).where(PartyAddressCandidate.party_id == party.id)
                                 .order_by(PartyAddressCandidate.id)).all()
    from caseapp.parties.page import SOURCE_WORDS

    found = [record(c.id, {name: field(getattr(c, name), f"{SOURCE_WORDS.get(c.source, c.source)} "
                                                          f"({c.source_url or 'no page'}), "
                                                          f"confidence {c.confidence}") for name in CANDIDATE_FIELDS},
                    created_at=c.found_at, updated_at=c.found_at) for c in candidates]
    held = {"party": [record(party.id, {name: field(getattr(party, name), sources[name]) for name in FIELDS},
                             created_at=party.created_at, updated_at=party.updated_at)]}
    if found:
        held["party_address_candidate"] = found
    return held


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    from caseapp.cases import personal_data as cases

    protected = cases.open_parties(session)
    files = cases.closed_files(session, now, retention)
    with_cases: dict[int, set[int]] = {}
    for party_id in {p for p in files.values()}:
        with_cases[party_id] = set(cases.party_case_ids(session, party_id))
    found = []
    # Parties whose every case file is gone: anonymised (their cases stay for the books).
    gone = set(files)
    for party_id, case_ids in sorted(with_cases.items()):
        if case_ids <= gone and party_id not in protected:
            name = session.scalar(select(Party.name).where(Party.id == party_id))
            if name != ERASED:
                found.append(Expired("party", party_id, ANONYMISE, CASE_FILE, party_id))
            # the duplicates merged into it go with it
            for merged_id in session.scalars(select(Party.id).where(Party.merged_into_id == party_id,
                                                                    Party.name != ERASED).order_by(Party.id)):
                found.append(Expired("party", merged_id, ANONYMISE, CASE_FILE, party_id))
    # Parties nobody claimed against: deleted past the `party` retention, counted from their last
    # change or the last time their site was seen, whichever is later.
    from caseapp.hits import personal_data as hits

    latest = retention.latest_event(PROSPECT, today_of(now))
    claimed = cases.parties_with_cases(session)
    # A merged duplicate (and the party others were merged into) is not a prospect: its row keeps
    # its site pointing at the party that has its cases; it goes with that party, not alone.
    merged = set(session.scalars(select(Party.id).where(Party.merged_into_id.is_not(None))))
    merged |= set(session.scalars(select(Party.merged_into_id).where(Party.merged_into_id.is_not(None))))
    prospects = [(party_id, site, updated_at) for party_id, site, updated_at
                 in session.execute(select(Party.id, Party.site, Party.updated_at))
                 if party_id not in claimed and party_id not in merged and updated_at.date() <= latest]
    seen = hits.last_seen_on(session, sorted({site for _p, site, _u in prospects if site}))
    for party_id, site, _updated_at in prospects:
        if site not in seen or _day(seen[site]) <= latest:
            found.append(Expired("party", party_id, DELETE, PROSPECT, party_id))
    return sorted(found, key=lambda e: e.id)


def _day(moment) -> "date":
    """A timestamp's day (SQLite hands an aggregate back as text)."""
    from datetime import date

    if isinstance(moment, str):
        return date.fromisoformat(moment[:10])
    return moment.date() if isinstance(moment, datetime) else moment


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    anonymise = [e.id for e in items if e.kind == "party" and e.action == ANONYMISE]
    remove = [e.id for e in items if e.kind == "party" and e.action == DELETE]
    bulk(session, lambda chunk: update(Party).where(Party.id.in_(chunk))
         .values(name=ERASED, **{name: None for name in PERSONAL if name != "name"}, version=Party.version + 1),
         anonymise)
    bulk(session, lambda chunk: delete(Party).where(Party.id.in_(chunk)), remove)
    # The addresses found and the fields' sources go with the values they explained.
    ids = anonymise + remove
    for table in (PartyAddressCandidate, PartyFieldSource):
        bulk(session, lambda chunk, table=table: delete(table).where(table.party_id.in_(chunk)), ids)
    # The audit trail keeps what happened to the party, not the values it held.
    forget_audit_details(session, "party", ids)
    return []


def find_parties(session: Session, text: str, limit: int = 20) -> list[dict]:
    """Parties whose number is `text`, or whose name, site, e-mail or city contains it (the gdpr
    page's search: who is the person asking?)."""
    text = "".join(ch for ch in text if ch.isprintable()).strip()[:200]   # no NUL for PostgreSQL
    if not text:
        return []
    if text.isascii() and text.isdecimal() and len(text) <= 10:
        query = select(Party).where(Party.id == int(text))
    else:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        query = select(Party).where(Party.name.ilike(like) | Party.site.ilike(like) | Party.email.ilike(like)
                                    | Party.city.ilike(like)).order_by(Party.name, Party.id).limit(limit)
    return [{"id": p.id, "name": p.name, "site": p.site, "email": p.email, "city": p.city, "country": p.country}
            for p in session.scalars(query)]
