"""Sightings (an image seen on a web page), hits (a sighting that matches a client's work),
triage decisions (with what they changed, for undo) and the rules applied at ingest."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext
from sqlalchemy import (JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, TimestampMixin, UTCDateTime, VersionedMixin

NEW, LEGAL, ILLEGAL, WHITELISTED, NO_MATCH = "new", "legal", "illegal", "whitelisted", "no_match"
STATUSES = (NEW, LEGAL, ILLEGAL, WHITELISTED, NO_MATCH)
# What handlers read on the page
STATUS_LABELS = {NEW: lazy_gettext("To decide"), LEGAL: lazy_gettext("Legal (licensed)"), ILLEGAL: lazy_gettext("Illegal"),
                 WHITELISTED: lazy_gettext("Whitelisted"), NO_MATCH: lazy_gettext("No match")}


def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Sighting(TimestampMixin, Model):
    """An image found on a web page by the crawler (or the page fetcher)."""

    __tablename__ = "sighting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # sha256 of image URL + page URL: the same sighting ingested again is recognised
    key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    image_url: Mapped[str] = mapped_column(Text, nullable=False)
    page_url: Mapped[str] = mapped_column(Text, nullable=False)
    site: Mapped[str] = mapped_column(String(253), nullable=False, index=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # The latest time the crawler saw the image on the page again (a continuing use).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    image_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    thumbnail_sha256: Mapped[str] = mapped_column(String(64), nullable=False)


class Hit(TimestampMixin, VersionedMixin, Model):
    """A sighting that the matching engine says is a copy of a client's work."""

    __tablename__ = "hit"
    __table_args__ = (
        UniqueConstraint("sighting_id", "work_id", name="uq_hit_sighting_work"),
        CheckConstraint(_in_list("status", STATUSES), name="status_known"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_in_range"),
        # the triage page's order (site, then id) within a status, for everyone or one client
        Index("ix_hit_status_site_id", "status", "site", "id"),
        Index("ix_hit_client_status_site", "client_id", "status", "site", "id"),
        # a work's hits on a site (the page's site clusters)
        Index("ix_hit_site_work", "site", "work_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sighting_id: Mapped[int] = mapped_column(ForeignKey("sighting.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), nullable=False, index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"),
                                                  nullable=False)
    site: Mapped[str] = mapped_column(String(253), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    # Where the sighting lies on the work: a 3x3 homography (9 numbers, row by row) from the
    # sighting's normalised coordinates (0..1) to the work's; the triage overlay uses it.
    transform: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=NEW)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("hit_decision.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"), index=True)

    sighting: Mapped[Sighting] = relationship(lazy="joined", innerjoin=True)
    work: Mapped["Work"] = relationship("Work", lazy="joined", innerjoin=True)

    @property
    def same_picture(self) -> bool:
        """Whether the engine found the sighting to be the whole work, resized, recompressed or
        stretched (by its perceptual hash, matching.hashes: placed over the whole work), rather
        than a part of it placed by geometric verification."""
        from matching.engine import WHOLE

        return self.transform is not None and tuple(self.transform) == WHOLE

    @property
    def mirrored_picture(self) -> bool:
        """Whether the engine found the sighting to be the whole work mirrored (by the perceptual
        hash of the sighting mirrored, matching.engine.MIRRORED)."""
        from matching.engine import MIRRORED

        return self.transform is not None and tuple(self.transform) == MIRRORED


class HitTally(Model):
    """How many hits a client has in a status, as of the last fold (hits.services.fold_tally): with
    the changes noted since (HitTallyChange) it equals the count; the triage tabs read the two
    instead of counting up to a million hits. Written only by the fold (migration c4e8a1f3b9d2)."""

    __tablename__ = "hit_tally"

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


class HitTallyChange(Model):
    """A change to the tally, noted by the database's triggers on `hit` in the transaction that
    writes the hits (+n hits of a client now in a status, -n no longer): appended, never updated,
    so writers of hits never wait for each other on it; folded into HitTally and deleted."""

    __tablename__ = "hit_tally_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


class HitDecision(Model):
    """One triage action by one person: on one hit or on thousands at once."""

    __tablename__ = "hit_decision"
    __table_args__ = (CheckConstraint(_in_list("status", STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    selection: Mapped[str] = mapped_column(String(300), nullable=False)   # "hit 12", "site shop.example", ...
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(100), nullable=False)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HitDecisionItem(Model):
    """What a decision changed on one hit (so that it can be undone)."""

    __tablename__ = "hit_decision_item"

    decision_id: Mapped[int] = mapped_column(ForeignKey("hit_decision.id", ondelete="CASCADE"), primary_key=True)
    hit_id: Mapped[int] = mapped_column(ForeignKey("hit.id", ondelete="CASCADE"), primary_key=True, index=True)
    from_status: Mapped[str] = mapped_column(String(12), nullable=False)
    from_case_id: Mapped[int | None] = mapped_column(Integer)


class SiteRule(TimestampMixin, Model):
    """A site no hit is made on. Without a work: a whitelisted site, for one client or
    (client empty) for all: social networks, the client's own sites, known licensees. With
    a work: a cleared recipient, the site that showed a licence for that work, never
    contacted again for it."""

    __tablename__ = "site_rule"
    __table_args__ = (UniqueConstraint("client_id", "site", "work_id", name="uq_site_rule_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(253), nullable=False, index=True)
    work_id: Mapped[int | None] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    # the triage decision that made the rule: undoing it removes the rule
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("hit_decision.id", ondelete="SET NULL"))
