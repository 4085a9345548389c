"""The audit trail: every state change writes an AuditEvent (who, when, what,
from, to, why) in the same transaction as the change itself."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from caseapp.core.models import Model, UTCDateTime, utcnow


@dataclass(frozen=True)
class Actor:
    """Who does something: a user (id and login name) or the system."""

    user_id: int | None
    name: str

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(None, name)

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(user.id, user.username)


class AuditEvent(Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100), nullable=False)
    # What happened, as "<subject>.<verb>": case.opened, case.stage_changed, ...
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    subject_type: Mapped[str] = mapped_column(String(40), nullable=False)
    subject_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # The case the event belongs to, for the case timeline (null for events outside cases).
    # Not a foreign key: an audit trail is never deleted with what it describes.
    case_id: Mapped[int | None] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_event_case_time", "case_id", "occurred_at"),
        Index("ix_audit_event_subject", "subject_type", "subject_id"),
        # The audit trail's keyset pages, newest first (core.audit_trail): all, by who, by kind.
        Index("ix_audit_event_time", "occurred_at", "id"),
        Index("ix_audit_event_actor_time", "actor_id", "occurred_at", "id"),
        Index("ix_audit_event_actor_name_time", "actor_name", "occurred_at", "id"),
        Index("ix_audit_event_action_time", "action", "occurred_at", "id"),
    )


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: int,
    *,
    case_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (committed with the change)."""
    event = AuditEvent(
        occurred_at=at or utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        case_id=case_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details,
    )
    session.add(event)
    return event


def record_many(session: Session, actor: Actor, events: list[dict[str, Any]]) -> None:
    """Add many audit events at once (one INSERT of many rows, for bulk work such as a bank
    statement of thousands of entries): each dict has the keyword arguments of `record`
    (action, subject_type, subject_id and optionally case_id, from_state, to_state, reason, details)."""
    if not events:
        return
    at = utcnow()
    rows = [{"occurred_at": event.get("at") or at, "actor_id": actor.user_id, "actor_name": actor.name,
             "action": event["action"], "subject_type": event["subject_type"], "subject_id": event["subject_id"],
             "case_id": event.get("case_id"), "from_state": event.get("from_state"),
             "to_state": event.get("to_state"), "reason": event.get("reason"), "details": event.get("details")}
            for event in events]
    from caseapp.core import bulk

    bulk.insert_rows(session, AuditEvent.__table__, rows)


def events_for_case(session: Session, case_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        )
    )
