"""Errors a user can act on. Each message says what is wrong and what to do."""
from __future__ import annotations


class Refusal(Exception):
    """A rule refused the action; `str(error)` is the message for the user."""


class NotFound(Refusal):
    pass


class StaleEdit(Refusal):
    """Someone else changed the record since the user loaded it."""

    def __init__(self, what: str, seen: int, current: int) -> None:
        super().__init__(
            f"{what} was changed by someone else while you were editing it "
            f"(you saw version {seen}, it is now at version {current}). "
            "Reload the page to see their change, then make yours again."
        )
        self.seen = seen
        self.current = current


class IllegalTransition(Refusal):
    pass


class InvalidInput(Refusal):
    pass
