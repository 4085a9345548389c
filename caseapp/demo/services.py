"""Demo data in bulk: a believable firm's book of cases. Each domain loads its own part
(`caseapp/<domain>/demo.py`, declared in its `DOMAIN`); this runs them in order."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable

from sqlalchemy.orm import Session

from caseapp.core.demo import Demo
from caseapp.core.filestore import FileStore
from caseapp.core.models import clock_set_to
from caseapp.domains import demo_loaders


@dataclass
class DemoSummary:
    clients: int
    works: int
    parties: int
    cases: int
    hits: int = 0
    showcase: int = 0   # cases made to show a capability whole (the court filings' routes), besides `cases`


def load_demo(session: Session, store: FileStore, *, cases: int, today: date, seed: int = 2026,
              works: int = 40, hits: int = 0, assign_to: list[int] | None = None,
              progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Add `cases` demo cases (and the clients, works and parties they need) and `hits`
    undecided hits to triage."""
    now = demo_now(today)
    demo = Demo(session=session, store=store, today=today, now=now, cases=cases,
                works=works, hits=hits, seed=seed, rng=random.Random(seed), assign_to=list(assign_to or []),
                progress=progress)
    with clock_set_to(now):   # what the services write is dated in the demo's today, never after it
        for load in demo_loaders():
            load(demo)
    return DemoSummary(**{key: demo.counts.get(key, 0) for key in ("clients", "works", "parties", "cases", "hits")},
                       showcase=demo.counts.get("filing showcase cases", 0))


def demo_now(today: date) -> datetime:
    """The demo's "now": the real time when `today` is today (UTC), else noon of `today`, so
    that no demo event is dated after the demo's today (nor, built on a later day, before it)."""
    now = datetime.now(timezone.utc)
    return now if now.date() == today else datetime.combine(today, time(12), tzinfo=timezone.utc)
