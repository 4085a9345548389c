"""Reads a page repeats, made once while it renders.

The case page is built from the cards of several domains (settlements, payments, evidence, court,
filings), and each asks the services it needs: what a case owes, its settlement, its evidence,
its court record. Several cards ask the same question (the filings card gathers the evidence the
evidence card already read). Within `page_reads()` — opened by a view that only reads, around
its whole rendering — a service marked `@remembered` answers each question once; outside it
(every write, every command, every test that calls the service) it reads the database each
time, as before.

Only for reads whose answer cannot change while the page renders: nothing is written inside
`page_reads()` (a view that writes must not open it), and the answers are shared, so callers
must not change what they get back.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

_answers: ContextVar[dict | None] = ContextVar("caseapp_page_reads", default=None)


@contextmanager
def page_reads():
    """Remember the answers of `@remembered` reads until the block ends (one page's rendering)."""
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def reading_a_page() -> bool:
    """Whether a `page_reads()` block is open (a service may then answer from a wider read it
    remembers, e.g. every account of a case in one query)."""
    return _answers.get() is not None


def remembered(read):
    """A service read `read(session, ...)` answered once per `page_reads()` for the same
    arguments (which must be hashable: ids, names, dates, model objects by identity)."""
    @wraps(read)
    def answer(session, *args, **kwargs):
        answers = _answers.get()
        if answers is None:
            return read(session, *args, **kwargs)
        key = (read, id(session), args, tuple(sorted(kwargs.items())))
        if key not in answers:
            answers[key] = read(session, *args, **kwargs)
        return answers[key]

    return answer
