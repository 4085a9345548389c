"""A case's court case (one current, not ended, per case), the costs the firm advanced for it,
its hearings and court deadlines, and its enforcement steps. The decision is part of the court
case (one per court case). Amounts in minor units of the case's currency."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, TimestampMixin, UTCDateTime, VersionedMixin
from caseapp.core.money import Money

PREPARING, FILED, DECIDED, ENFORCING, ENDED = "preparing", "filed", "decided", "enforcing", "ended"
STATUSES = (PREPARING, FILED, DECIDED, ENFORCING, ENDED)
WON, PARTLY, LOST = "won", "partly", "lost"
OUTCOMES = (WON, PARTLY, LOST)
COURT_FEE, LAWYER_FEE = "court_fee", "lawyer_fee"
COST_KINDS = (COURT_FEE, LAWYER_FEE)
HEARING, DEADLINE = "hearing", "deadline"
DATE_KINDS = (HEARING, DEADLINE)
ENFORCEMENT_KINDS = ("bailiff", "garnishment", "account_attachment", "asset_disclosure", "other")


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CourtCase(TimestampMixin, VersionedMixin, Model):
    """The case before a court: which route (jurisdictions/<CC>.toml [[routes]] id), which court
    and its postal address, the court's file number, the day it was filed; then the decision."""

    __tablename__ = "court_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), nullable=False, index=True)
    route_id: Mapped[str | None] = mapped_column(String(40))
    court_name: Mapped[str | None] = mapped_column(String(200))
    court_address: Mapped[str | None] = mapped_column(Text)          # postal lines separated by "\n"
    procedure: Mapped[str | None] = mapped_column(String(200))       # the procedure in the lawyer's words
    file_number: Mapped[str | None] = mapped_column(String(60))
    filed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=PREPARING)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)
    # The decision.
    decided_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(10))
    awarded_minor: Mapped[int | None] = mapped_column(BigInteger)
    costs_awarded_minor: Mapped[int | None] = mapped_column(BigInteger)
    ended_on: Mapped[date | None] = mapped_column(Date)

    costs: Mapped[list["CourtCost"]] = relationship(back_populates="court_case", order_by="CourtCost.id",
                                                    cascade="all, delete-orphan")
    dates: Mapped[list["CourtDate"]] = relationship(back_populates="court_case", order_by="CourtDate.due_on",
                                                    cascade="all, delete-orphan")
    steps: Mapped[list["EnforcementStep"]] = relationship(back_populates="court_case",
                                                          order_by="EnforcementStep.taken_on",
                                                          cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(_in_list("status", STATUSES), name="status_known"),
        CheckConstraint("outcome IS NULL OR " + _in_list("outcome", OUTCOMES), name="outcome_known"),
        CheckConstraint("awarded_minor IS NULL OR awarded_minor >= 0", name="awarded_not_negative"),
        CheckConstraint("costs_awarded_minor IS NULL OR costs_awarded_minor >= 0", name="costs_awarded_not_negative"),
    )

    @property
    def awarded(self) -> Money | None:
        return None if self.awarded_minor is None else Money(self.awarded_minor, self.currency)

    @property
    def costs_awarded(self) -> Money | None:
        return None if self.costs_awarded_minor is None else Money(self.costs_awarded_minor, self.currency)

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.court_address or "").split("\n") if line.strip()]


class CourtCost(TimestampMixin, Model):
    """A cost the firm advanced for the court case (the court fee, the lawyer's fee), posted to the
    ledger as costs advanced on the case (`transaction_id`); recovered first from what the party pays."""

    __tablename__ = "court_cost"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_case_id: Mapped[int] = mapped_column(ForeignKey("court_case.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    transaction_id: Mapped[int | None] = mapped_column(Integer)      # the ledger transaction (the ledger's id)
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)

    court_case: Mapped[CourtCase] = relationship(back_populates="costs")

    __table_args__ = (
        CheckConstraint(_in_list("kind", COST_KINDS), name="kind_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class CourtDate(TimestampMixin, VersionedMixin, Model):
    """A hearing (`at`: when, UTC; `place`: where) or a court deadline (`due_on`: the day; `what`)."""

    __tablename__ = "court_date"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_case_id: Mapped[int] = mapped_column(ForeignKey("court_case.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    what: Mapped[str | None] = mapped_column(Text)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)

    court_case: Mapped[CourtCase] = relationship(back_populates="dates")

    __table_args__ = (
        CheckConstraint(_in_list("kind", DATE_KINDS), name="kind_known"),
        CheckConstraint(f"kind <> '{HEARING}' OR at IS NOT NULL", name="hearing_has_time"),
    )

    @property
    def cancelled(self) -> bool:
        return self.cancelled_reason is not None


class EnforcementStep(TimestampMixin, Model):
    """A step to enforce the decision: a bailiff instructed, a garnishment, what it brought."""

    __tablename__ = "court_enforcement_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_case_id: Mapped[int] = mapped_column(ForeignKey("court_case.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)

    court_case: Mapped[CourtCase] = relationship(back_populates="steps")

    __table_args__ = (
        CheckConstraint(_in_list("kind", ENFORCEMENT_KINDS), name="kind_known"),
        CheckConstraint("amount_minor IS NULL OR amount_minor >= 0", name="amount_not_negative"),
    )

    @property
    def amount(self) -> Money | None:
        return None if self.amount_minor is None else Money(self.amount_minor, self.currency)
