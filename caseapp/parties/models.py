from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.core.models import Model, TimestampMixin, UTCDateTime, VersionedMixin, utcnow


class Party(TimestampMixin, VersionedMixin, Model):
    """A party who used a client's work: a company or a person, with a postal address."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="company")
    site: Mapped[str | None] = mapped_column(String(253), index=True)   # the party behind a hit's site (triage)
    email: Mapped[str | None] = mapped_column(String(254))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    subdivision: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    # Issue 18: what the address lookup found, and where the postal address came from.
    vat_id: Mapped[str | None] = mapped_column(String(20), index=True)
    register_number: Mapped[str | None] = mapped_column(String(80), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    address_source: Mapped[str | None] = mapped_column(String(20))     # lookup.SOURCES, or null (typed in)
    address_source_url: Mapped[str | None] = mapped_column(String(2000))
    address_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commercial: Mapped[str | None] = mapped_column(String(12))         # commercial | private | unknown
    commercial_score: Mapped[int | None] = mapped_column(Integer)
    commercial_reasons: Mapped[list | None] = mapped_column(JSON)
    cleared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    cleared_note: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)

    __table_args__ = (
        CheckConstraint("commercial IN ('commercial', 'private', 'unknown')", name="commercial"),
        CheckConstraint("address_source IN ('legal_notice', 'structured_data', 'rdap', 'manual')",
                        name="address_source"),
    )

    @property
    def has_postal_address(self) -> bool:
        return bool(self.street and self.city and self.country)

    def __str__(self) -> str:
        return self.name


class PartyAddressCandidate(Model):
    """An address a lookup found for a party (or a handler typed), with its source and confidence.
    Conflicting candidates stay side by side; `chosen` marks the one the party's address is."""

    __tablename__ = "party_address_candidate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    confidence: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    vat_id: Mapped[str | None] = mapped_column(String(20))
    register_number: Mapped[str | None] = mapped_column(String(80))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    chosen: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    evidence_capture_id: Mapped[int | None] = mapped_column(Integer)   # the evidence domain's capture, when there is one

    __table_args__ = (
        CheckConstraint("source IN ('legal_notice', 'structured_data', 'rdap', 'manual')", name="source"),
        CheckConstraint("confidence BETWEEN 0 AND 100", name="confidence"),
    )


class PartyFieldSource(Model):
    """Where a field about a party came from, each time it was set (GDPR Art. 14 and 15(1)(g):
    a person is told the source of data not collected from them)."""

    __tablename__ = "party_field_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), nullable=False, index=True)
    field: Mapped[str] = mapped_column(String(40), nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
