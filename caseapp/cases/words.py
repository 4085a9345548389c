"""Words that are English underneath and the reader's language wherever they are shown.

A `Words` is a `str` holding the English (a catalogue msgid, marked with N_ where it is declared):
JSON, the database, sorting and comparisons with codes see the English, as the command line
(`caseapp audit list --json`) and stored values need. Shown as text — Jinja (`__html__`), `str()`,
`%`-formatting, f-strings and `format` — it is translated with gettext, in the page's language
(English on the command line: CASEAPP_LOCALE). Unlike flask_babel's LazyString it stays a `str`
(core.audit_trail serialises the audit words it is given)."""
from __future__ import annotations

from flask_babel import gettext
from markupsafe import escape


class Words(str):
    __slots__ = ()

    @property
    def english(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return gettext(self.english)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __html__(self):
        return escape(str(self))

    def __eq__(self, other) -> bool:
        # a filter on the words as a page shows them (core.audit_words.codes_for_kind) matches too
        return str.__eq__(self, other) is True or (isinstance(other, str) and str(self) == str(other))

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__
