"""Reading the audit trail: events filtered (case, user, kind, period), newest first, a page at
a time by keyset, and each said in words (`core.audit_words.Catalogue`): who by full name or
the system's job, what as a phrase, when without microseconds, the case by its reference,
before and after as their labels, empty values as '—'. The audit trail page, the case
timeline and `caseapp audit list` read the trail here."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask_babel import gettext
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from caseapp.core.audit import AuditEvent
from caseapp.core.audit_words import EMPTY, Catalogue, humanise, value_in_words
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.formatting import iso_day, timestamp

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class TrailFilter:
    """What the trail is narrowed to; empty means everything."""

    case_id: int | None = None
    case_ref: str | None = None
    actor_id: int | None = None
    actor_name: str | None = None
    code: str | None = None
    since: date | None = None
    until: date | None = None


def _typed(value: str | None, field: str, longest: int) -> str | None:
    """What was typed in a filter, trimmed; None when empty; refused when no such value can be."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isprintable():
        raise InvalidInput(gettext("%(field)s: remove the control characters (a line break, a tab) from what you "
                                   "typed.", field=field))
    if len(value) > longest:
        raise InvalidInput(gettext("%(field)s: at most %(longest)d characters; what you typed is %(length)d long.",
                                   field=field, longest=longest, length=len(value)))
    return value


def read_filter(session: Session, words: Catalogue, *, case: str | None = None, user: str | None = None,
                kind: str | None = None, since: str | None = None, until: str | None = None) -> TrailFilter:
    """The filter as typed (a case reference, a login, an event code, dates as YYYY-MM-DD);
    a value that names nothing is refused saying what to write instead."""
    from flask_appbuilder.security.sqla.models import User

    case, user = _typed(case, gettext("Case"), 40), _typed(user, gettext("User"), 100)
    kind = _typed(kind, gettext("Kind"), 60)
    since, until = _typed(since, gettext("From"), 40), _typed(until, gettext("To"), 40)
    case_id = None
    if case is not None:
        case_id = words.case_id(session, case) if words.case_id else None
        if case_id is None:
            raise NotFound(gettext("Case: there is no case %(typed)s: write its reference, e.g. C-2026-000123.",
                                   typed=repr(case)))
    actor_id = actor_name = None
    if user is not None:
        actor_id = session.scalar(select(User.id).where(User.username == user))
        if actor_id is None:   # a system job ('escalation', 'demo') or a person since deleted acts under a name
            actor_name = user
    code = None
    if kind is not None:
        if kind not in words.events:
            raise InvalidInput(gettext("Kind: %(typed)s is not a kind of event: choose one from the list "
                                       "(`caseapp audit kinds` prints them).", typed=repr(kind)))
        code = kind
    first = _day(since, gettext("From"))
    last = _day(until, gettext("To"))
    if first and last and first > last:
        raise InvalidInput(gettext("Period: the start %(first)s is after the end %(last)s: put the earlier date "
                                   "in From.", first=first.isoformat(), last=last.isoformat()))
    return TrailFilter(case_id, case.upper() if case else None, actor_id, actor_name, code, first, last)


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return iso_day(text)
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None


def _start_of(day: date) -> datetime:
    """A day starts at midnight where the reader is (the zone the trail's times are shown in)."""
    from zoneinfo import ZoneInfo

    from caseapp.core.formatting import current_timezone

    return datetime.combine(day, time.min, tzinfo=ZoneInfo(current_timezone())).astimezone(timezone.utc)


# --- the cursor: where the next page starts (the last row's time and id) -----------------------

_CURSOR = re.compile(r"([0-9]{1,18})-([0-9]{1,10})")


def cursor_of(event: AuditEvent) -> str:
    at = event.occurred_at if event.occurred_at.tzinfo else event.occurred_at.replace(tzinfo=timezone.utc)
    micros = (at - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)
    return f"{micros}-{event.id}"


def read_cursor(text: str | None) -> tuple[datetime, int] | None:
    if not text:
        return None
    found = _CURSOR.fullmatch(text.strip())
    if not found:
        raise InvalidInput(gettext("This page link is broken: start again from the first page of the audit "
                                   "trail."))
    at = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=int(found.group(1)))
    return at, int(found.group(2))


# --- the query -------------------------------------------------------------------------------

def _query(chosen: TrailFilter, after: tuple[datetime, int] | None):
    query = select(AuditEvent)
    if chosen.case_id is not None:
        query = query.where(AuditEvent.case_id == chosen.case_id)
    if chosen.actor_id is not None:
        query = query.where(AuditEvent.actor_id == chosen.actor_id)
    if chosen.actor_name is not None:
        query = query.where(AuditEvent.actor_id.is_(None), AuditEvent.actor_name == chosen.actor_name)
    if chosen.code is not None:
        query = query.where(AuditEvent.action == chosen.code)
    if chosen.since is not None:
        query = query.where(AuditEvent.occurred_at >= _start_of(chosen.since))
    if chosen.until is not None:     # the whole of the last day
        query = query.where(AuditEvent.occurred_at < _start_of(chosen.until + timedelta(days=1)))
    if after is not None:
        at, last_id = after
        # a row comparison: PostgreSQL reads it as one bound of the (…, occurred_at, id) index
        query = query.where(tuple_(AuditEvent.occurred_at, AuditEvent.id) < tuple_(at, last_id))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def trail_query(chosen: TrailFilter, after: tuple[datetime, int] | None = None, limit: int = PAGE_SIZE):
    """The SELECT of one page (exposed for the query-plan test)."""
    return _query(chosen, after).limit(limit + 1)


@dataclass(frozen=True)
class TrailRow:
    id: int
    at: datetime
    when: str
    who: str
    actor: str           # the login or system name the event stores
    code: str
    kind: str
    what: str
    case_id: int | None
    case: str
    before: str
    after: str
    reason: str

    def as_data(self) -> dict[str, Any]:
        row = asdict(self)
        row["at"] = self.at.isoformat()
        return row


@dataclass(frozen=True)
class TrailPage:
    rows: list[TrailRow]
    next_cursor: str | None      # None on the last page


def page(session: Session, words: Catalogue, chosen: TrailFilter, *, after: str | None = None,
         limit: int = PAGE_SIZE) -> TrailPage:
    """One page of the trail, newest first; `after` is the cursor the previous page gave."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    events = list(session.scalars(trail_query(chosen, read_cursor(after), limit)))
    more = len(events) > limit
    events = events[:limit]
    return TrailPage(in_words(session, words, events), cursor_of(events[-1]) if more and events else None)


def case_timeline(session: Session, words: Catalogue, case_id: int) -> list[TrailRow]:
    """A case's events, newest first, in the trail's words."""
    return in_words(session, words, list(session.scalars(_query(TrailFilter(case_id=case_id), None))))


def in_words(session: Session, words: Catalogue, events: list[AuditEvent]) -> list[TrailRow]:
    names = _full_names(session, {e.actor_id for e in events if e.actor_id is not None})
    refs = words.case_references(session, {e.case_id for e in events}) if words.case_references else {}
    return [_row(e, words, names, refs) for e in events]


def _row(event: AuditEvent, words: Catalogue, names: dict[int, str], refs: dict[int, str]) -> TrailRow:
    if event.actor_id is not None:
        who = names.get(event.actor_id) or event.actor_name
    else:
        who = words.system_actor(event.actor_name)
    case = EMPTY if event.case_id is None else refs.get(event.case_id, gettext("case %(id)s (no longer exists)", id=event.case_id))
    return TrailRow(
        id=event.id, at=event.occurred_at, when=timestamp(event.occurred_at), who=who, actor=event.actor_name,
        code=event.action, kind=words.kind(event.action), what=words.sentence(event.action, event.details),
        case_id=event.case_id if event.case_id in refs else None, case=case,
        before=words.state(event.action, event.from_state), after=words.state(event.action, event.to_state),
        reason=event.reason.strip() if event.reason and event.reason.strip() else EMPTY,
    )


def _full_names(session: Session, ids: set[int]) -> dict[int, str]:
    from flask_appbuilder.security.sqla.models import User

    if not ids:
        return {}
    names = {}
    for user_id, first, last in session.execute(select(User.id, User.first_name, User.last_name)
                                                .where(User.id.in_(sorted(ids)))):
        full = " ".join(part for part in (first, last) if part and part.strip() not in ("", "-"))
        names[user_id] = full
    return names


@dataclass(frozen=True)
class EventDetail:
    row: TrailRow
    subject: str
    details: list[tuple[str, str]]


def detail(session: Session, words: Catalogue, event_id: int) -> EventDetail:
    """One event with everything it recorded, in words (keys humanised, values formatted)."""
    event = session.get(AuditEvent, event_id)
    if event is None:
        raise NotFound(gettext("There is no audit event %(id)s: it may have been mistyped; open the audit trail.",
                               id=event_id))
    row = in_words(session, words, [event])[0]
    details = [(humanise(key), _detail_value(value)) for key, value in (event.details or {}).items()]
    return EventDetail(row, f"{humanise(event.subject_type)} {event.subject_id}", details)


def _detail_value(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(\+00:00|Z)?", value):
        try:
            return timestamp(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            pass
    return value_in_words(value)
