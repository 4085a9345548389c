"""Negotiation and settlement: the offers made on a case (by the firm or the recipient), the
settlement agreed (one active per case) and its instalment plan. Amounts in minor units of the
case's currency. An instalment's state is not stored: it follows from the money received on
the case (the ledger), see services.instalment_states."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, TimestampMixin, UTCDateTime, VersionedMixin
from caseapp.core.money import Money

FIRM, RECIPIENT = "firm", "recipient"
SIDES = (FIRM, RECIPIENT)
OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
OFFER_STATES = (OPEN, ACCEPTED, REJECTED)
ACTIVE, CANCELLED = "active", "cancelled"
SETTLEMENT_STATES = (ACTIVE, CANCELLED)


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SettlementOffer(TimestampMixin, VersionedMixin, Model):
    """An offer or counter-offer on a case: who made it, how much, when; accepted or rejected by
    a handler. Below the client's floor, acceptance needs the client's recorded consent."""

    __tablename__ = "settlement_offer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), nullable=False, index=True)
    side: Mapped[str] = mapped_column(String(10), nullable=False)          # firm | recipient
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    made_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=OPEN)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The client's consent to settle below their floor (who, how, when): filled by the handler.
    consent_by: Mapped[str | None] = mapped_column(String(200))
    consent_how: Mapped[str | None] = mapped_column(String(200))
    consent_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_in_list("side", SIDES), name="side_known"),
        CheckConstraint(_in_list("state", OFFER_STATES), name="state_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class Settlement(TimestampMixin, VersionedMixin, Model):
    """What the recipient and the firm agreed on a case: one active settlement per case."""

    __tablename__ = "settlement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), nullable=False, index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_offer.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=ACTIVE)
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    covers: Mapped[str] = mapped_column(Text, nullable=False)       # works, period, costs: in words
    agreed_on: Mapped[date] = mapped_column(Date, nullable=False)
    # In court (the case was with the lawyer, in court or in enforcement when it was agreed):
    # the payout split uses it.
    in_court: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    stage_at_agreement: Mapped[str] = mapped_column(String(20), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)
    # Consent to settle below the client's floor (when no accepted offer carries it).
    consent_by: Mapped[str | None] = mapped_column(String(200))
    consent_how: Mapped[str | None] = mapped_column(String(200))
    consent_on: Mapped[date | None] = mapped_column(Date)

    instalments: Mapped[list["Instalment"]] = relationship(back_populates="settlement", order_by="Instalment.number",
                                                           cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(_in_list("state", SETTLEMENT_STATES), name="state_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("uq_settlement_active_case", "case_id", unique=True,
              postgresql_where=text("state = 'active'"), sqlite_where=text("state = 'active'")),
    )

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class Instalment(Model):
    """One instalment of a settlement's plan: its share (Money.allocate) and due date (a working
    day). `raised_on`: the day the daily job raised it as missed (once)."""

    __tablename__ = "settlement_instalment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlement.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    raised_on: Mapped[date | None] = mapped_column(Date)

    settlement: Mapped[Settlement] = relationship(back_populates="instalments")

    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("number >= 1", name="number_positive"),
        Index("uq_settlement_instalment_number", "settlement_id", "number", unique=True),
    )

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.settlement.currency)
