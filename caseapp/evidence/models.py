"""A capture of a page as evidence, one row each: the chain's link (seq, manifest hashes), what was
found (status, final URL, whether the image was there) and the files in the store by SHA-256.

One chain for the whole firm, not one per case, so that any removal shows: `seq` is the previous
row's + 1 and unique, and `previous_manifest_sha256` is unique too, so two captures finishing at
the same moment cannot both take the same head (the loser rebuilds its manifest and retries)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.core.models import Model, UTCDateTime, utcnow

HIT, ON_DEMAND, TAKEDOWN_CHECK = "hit", "on_demand", "takedown_check"
KINDS = (HIT, ON_DEMAND, TAKEDOWN_CHECK)
CAPTURED, IMAGE_GONE = "captured", "image_gone"
OUTCOMES = (CAPTURED, IMAGE_GONE)


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EvidenceCapture(Model):
    __tablename__ = "evidence_capture"
    __table_args__ = (
        CheckConstraint(_in_list("kind", KINDS), name="kind_known"),
        CheckConstraint(_in_list("outcome", OUTCOMES), name="outcome_known"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index("ix_evidence_capture_case_item_time", "case_item_id", "captured_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    manifest_sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    previous_manifest_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    final_url: Mapped[str] = mapped_column(Text, nullable=False)
    image_url: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    image_status: Mapped[int | None] = mapped_column(Integer)
    image_present: Mapped[bool | None] = mapped_column(Boolean)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    warc_sha256: Mapped[str | None] = mapped_column(String(64))   # null once purged
    screenshot_sha256: Mapped[str | None] = mapped_column(String(64))   # null once purged
    html_sha256: Mapped[str | None] = mapped_column(String(64))   # null once purged
    exchanges_sha256: Mapped[str | None] = mapped_column(String(64))   # null once purged
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    image_name: Mapped[str | None] = mapped_column(String(20))
    report_sha256: Mapped[str | None] = mapped_column(String(64))
    hit_id: Mapped[int | None] = mapped_column(ForeignKey("hit.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"), index=True)
    case_item_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id", ondelete="SET NULL"))
    requested_by: Mapped[str] = mapped_column(String(100), nullable=False)
    # When the capture's files went under the retention rules (caseapp.evidence.personal_data): the
    # row and its manifest stay, so the chain still verifies; the file columns are then null.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
