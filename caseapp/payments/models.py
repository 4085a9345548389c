"""Bank statement imports, the statements they held, each entry as a payment, and refunds.

A file is imported once (unique SHA-256); an entry is booked once (unique bank reference), so a
statement imported twice, or a file that overlaps another, books nothing twice."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.core.models import Model, UTCDateTime, VersionedMixin, utcnow


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


CREDIT, DEBIT = "credit", "debit"
DIRECTIONS = (CREDIT, DEBIT)
# What became of a payment:
MATCHED = "matched"        # a credit booked to a case
UNMATCHED = "unmatched"    # a credit booked to suspense, waiting in the accountant's queue
RETURNED = "returned"      # a credit the bank took back later (its booking is reversed)
RETURN = "return"          # a debit that returns (reverses) an earlier credit
OTHER_DEBIT = "other_debit"  # a debit that is not a return (a transfer we made): recorded, not booked here
STATUSES = (MATCHED, UNMATCHED, RETURNED, RETURN, OTHER_DEBIT)
MATCHED_BY = ("reference", "amount_name", "manual")


class StatementImport(Model):
    """One imported file: who, when, what it held."""

    __tablename__ = "payment_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)   # the file in the file store
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    format: Mapped[str] = mapped_column(String(30), nullable=False)               # camt.053.001.08, csv
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100), nullable=False)
    entries: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    matched: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class BankStatement(Model):
    """A statement (camt.053 Stmt) with its opening and closing booked balances."""

    __tablename__ = "bank_statement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("payment_import.id", ondelete="RESTRICT"), nullable=False,
                                           index=True)
    statement_ref: Mapped[str] = mapped_column(String(35), nullable=False)    # Stmt/Id
    account: Mapped[str] = mapped_column(String(34), nullable=False)          # IBAN or other id
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    opening_minor: Mapped[int | None] = mapped_column(BigInteger)              # OPBD (signed)
    closing_minor: Mapped[int | None] = mapped_column(BigInteger)              # CLBD (signed)
    closing_on: Mapped[date | None] = mapped_column(Date, index=True)          # the CLBD balance's date

    __table_args__ = (UniqueConstraint("account", "statement_ref", name="account_statement"),)


class Payment(VersionedMixin, Model):
    """One entry of a statement (a credit or a debit), as booked."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("payment_import.id", ondelete="RESTRICT"), nullable=False,
                                           index=True)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("bank_statement.id", ondelete="RESTRICT"))
    # The bank's unique reference: AcctSvcrRef, else EndToEndId, else a hash of the entry's fields.
    bank_reference: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    end_to_end_id: Mapped[str | None] = mapped_column(String(35), index=True)
    booked_on: Mapped[date] = mapped_column(Date, nullable=False)
    value_on: Mapped[date | None] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)       # always > 0; see direction
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    direction: Mapped[str] = mapped_column(String(6), nullable=False)
    payer_name: Mapped[str | None] = mapped_column(String(140))
    payer_iban: Mapped[str | None] = mapped_column(String(34))
    remittance: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), index=True)
    matched_by: Mapped[str | None] = mapped_column(String(12))
    # How the payment was applied (§ 367(1) BGB: costs, then interest, then the claim; the rest is overpaid).
    costs_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    interest_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    claim_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    excess_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    receipt_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transaction.id", ondelete="RESTRICT"))
    allocation_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transaction.id", ondelete="RESTRICT"))
    returns_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id", ondelete="RESTRICT"),
                                                           unique=True)

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(_in_list("direction", DIRECTIONS), name="direction_known"),
        CheckConstraint(_in_list("status", STATUSES), name="status_known"),
        CheckConstraint(f"matched_by IS NULL OR {_in_list('matched_by', MATCHED_BY)}", name="matched_by_known"),
        CheckConstraint("costs_minor + interest_minor + claim_minor + excess_minor IN (0, amount_minor)",
                        name="allocation_sums"),
        Index("ix_payment_status_booked", "status", "booked_on"),
    )


class Refund(Model):
    """Money a payer paid too much, sent back: a debit transfer to make (OVERPAID → BANK)."""

    __tablename__ = "payment_refund"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), nullable=False, index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    payee_name: Mapped[str | None] = mapped_column(String(140))
    payee_iban: Mapped[str | None] = mapped_column(String(34))
    remittance: Mapped[str] = mapped_column(String(140), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="to_transfer")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(100), nullable=False)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id", ondelete="RESTRICT"),
                                                nullable=False)

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("state IN ('to_transfer', 'transferred')", name="state_known"),
    )
