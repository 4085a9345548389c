"""A filing generated on a case, and its files (in the content-addressed store; never changed:
a corrected filing is a new filing)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, UTCDateTime, utcnow


class Filing(Model):
    __tablename__ = "filing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False)
    route_id: Mapped[str] = mapped_column(String(40), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    files: Mapped[list["FilingFile"]] = relationship(back_populates="filing", order_by="FilingFile.id",
                                                     cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (Index("ix_filing_case_created", "case_id", "created_at"),)


class FilingFile(Model):
    __tablename__ = "filing_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)

    filing: Mapped[Filing] = relationship(back_populates="files")
