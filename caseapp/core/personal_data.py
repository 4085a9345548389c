"""What every domain's `personal_data` module shares (GDPR Art. 15 exports, Art. 17 erasure).

A domain that holds data on a person — a party we claim against — names a module in its
`Domain(personal_data=...)`; `caseapp.domains.personal_data_modules()` collects them (as
`audit_words` are collected) and the `gdpr` domain calls them. A module holds:

- `export(session, party_id) -> dict`: {kind: [record, ...]}, every record it holds on the
  party, each field with its value and where it came from (Art. 15(1)(g), Art. 14(2)(f)):
  build them with `record(...)` and `field(...)`;
- `expired(session, now, retention) -> list[Expired]`: what is past its retention and not
  needed for an open case (a party with an open case keeps everything);
- `purge(session, actor, expired) -> list[str]`: deletes or anonymises exactly those records
  (of its own kinds), in the caller's unit of work, and returns the SHA-256 names of stored
  files no longer needed (the caller removes them from the file store after the commit);
- `TABLES`: the tables whose rows on a party it answers for (a test finds every table that points
  at a party, a case, a sighting or a hit, and fails while no module claims it);
- `PURGE_ORDER` (optional, default 50): records that point at others go first; the party last.

Retention is counted as German law counts it: from the end of the calendar year in which the
record's last event happened (§ 199(1) BGB for limitation, § 147(4) AO and § 257(5) HGB for
books and letters), for the number of days configured per class of record
(`CASEAPP_RETENTION_<CLASS>_DAYS`, caseapp/config.py; docs/personal-data.md). A record is past
retention from the day after its last day: on the last day itself it is kept."""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime, timedelta
from typing import Any, Iterator, Mapping

# The classes of records, each with its own retention (caseapp.config.RETENTION_DEFAULTS).
SIGHTING = "sighting"        # pages seen on a person's sites that never became (or are no longer) a case
PROSPECT = "party"           # a party nobody ever claimed against (made from a site during triage)
CASE_FILE = "case_file"      # a closed case's file: items, notes, letters, offers, defences
ACCOUNTING = "accounting"    # money: payments, refunds, settlements, ledger descriptions
CLASSES = (SIGHTING, PROSPECT, CASE_FILE, ACCOUNTING)

DELETE, ANONYMISE = "delete", "anonymise"
# What an anonymised name or free text becomes (amounts, dates and references stay).
ERASED = "[erased]"


def field(value: Any, source: str | None) -> dict:
    """One field of an export: its value (JSON-safe) and where it came from."""
    return {"value": plain(value), "source": source}


def plain(value: Any):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def record(record_id: int | str, fields: Mapping[str, dict], **about: Any) -> dict:
    """One record of an export: its id, its fields (each from `field`), and what it is about
    (e.g. case="C-2026-0001")."""
    return {"id": record_id, **{k: plain(v) for k, v in about.items()}, "fields": dict(fields)}


@dataclass(frozen=True)
class Expired:
    """A record past retention: its kind (the domain's word, e.g. "letter"), its id, what the
    purge does with it (delete, or anonymise what must stay for the books), the retention class
    that decided it, and the party it is about (None when no party is on file, e.g. a sighting
    on a site nobody was found behind)."""

    kind: str
    id: int
    action: str
    retention: str
    party_id: int | None = None
    files: tuple[str, ...] = dataclass_field(default=())


def year_end(moment: date | datetime) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return date(day.year, 12, 31)


@dataclass(frozen=True)
class Retention:
    """Days of retention per class, counted from the end of the year of a record's last event."""

    days: Mapping[str, int]

    def last_day(self, retention_class: str, last_event: date | datetime) -> date:
        """The last day a record whose last event was `last_event` is kept."""
        return year_end(last_event) + timedelta(days=self.days[retention_class])

    def latest_event(self, retention_class: str, today: date) -> date:
        """The latest day a record's last event may fall on for it to be past retention on `today`
        (for a query's WHERE): past <=> Dec 31 of its year < today - days <=> its year is before
        the year of (today - days)."""
        boundary = today - timedelta(days=self.days[retention_class])
        return date(boundary.year - 1, 12, 31)


def today_of(now: datetime | date) -> date:
    return now.date() if isinstance(now, datetime) else now


def counts(expired: list[Expired]) -> dict[str, dict[str, int]]:
    """{kind: {action: count}}: what a purge does, without the data itself (for the audit trail)."""
    found: dict[str, dict[str, int]] = {}
    for item in expired:
        found.setdefault(item.kind, {}).setdefault(item.action, 0)
        found[item.kind][item.action] += 1
    return found


# Ids go to the database in slices (SQLite takes at most 999 bound values in one IN (…)).
BATCH = 500


def batches(ids) -> Iterator[list]:
    """`ids` in slices of BATCH, in their order."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def bulk(session, statement_for, ids) -> None:
    """Run `statement_for(slice)` (an UPDATE or DELETE naming the slice's ids) for each slice of
    `ids`, leaving the session's objects as they are (a purge works on rows, not on objects)."""
    for chunk in batches(ids):
        session.execute(statement_for(chunk), execution_options={"synchronize_session": False})


def forget_audit_details(session, subject_type: str, ids) -> None:
    """The audit trail keeps what happened to these records, by whom and when, not the values
    they held (their details are the personal data)."""
    from sqlalchemy import update

    from caseapp.core.audit import AuditEvent

    bulk(session, lambda chunk: update(AuditEvent).where(AuditEvent.subject_type == subject_type,
                                                         AuditEvent.subject_id.in_(chunk)).values(details=None), ids)
