"""API tokens: how machines (the crawler) authenticate to caseapp's REST endpoints.

A token is shown once when issued; the database keeps only its SHA-256, so a leaked
database does not leak usable tokens. Each token acts as the user it was issued for,
whose role decides what it may do."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.models import Model, TimestampMixin, UTCDateTime, utcnow

PREFIX = "cat_"


class ApiToken(TimestampMixin, Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    token_sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, actor: Actor, *, name: str, user_id: int) -> tuple[ApiToken, str]:
    """A new token for `user_id`; returns the row and the token text (shown once)."""
    name = name.strip()
    if not name:
        raise InvalidInput("Give the token a name that says who uses it, e.g. 'crawler'.")
    text = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name[:100], token_sha256=_digest(text), user_id=user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "api_token.issued", "api_token", row.id, details={"name": row.name,
                                                                                   "user_id": user_id})
    return row, text


def revoke(session: Session, actor: Actor, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise InvalidInput(f"No API token {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, "api_token.revoked", "api_token", row.id, details={"name": row.name})
    return row


def holder(session: Session, text: str) -> ApiToken | None:
    """The live token with this text, or None."""
    if not text.startswith(PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(text)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = utcnow()
    return row
