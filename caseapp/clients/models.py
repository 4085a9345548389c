from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer,
                        LargeBinary, String, Text, false, text, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, TimestampMixin, UTCDateTime, VersionedMixin


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Who the client is, for tax: a private person (no VAT), a small business exempt from VAT
# (§ 19 UStG in Germany; the EU's SME scheme, Directive 2020/285, elsewhere), or a business
# that charges VAT (with a VAT ID: reverse charge when it is in another EU member state).
LICENSING_EVIDENCE = ("none", "professional")
LEGAL_FORMS = ("person", "company")
TAX_STATUSES = ("private", "small_business", "standard")
# A work's ownership status: verified before any letter leaves (cases' checks stage).
UNVERIFIED, VERIFIED, DISPUTED = "unverified", "verified", "disputed"
WORK_STATUSES = (UNVERIFIED, VERIFIED, DISPUTED)
# A bank account change waits for a second person's confirmation (payout fraud starts with a
# changed account).
PENDING, ACTIVE, REPLACED, REJECTED = "pending", "active", "replaced", "rejected"
ACCOUNT_STATUSES = (PENDING, ACTIVE, REPLACED, REJECTED)


class Client(TimestampMixin, VersionedMixin, Model):
    """A client: a photographer, agency or publisher whose images we enforce."""

    __tablename__ = "client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="photographer")
    email: Mapped[str | None] = mapped_column(String(254))
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    # The client's policy on private, non-commercial recipients (feasibility: not pursued unless set).
    pursues_private_users: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                        server_default=false())
    # The client's letter policy: a status letter when a case changes stage; offers that go out
    # without a handler once a case passed the ownership gate and is feasible (escalation).
    status_letters: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    offers_without_handler: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                         server_default=false())
    legal_form: Mapped[str] = mapped_column(String(10), nullable=False, default="person",
                                            server_default="person")
    contact_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    # What the client documented of their own licensing, for the rate a claim uses when a work has
    # no sales of its own (feasibility.amounts): none, or proof of professional work.
    licensing_evidence: Mapped[str] = mapped_column(String(12), nullable=False, default="none",
                                                    server_default="none")
    tax_status: Mapped[str] = mapped_column(String(20), nullable=False, default="private",
                                            server_default="private")
    vat_id: Mapped[str | None] = mapped_column(String(20))     # compact form, validated (python-stdnum)
    # The signed mandate: the client's authority for us to act (a file in the store) and its date.
    mandate_sha256: Mapped[str | None] = mapped_column(String(64))
    mandate_filename: Mapped[str | None] = mapped_column(String(255))
    mandate_signed_on: Mapped[date | None] = mapped_column(Date)

    works: Mapped[list["Work"]] = relationship(back_populates="client")

    __table_args__ = (
        CheckConstraint(_in_list("legal_form", LEGAL_FORMS), name="legal_form"),
        CheckConstraint(_in_list("tax_status", TAX_STATUSES), name="tax_status"),
    )

    def __str__(self) -> str:
        return self.name

    def page_link(self):
        """The client's name as a link to the client's page (for the Clients list)."""
        from markupsafe import Markup, escape

        return Markup(f'<a href="/clients/{int(self.id)}">{escape(self.name)}</a>')


class ClientContract(TimestampMixin, Model):
    """The terms a client's cases are worked under. A change is a new row from a moment on:
    a case keeps the contract it was opened under (`case.contract_id`)."""

    __tablename__ = "client_contract"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # The client's share of what is collected, in basis points (7000 = 70%).
    share_out_of_court_bp: Mapped[int] = mapped_column(Integer, nullable=False, default=7000)
    share_in_court_bp: Mapped[int] = mapped_column(Integer, nullable=False, default=5000)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    # No payout below this (what is owed waits for the next batch).
    minimum_payout_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    # The lowest settlement, as a share of the claim in basis points, the firm may accept
    # without asking the client.
    settlement_floor_bp: Mapped[int] = mapped_column(Integer, nullable=False, default=10000)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)

    __table_args__ = (
        Index("ix_client_contract_client_starts", "client_id", "starts_at"),
        CheckConstraint("share_out_of_court_bp BETWEEN 0 AND 10000", name="share_out_of_court"),
        CheckConstraint("share_in_court_bp BETWEEN 0 AND 10000", name="share_in_court"),
        CheckConstraint("settlement_floor_bp BETWEEN 0 AND 10000", name="settlement_floor"),
        CheckConstraint("minimum_payout_minor >= 0", name="minimum_payout"),
    )


class BankAccount(TimestampMixin, VersionedMixin, Model):
    """A client's bank account for payouts (IBAN and BIC validated with schwifty). A new or
    changed account is `pending` until a second person confirms it; then it is `active` and
    the one before it `replaced`."""

    __tablename__ = "bank_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    holder: Mapped[str] = mapped_column(String(70), nullable=False)
    iban: Mapped[str] = mapped_column(String(34), nullable=False)       # compact, upper case
    bic: Mapped[str | None] = mapped_column(String(11))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=PENDING)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    requested_by: Mapped[str] = mapped_column(String(100), nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_in_list("status", ACCOUNT_STATUSES), name="status"),
        # One request waits at a time: two people asking at once cannot both leave one pending.
        Index("uq_bank_account_one_pending", "client_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
    )


class Work(TimestampMixin, VersionedMixin, Model):
    """One of a client's images. The file and its thumbnail are in the file store."""

    __tablename__ = "work"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    thumbnail_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    # A perceptual hash (imagehash's pHash, 16 hex digits): a resized or recompressed re-upload
    # of the same image is found without asking the engine.
    phash: Mapped[str | None] = mapped_column(String(16), index=True)
    # What the file says about itself (EXIF; GPS is never kept).
    camera: Mapped[str | None] = mapped_column(String(200))
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())   # camera time, read as UTC
    artist: Mapped[str | None] = mapped_column(String(200))
    copyright_notice: Mapped[str | None] = mapped_column(String(300))
    # Ownership evidence.
    original_sha256: Mapped[str | None] = mapped_column(String(64))      # the original or RAW file
    original_filename: Mapped[str | None] = mapped_column(String(255))
    first_published_url: Mapped[str | None] = mapped_column(Text)
    first_published_on: Mapped[date | None] = mapped_column(Date)
    publication_country: Mapped[str | None] = mapped_column(String(2))   # country of first publication
    us_registration_number: Mapped[str | None] = mapped_column(String(30))
    us_registered_on: Mapped[date | None] = mapped_column(Date)
    us_applied_on: Mapped[date | None] = mapped_column(Date)
    agencies: Mapped[str | None] = mapped_column(Text)   # agencies that sell it, one per line
    # Verification: unverified / verified (by whom, when, on what evidence) / disputed (why).
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=UNVERIFIED,
                                        server_default=UNVERIFIED)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_by: Mapped[str | None] = mapped_column(String(100))
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Client] = relationship(back_populates="works")

    __table_args__ = (CheckConstraint(_in_list("status", WORK_STATUSES), name="status"),)

    def __str__(self) -> str:
        return self.title


class WorkSignature(Model):
    """A work's matching signature (keypoints and descriptors), so that the engine's index
    can be rebuilt without decoding the images again."""

    __tablename__ = "work_signature"

    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class LicenceSale(TimestampMixin, Model):
    """A licence the client sold for a work: evidence of ownership, and what a claim uses
    instead of the fee table (`documented_fee`)."""

    __tablename__ = "licence_sale"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), nullable=False, index=True)
    sold_on: Mapped[date] = mapped_column(Date, nullable=False)
    licensee: Mapped[str] = mapped_column(String(200), nullable=False)
    usage: Mapped[str] = mapped_column(String(300), nullable=False)
    price_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    document_sha256: Mapped[str | None] = mapped_column(String(64))   # the invoice, if uploaded
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)

    __table_args__ = (CheckConstraint("price_minor >= 0", name="price"),)


class WorkConflict(TimestampMixin, Model):
    """The same image in two clients' portfolios (found by the engine when either was added):
    both works are disputed until someone decides whose it is."""

    __tablename__ = "work_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), nullable=False, index=True)
    other_work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("uq_work_conflict_pair", "work_id", "other_work_id", unique=True),
        CheckConstraint("work_id <> other_work_id", name="two_works"),
    )
