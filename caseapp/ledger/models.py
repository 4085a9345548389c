"""Ledger transactions and their entries. An entry's amount is signed: debit positive, credit
negative (minor units of its currency); a transaction's entries sum to zero per currency."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, UTCDateTime, utcnow


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# The accounts (what each holds; the sign a balance normally has):
BANK = "bank"                      # asset: the firm's client-money bank account (debit)
SUSPENSE = "suspense"              # liability: money received, not yet matched to a case (credit)
COLLECTED = "collected"            # liability: a case's collected claim, not yet split in a payout batch
                                   #   (credit; per case and client: a "collection")
CLIENT_PAYABLE = "client_payable"  # liability: what the firm owes a client (credit; per client)
REVENUE = "revenue"                # income: the firm's commission (credit)
VAT_PAYABLE = "vat_payable"        # liability: VAT on the commission (credit)
COSTS_ADVANCED = "costs_advanced"  # asset: court and lawyer costs the firm advanced (debit; per case)
INTEREST = "interest"              # income: default interest recovered (credit)
OVERPAID = "overpaid"              # liability: money a payer paid too much, to refund (credit; per case)
BANK_FEES = "bank_fees"            # expense: fees the bank charged (debit)
OFFICE_TRANSFERS = "office_transfers"  # the firm's own money (commission, VAT) moved out of the client-money
                                       #   account to its office account (debit)
ACCOUNTS = (BANK, SUSPENSE, COLLECTED, CLIENT_PAYABLE, REVENUE, VAT_PAYABLE, COSTS_ADVANCED, INTEREST, OVERPAID,
            BANK_FEES, OFFICE_TRANSFERS)
# Client money: what the firm holds for clients until paid out (the three-way reconciliation).
CLIENT_MONEY_ACCOUNTS = (SUSPENSE, COLLECTED, CLIENT_PAYABLE, OVERPAID)


class LedgerTransaction(Model):
    """One money movement: what happened (`kind`), when, by whom; its entries balance."""

    __tablename__ = "ledger_transaction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)   # payment_received, payout_split, ...
    description: Mapped[str] = mapped_column(Text, nullable=False)
    booked_on: Mapped[date] = mapped_column(Date, nullable=False)   # the accounting day (a statement's)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    posted_by: Mapped[str] = mapped_column(String(100), nullable=False)
    # What it is about (for lists and the case's money card); any may be None.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    source: Mapped[str | None] = mapped_column(String(100))   # e.g. "payment 12", "batch 3"
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id", ondelete="RESTRICT"),
                                                    unique=True)

    entries: Mapped[list["LedgerEntry"]] = relationship(back_populates="transaction", order_by="LedgerEntry.id",
                                                        cascade="all")


class LedgerEntry(Model):
    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id", ondelete="RESTRICT"),
                                                nullable=False, index=True)
    account: Mapped[str] = mapped_column(String(30), nullable=False)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)   # debit > 0, credit < 0
    currency: Mapped[str] = mapped_column(String(3), nullable=False)

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")

    __table_args__ = (
        CheckConstraint(_in_list("account", ACCOUNTS), name="account"),
        CheckConstraint("amount_minor <> 0", name="not_zero"),
        Index("ix_ledger_entry_account_client", "account", "client_id"),
        Index("ix_ledger_entry_account_case", "account", "case_id"),
    )
