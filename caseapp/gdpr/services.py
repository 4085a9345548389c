"""Personal data use cases: export everything held on a party, with sources (GDPR Art. 15, 14);
find what is past retention (a dry run); purge it in one unit of work, audited with counts only.

The data lives in the other domains; each answers through its `personal_data` module
(core.personal_data), found by `caseapp.domains.personal_data_modules()`. Nothing here reads
another domain's tables."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Mapping

from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import NotFound
from caseapp.core.models import utcnow
from caseapp.core.personal_data import CLASSES, Expired, Retention, counts

# The legal basis and purpose an export states (Art. 15(1)(a), (c), (d); Art. 13/14).
PURPOSE = ("Enforcing our clients' copyright in their photographs: identifying who used a work without a "
           "licence, claiming damages, and keeping the books.")
LEGAL_BASIS = ("GDPR Art. 6(1)(f) (legitimate interest in establishing, exercising and defending legal claims); "
               "kept while needed for them (Art. 17(3)(e)) and as long as commercial and tax law require "
               "(Art. 17(3)(b); § 257 HGB, § 147 AO).")
RECIPIENTS = "Our client (the rights holder) and, where a claim goes to court, our lawyer and the court."


def _modules():
    from caseapp.domains import personal_data_modules

    return personal_data_modules()


def retention(days: Mapping[str, int]) -> Retention:
    missing = set(CLASSES) - set(days)
    if missing:
        raise ValueError(f"CASEAPP_RETENTION_DAYS lacks {sorted(missing)}")
    return Retention(dict(days))


def export_party(session: Session, actor: Actor, party_id: int, *, retention_days: Mapping[str, int],
                 controller: str = "") -> dict:
    """Everything every domain holds on the party, each field with its source; audited (who asked,
    how many records of each kind: never the data)."""
    data: dict[str, dict] = {}
    for name, module in _modules():
        held = module.export(session, party_id)
        if held:
            data[name] = held
    if not data.get("parties"):
        raise NotFound(f"There is no party {party_id}: it was deleted, purged, or the number is wrong.")
    records = {kind: len(rows) for held in data.values() for kind, rows in held.items()}
    audit.record(session, actor, "personal_data.exported", "party", party_id, details={"records": records})
    return {
        "party_id": party_id,
        "exported_at": utcnow().isoformat(),
        "controller": controller,
        "purpose": PURPOSE,
        "legal_basis": LEGAL_BASIS,
        "recipients": RECIPIENTS,
        "retention_days": dict(retention_days),
        "retention_counted_from": "the end of the calendar year of the record's last event",
        "records": records,
        "data": data,
    }


@dataclass
class Plan:
    """What a purge on `today` removes or anonymises: per domain, the records past retention."""

    today: date
    items: dict[str, list[Expired]] = field(default_factory=dict)

    @property
    def all(self) -> list[Expired]:
        return [e for found in self.items.values() for e in found]

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return counts(self.all)

    @property
    def parties(self) -> int:
        return len({e.party_id for e in self.all if e.party_id is not None})

    def as_data(self) -> dict:
        return {"today": self.today.isoformat(), "records": len(self.all), "parties": self.parties,
                "counts": self.counts}


def plan(session: Session, today: date, retention: Retention) -> Plan:
    """What is past retention on `today` and not needed for an open case (a dry run: changes nothing)."""
    now = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)
    found = Plan(today)
    for name, module in _modules():
        expired = module.expired(session, now, retention)
        if expired:
            found.items[name] = expired
    return found


def purge(session: Session, actor: Actor, today: date, retention: Retention) -> tuple[Plan, list[str]]:
    """Purge what `plan` finds, in the caller's unit of work (every domain's part, or none), and
    record one audit event with the counts per kind. Returns the plan carried out and the stored
    files no longer named (to remove from the store once committed: `discard_files`)."""
    done = plan(session, today, retention)
    files: list[str] = []
    for name, module in _modules():
        if done.items.get(name):
            files.extend(module.purge(session, actor, done.items[name]))
    session.flush()
    audit.record(session, actor, "personal_data.purged", "personal_data", 0,
                 details={"today": today.isoformat(), "counts": done.counts, "parties": done.parties,
                          "retention_days": dict(retention.days)})
    return done, sorted(set(files))


def discard_files(session: Session, store, files: list[str]) -> int:
    """Remove from the file store the files a committed purge left unnamed (a work or another row
    that still names one keeps it: core.filestore.discard_unreferenced). Returns how many went."""
    from caseapp.core.filestore import discard_unreferenced

    paths = []
    for sha in files:
        try:
            paths.append(store.path_for(sha))
        except ValueError:
            continue
    removed = discard_unreferenced(session, paths) if paths else []
    session.rollback()   # the look-up's transaction
    return len(removed)


def find_parties(session: Session, text: str) -> list[dict]:
    """The parties matching `text` (a number, or part of a name, site, e-mail or city), from every
    domain that can say (`find_parties` in its personal_data module: the parties domain)."""
    found: list[dict] = []
    for _name, module in _modules():
        if hasattr(module, "find_parties"):
            found.extend(module.find_parties(session, text))
    return found
