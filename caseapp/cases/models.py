from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String,
                        Text, func, literal_column, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.cases.lifecycle import CLOSED, CLOSURE_REASONS, COURT, ENFORCEMENT, LEGAL, ON_HOLD, STAGES
from caseapp.core.models import Model, TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from caseapp.core.money import Money

def _in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Case(TimestampMixin, VersionedMixin, Model):
    """A claim for one client against one party, over one or more uses (items)."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    party_id: Mapped[int] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # The jurisdiction the case is pursued in (the party's country, ISO 3166-1 alpha-2).
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    stage: Mapped[str] = mapped_column(String(20), nullable=False, default="new")
    held_from_stage: Mapped[str | None] = mapped_column(String(20))
    # A closed case: the stage it returns to when it is reopened (the stage it was closed from;
    # closed while on hold, the stage it was held from). None while the case is open.
    closed_from_stage: Mapped[str | None] = mapped_column(String(20))
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    # The client's contract the case was opened under: its shares, floor and minimum payout
    # hold for this case whatever the client agrees later.
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("client_contract.id", ondelete="RESTRICT"),
                                                    index=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    claimed_minor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    # How the claim is made up, line by line ({"label", "amount", "basis"}, amounts as text in
    # the case's currency), as feasibility priced it or a person set it; shown on the case.
    claim_lines: Mapped[list | None] = mapped_column(JSON)
    # Expected value of pursuing the case (filled by feasibility), in the case's currency...
    expected_value_minor: Mapped[int | None] = mapped_column(BigInteger)
    # ...and in euro cents: the queue orders by it, so that cases in different currencies compare.
    expected_value_eur_minor: Mapped[int | None] = mapped_column(BigInteger)
    next_step: Mapped[str | None] = mapped_column(String(100))
    next_due_on: Mapped[date | None] = mapped_column(Date)
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The day the case first went to the lawyer, to court or to enforcement: set once by the state
    # machine (cases.services.change_stage), never cleared. A case that reached court stays under
    # the contract's in-court share when it is paid later (services.is_in_court, the payout split).
    court_since: Mapped[date | None] = mapped_column(Date)

    # The client and the party, for display (their domains own them; queries ask their services).
    client: Mapped["Client"] = relationship("Client", lazy="joined", innerjoin=True)
    party: Mapped["Party"] = relationship("Party", lazy="joined", innerjoin=True)
    items: Mapped[list["CaseItem"]] = relationship(
        back_populates="case", order_by="CaseItem.id", cascade="all, delete-orphan"
    )
    notes: Mapped[list["CaseNote"]] = relationship(
        back_populates="case", order_by="CaseNote.created_at.desc()", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(_in_list("stage", STAGES), name="stage_known"),
        CheckConstraint(
            f"(stage = '{CLOSED}') = (closure_reason IS NOT NULL)", name="closed_has_reason"
        ),
        CheckConstraint(
            "closure_reason IS NULL OR " + _in_list("closure_reason", CLOSURE_REASONS),
            name="closure_reason_known",
        ),
        CheckConstraint("claimed_minor >= 0", name="claimed_not_negative"),
        # Every open case has a next step with a due date (the queue orders by it).
        CheckConstraint(
            f"stage = '{CLOSED}' OR next_due_on IS NOT NULL", name="open_has_due_date"
        ),
        Index("ix_case_stage_country", "stage", "country"),
    )

    @property
    def claimed(self) -> Money:
        return Money(self.claimed_minor, self.currency)

    @property
    def expected_value(self) -> Money | None:
        if self.expected_value_minor is None:
            return None
        return Money(self.expected_value_minor, self.currency)

    @property
    def is_open(self) -> bool:
        return self.stage != CLOSED

    def __str__(self) -> str:
        return self.ref


# The queue's order: due first (overdue is simply earliest), then worth most
# (not yet valued last), then oldest. Two partial indexes over open cases
# serve it, one for "mine" (assignee = me) and one for "unassigned" (PostgreSQL
# cannot order by an index after an IS NULL on its leading column). Constants
# are literals, not bound parameters, so the planner can match the indexes'
# predicates and expressions even with prepared statements.
NOT_VALUED = -(10**18)  # below any expected value, negative ones included
IS_OPEN = Case.stage != literal_column(f"'{CLOSED}'")
QUEUE_VALUE_KEY = func.coalesce(Case.expected_value_eur_minor, literal_column(str(NOT_VALUED)))
QUEUE_ORDER = (Case.next_due_on.asc(), QUEUE_VALUE_KEY.desc(), Case.id.asc())
_OPEN_SQL = f"stage <> '{CLOSED}'"
Index(
    "ix_case_queue_mine", Case.assignee_id, Case.next_due_on, QUEUE_VALUE_KEY.desc(), Case.id,
    postgresql_where=text(_OPEN_SQL), sqlite_where=text(_OPEN_SQL),
)
Index(
    "ix_case_queue_unassigned", Case.next_due_on, QUEUE_VALUE_KEY.desc(), Case.id,
    postgresql_where=text(f"{_OPEN_SQL} AND assignee_id IS NULL"),
    sqlite_where=text(f"{_OPEN_SQL} AND assignee_id IS NULL"),
)
# The lawyer's desk: cases with the lawyer, in court or in enforcement, and those on hold from
# one of them (cases.services.court_selection, its stages as literals), read from the index alone.
_WITH_THE_LAWYER = ", ".join(f"'{stage}'" for stage in (LEGAL, COURT, ENFORCEMENT))
DESK_SQL = f"stage IN ({_WITH_THE_LAWYER}) OR (stage = '{ON_HOLD}' AND held_from_stage IN ({_WITH_THE_LAWYER}))"
Index("ix_case_desk", Case.id, Case.next_due_on, postgresql_where=text(DESK_SQL), sqlite_where=text(DESK_SQL))
# Cases by the amount they claim: the unmatched payments' suggestions look up the cases owing a
# payment's amount (cases.services.amounts_in_stages; without it every case was read).
Index("ix_case_currency_claimed", Case.currency, Case.claimed_minor)
# The unassigned tab's count with a country (and stage) filter, read from the index alone
# (cases.services.queue_counts; without it the count scanned the case table).
Index(
    "ix_case_unassigned_country_stage", Case.country, Case.stage,
    postgresql_where=text(f"{_OPEN_SQL} AND assignee_id IS NULL"),
    sqlite_where=text(f"{_OPEN_SQL} AND assignee_id IS NULL"),
)


class CaseItem(TimestampMixin, Model):
    """One work used at one URL, within a case."""

    __tablename__ = "case_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="RESTRICT"), nullable=False, index=True)
    page_url: Mapped[str] = mapped_column(Text, nullable=False)
    image_url: Mapped[str | None] = mapped_column(Text)
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())   # a continuing use's latest sighting
    # The first take-down check that found the image gone (evidence): the period of use ends there.
    offline_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="items")
    work: Mapped["Work"] = relationship("Work", lazy="joined", innerjoin=True)


class CaseNote(TimestampMixin, Model):
    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(100), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)

    case: Mapped[Case] = relationship(back_populates="notes")


# A recipient's licence defence: open until the handler accepts or rejects it.
DEFENCE_OPEN, DEFENCE_ACCEPTED, DEFENCE_REJECTED = "open", "accepted", "rejected"
DEFENCE_STATUSES = (DEFENCE_OPEN, DEFENCE_ACCEPTED, DEFENCE_REJECTED)


class LicenceDefence(TimestampMixin, VersionedMixin, Model):
    """A recipient shows a licence (an invoice or licence file) for a work in the case: the case
    goes on hold until a handler accepts it (the case closes as licence shown) or rejects it
    with a reason the next letter quotes."""

    __tablename__ = "licence_defence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    work_id: Mapped[int | None] = mapped_column(ForeignKey("work.id", ondelete="RESTRICT"))   # None: every work
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    statement: Mapped[str | None] = mapped_column(Text)          # what the recipient says
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=DEFENCE_OPEN)
    reason: Mapped[str | None] = mapped_column(Text)             # why accepted or rejected
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint(_in_list("status", DEFENCE_STATUSES), name="status"),)
