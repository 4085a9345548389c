"""Payout batches: what a batch paid out (one PayoutItem per collection, the ledger entry it
took: UNIQUE, so a collection is paid out in one batch only, ever), per client (PayoutLine:
the sums, the account paid to, the statement) and the month-end reconciliations signed off."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, \
    UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, UTCDateTime, VersionedMixin, utcnow

DRAFT, APPROVED, EXPORTED, CONFIRMED = "draft", "approved", "exported", "confirmed"
STATES = (DRAFT, APPROVED, EXPORTED, CONFIRMED)
# How a client's share leaves: in the SEPA file, by hand (no valid EUR account on file).
SEPA, MANUAL = "sepa", "manual"


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PayoutBatch(VersionedMixin, Model):
    __tablename__ = "payout_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=DRAFT)
    until: Mapped[date] = mapped_column(Date, nullable=False)          # collections booked up to this day
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    collected_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    to_clients_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    commission_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)   # net of VAT
    vat_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    drafted_by: Mapped[str] = mapped_column(String(100), nullable=False)
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exported_by: Mapped[str | None] = mapped_column(String(100))
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    split_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id",
                                                                        ondelete="RESTRICT"))
    transfer_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id",
                                                                           ondelete="RESTRICT"))
    sepa_sha256: Mapped[str | None] = mapped_column(String(64))
    sepa_filename: Mapped[str | None] = mapped_column(String(120))

    lines: Mapped[list["PayoutLine"]] = relationship(back_populates="batch", order_by="PayoutLine.id",
                                                     cascade="all")

    __table_args__ = (CheckConstraint(_in_list("state", STATES), name="state_known"),)

    @property
    def to_firm_minor(self) -> int:
        return self.commission_minor + self.vat_minor


class PayoutLine(Model):
    """One client's part of a batch: the sums of its collections, how it is paid, its statement."""

    __tablename__ = "payout_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batch.id", ondelete="RESTRICT"), nullable=False,
                                          index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), nullable=False,
                                           index=True)
    client_name: Mapped[str] = mapped_column(String(200), nullable=False)
    collected_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    client_share_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    commission_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_code: Mapped[str] = mapped_column(String(20), nullable=False)
    vat_basis: Mapped[str] = mapped_column(Text, nullable=False)
    method: Mapped[str] = mapped_column(String(10), nullable=False)          # sepa / manual
    manual_reason: Mapped[str | None] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(String(200))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    statement_sha256: Mapped[str | None] = mapped_column(String(64))
    statement_number: Mapped[str | None] = mapped_column(String(40))

    batch: Mapped[PayoutBatch] = relationship(back_populates="lines")
    items: Mapped[list["PayoutItem"]] = relationship(back_populates="line", order_by="PayoutItem.id",
                                                     cascade="all")

    __table_args__ = (UniqueConstraint("batch_id", "client_id", name="client_once"),
                      CheckConstraint(_in_list("method", (SEPA, MANUAL)), name="method_known"))


class PayoutItem(Model):
    """One collection (a COLLECTED credit entry of the ledger) paid out in a batch, and its split.
    `ledger_entry_id` is UNIQUE: the database itself refuses to pay a collection out twice."""

    __tablename__ = "payout_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batch.id", ondelete="RESTRICT"), nullable=False,
                                          index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("payout_line.id", ondelete="RESTRICT"), nullable=False,
                                         index=True)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id", ondelete="RESTRICT"),
                                                 nullable=False, unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), nullable=False)
    case_ref: Mapped[str] = mapped_column(String(40), nullable=False)
    booked_on: Mapped[date] = mapped_column(Date, nullable=False)
    in_court: Mapped[bool] = mapped_column(Boolean, nullable=False)
    share_bp: Mapped[int] = mapped_column(Integer, nullable=False)          # the client's share
    collected_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    client_share_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    commission_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)   # net of VAT
    vat_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)

    line: Mapped[PayoutLine] = relationship(back_populates="items")


class Reconciliation(Model):
    """A month's three-way reconciliation as an accountant signed it off (the figures then)."""

    __tablename__ = "reconciliation_signoff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), nullable=False, index=True)     # YYYY-MM
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    bank_balance_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    in_transit_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    ledger_client_money_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    clients_sum_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    agreed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    figures: Mapped[dict] = mapped_column(JSON, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    signed_by: Mapped[str] = mapped_column(String(100), nullable=False)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
