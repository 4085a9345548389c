from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.core.models import Model, TimestampMixin, VersionedMixin


class Party(TimestampMixin, VersionedMixin, Model):
    """A party who used a client's work: a company or a person, with a postal address."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="company")
    site: Mapped[str | None] = mapped_column(String(253))
    email: Mapped[str | None] = mapped_column(String(254))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    subdivision: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")

    @property
    def has_postal_address(self) -> bool:
        return bool(self.street and self.city and self.country)

    def __str__(self) -> str:
        return self.name
