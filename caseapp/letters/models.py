from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.core.models import Model, TimestampMixin, UTCDateTime, VersionedMixin

KINDS = ("offer", "reminder", "final_demand", "settlement_confirmation", "instalment_agreement",
         "payment_receipt", "case_closed", "status_update", "warning_letter")
# Who a letter goes to: the party we claim against, or our client (status updates).
RECIPIENT, CLIENT = "recipient", "client"
DRAFT, SENT = "draft", "sent"
EMAIL, POST = "email", "post"
FORMATS = ("pdf", "docx")


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Letter(TimestampMixin, VersionedMixin, Model):
    """One letter issued on a case: the file (in the store, by SHA-256), what it was rendered
    from (`context`, amounts as text, so it can be explained later), and whether, when and how
    it was sent. A letter's file never changes; a corrected letter is a new letter."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    format: Mapped[str] = mapped_column(String(4), nullable=False, default="pdf")
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    # Page 1 as a PNG (for the case page), when it could be drawn.
    preview_sha256: Mapped[str | None] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(10), nullable=False, default=RECIPIENT)
    deadline_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=DRAFT)
    channel: Mapped[str | None] = mapped_column(String(10))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_on: Mapped[date | None] = mapped_column(Date)           # the date it went out (post: the day it was posted)
    sent_to: Mapped[str | None] = mapped_column(String(300))      # an email address, or the postal address in one line
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    # Why the language is what it is (e.g. "no template in pl: English"), shown on the case page.
    language_note: Mapped[str | None] = mapped_column(String(300))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)

    __table_args__ = (
        Index("ix_letter_case_created", "case_id", "created_at"),
        CheckConstraint(_in_list("kind", KINDS), name="kind"),
        CheckConstraint(_in_list("format", FORMATS), name="format"),
        CheckConstraint(_in_list("recipient", (RECIPIENT, CLIENT)), name="recipient"),
        CheckConstraint(_in_list("status", (DRAFT, SENT)), name="status"),
        CheckConstraint("channel IS NULL OR " + _in_list("channel", (EMAIL, POST)), name="channel"),
        CheckConstraint(f"(status = '{SENT}') = (channel IS NOT NULL AND sent_at IS NOT NULL)", name="sent_how"),
    )
