"""The audit trail in words. Each domain declares the words for the events it records (its
`Domain.audit_words` module); `caseapp.domains.audit_catalogue()` collects them into one
`Catalogue`, which the audit trail page, the case timeline and `caseapp audit list` read.

A domain's words module holds:

- `EVENTS`: {code: the kind of event in words}, e.g. {"case.opened": "Case opened"};
- `SENTENCES` (optional): {code: function(details: dict, words: Catalogue) -> str}, what one
  event says when its details add to the kind ("Assigned to Hanna Berger");
- `STATES` (optional): {code: {state: words}}, the before and after of its events
  (a case's stages in the words of `cases.lifecycle`);
- `ACTORS` (optional): {system actor name: words}, who acted when no person did
  ("escalation": "Daily escalation run");
- `CASE_REFERENCES` (optional, the cases domain): function(session, ids) -> {id: reference},
  and `CASE_ID` function(session, reference) -> id or None.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask_babel import gettext, lazy_gettext

EMPTY = "—"

# Core's own events: sign-ins, API tokens.
EVENTS = {
    "user.logged_in": lazy_gettext("Signed in"),
    "user.logged_out": lazy_gettext("Signed out"),
    "user.sessions_ended": lazy_gettext("Sessions ended by an administrator"),
    "user.password_changed": lazy_gettext("Own password changed"),
    "user.preferences_changed": lazy_gettext("Language or time zone changed"),
    "api_token.issued": lazy_gettext("API token issued"),
    "api_token.revoked": lazy_gettext("API token revoked"),
}
ACTORS = {
    "system": lazy_gettext("The system"),
    "demo": lazy_gettext("Demo data"),
    "cli": lazy_gettext("Command line"),
    "tokens create": lazy_gettext("Command line: tokens create"),
    "tokens revoke": lazy_gettext("Command line: tokens revoke"),
}


def of_app(app) -> "Catalogue":
    """The catalogue collected when the app was made (create_app: caseapp.domains.audit_catalogue)."""
    return app.extensions["caseapp_audit_words"]


def humanise(text: str | None) -> str:
    """'closure_reason' -> 'Closure reason'; '' and None -> '—'."""
    if text is None or text == "":
        return EMPTY
    words = str(text).replace("_", " ").replace(".", " ").strip()
    return words[:1].upper() + words[1:] if words else EMPTY


def value_in_words(value: Any) -> str:
    """A detail's value as people read it: empty is '—', yes/no, lists joined, a pair of
    before and after as 'a → b', dictionaries as 'key: value' pairs."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and not any(isinstance(v, (list, tuple, dict)) for v in value):
            return f"{value_in_words(value[0])} → {value_in_words(value[1])}"
        return ", ".join(value_in_words(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{humanise(k)}: {value_in_words(v)}" for k, v in value.items())
    return str(value)


@dataclass
class Catalogue:
    events: dict[str, str] = field(default_factory=dict)
    sentences: dict[str, Callable[[dict, "Catalogue"], str]] = field(default_factory=dict)
    states: dict[str, dict[str, str]] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)
    case_references: Callable | None = None
    case_id: Callable | None = None

    @classmethod
    def of(cls, modules) -> "Catalogue":
        """Join the words of core and of each domain's module; a code declared twice is a mistake."""
        catalogue = cls()
        for module in modules:
            for code, words in getattr(module, "EVENTS", {}).items():
                if code in catalogue.events:
                    raise ValueError(f"The audit event {code} has words in two domains ({module.__name__}).")
                catalogue.events[code] = words
            catalogue.sentences.update(getattr(module, "SENTENCES", {}))
            catalogue.states.update(getattr(module, "STATES", {}))
            catalogue.actors.update(getattr(module, "ACTORS", {}))
            catalogue.case_references = getattr(module, "CASE_REFERENCES", None) or catalogue.case_references
            catalogue.case_id = getattr(module, "CASE_ID", None) or catalogue.case_id
        return catalogue

    def kind(self, code: str) -> str:
        """The kind of event in words ('Stage changed'); an undeclared code reads humanised."""
        words = self.events.get(code)
        return str(words) if words else humanise(code)   # (lazy words: in the reader's language)

    def sentence(self, code: str, details: dict | None) -> str:
        """What one event says: its kind, or its declared sentence over its details."""
        words = self.sentences.get(code)
        if words is not None:
            try:
                return str(words(details or {}, self))
            except (KeyError, TypeError, ValueError, AttributeError):
                pass        # old events whose details lack a key read as their kind
        return self.kind(code)

    def state(self, code: str, value: str | None) -> str:
        if value is None or value == "":
            return EMPTY
        words = self.states.get(code, {}).get(value)
        return str(words) if words else humanise(value)

    def system_actor(self, name: str) -> str:
        words = self.actors.get(name)
        return str(words) if words else name

    def codes_for_kind(self, words: str) -> list[str]:
        """The codes whose kind reads `words` (the filter offers words, not codes)."""
        return sorted(code for code, kind in self.events.items() if kind == words)

    def kinds(self) -> list[tuple[str, str]]:
        """(code, words) of every declared event, by words."""
        return sorted(((code, str(words)) for code, words in self.events.items()),
                      key=lambda item: (item[1].lower(), item[0]))
