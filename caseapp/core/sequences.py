"""Gap-tolerant, collision-free counters for human-friendly references
(C-2026-000123). One row per (name, period); incremented under the row lock
of an UPDATE, so two transactions never get the same number."""
from __future__ import annotations

from sqlalchemy import Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from caseapp.core.models import Model


class Counter(Model):
    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def next_value(session: Session, name: str, period: str) -> int:
    where = (Counter.name == name) & (Counter.period == period)
    for _ in range(2):
        result = session.execute(update(Counter).where(where).values(value=Counter.value + 1))
        if result.rowcount:
            return session.execute(select(Counter.value).where(where)).scalar_one()
        try:
            with session.begin_nested():
                session.add(Counter(name=name, period=period, value=1))
            return 1
        except IntegrityError:
            continue  # another transaction created the row first: increment it
    raise RuntimeError(f"could not allocate the next {name} number for {period}")


def reserve_values(session: Session, name: str, period: str, count: int) -> range:
    """Reserve `count` consecutive values at once (bulk loads)."""
    first = next_value(session, name, period)
    if count > 1:
        where = (Counter.name == name) & (Counter.period == period)
        session.execute(update(Counter).where(where).values(value=Counter.value + (count - 1)))
    return range(first, first + count)
