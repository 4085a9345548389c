"""One `caseapp demo` run, as each domain's demo loader sees it.

`caseapp demo` makes a `Demo` and hands it to every domain's `load(demo)` in the domains'
`demo_order` (clients and works, then parties, cases, hits). A loader adds its rows in the
run's session, counts them in `counts` (the summary line) and leaves in `made`, under its
domain's name, what later loaders need (ids, not rows: they write only their own tables).
All loaders draw from one random generator, in that order, so a seed gives the same data."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy.orm import Session

from caseapp.core.audit import Actor
from caseapp.core.filestore import FileStore


@dataclass
class Demo:
    session: Session
    store: FileStore
    today: date
    now: datetime
    cases: int                     # how many demo cases to make
    works: int                     # how many works (with real image files)
    hits: int                      # how many undecided hits to triage
    seed: int
    rng: random.Random
    assign_to: list[int] = field(default_factory=list)     # user ids that demo cases go to
    progress: Callable[[int], None] | None = None           # told of each batch of cases made
    actor: Actor = field(default_factory=lambda: Actor.system("demo"))
    made: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def chunks(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def set_sequence(session: Session, table: str, column) -> None:
    """After rows were inserted with explicit ids, PostgreSQL's id sequence moves past them."""
    from sqlalchemy import func, select

    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.setval(func.pg_get_serial_sequence(f'"{table}"', "id"),
                                           select(func.max(column)).scalar_subquery())))
