from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.core.models import Model, TimestampMixin, VersionedMixin


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

    works: Mapped[list["Work"]] = relationship(back_populates="client")

    def __str__(self) -> str:
        return self.name


class Work(TimestampMixin, Model):
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

    client: Mapped[Client] = relationship(back_populates="works")

    def __str__(self) -> str:
        return self.title


class WorkSignature(Model):
    """A work's matching signature (keypoints and descriptors), so that the engine's index
    can be rebuilt without decoding the images again."""

    __tablename__ = "work_signature"

    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
