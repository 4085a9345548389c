"""Countries and languages as people type them and as caseapp keeps them (ISO codes), and the
helpers that mark the interface's words for its catalogues (docs/translating.md)."""
from __future__ import annotations

from flask_babel import gettext
from markupsafe import escape

from caseapp.core.errors import InvalidInput

UNKNOWN_COUNTRY = "ZZ"   # ISO 3166 user-assigned: a party whose country is not known yet


def country_code(value, field: str = "Country") -> str:
    """'de ' -> 'DE'; anything but an ISO 3166-1 alpha-2 code (or ZZ, unknown) is refused."""
    import pycountry

    code = str(value or "").strip().upper()
    if code == UNKNOWN_COUNTRY or (len(code) == 2 and code.isascii() and pycountry.countries.get(alpha_2=code)):
        return code
    raise InvalidInput(f"{field}: '{value}' is not a country code; use its two letters, such as DE, FR or US "
                       f"({UNKNOWN_COUNTRY} when it is not known yet).")


def language_code(value, field: str = "Language") -> str:
    """'DE' -> 'de'; anything but an ISO 639-1 code is refused."""
    import pycountry

    code = str(value or "").strip().lower()
    if len(code) == 2 and code.isascii() and pycountry.languages.get(alpha_2=code):
        return code
    raise InvalidInput(f"{field}: '{value}' is not a language code; use its two letters, such as de, fr or en.")


def N_(words: str) -> str:
    """Marks words for the catalogue where they are declared but translated where they are shown:
    a menu label (Flask-AppBuilder's menu says `_(label)`), a name that is also a permission name."""
    return words


def script_words(words: dict) -> str:
    """The words a page's script says (in the person's language), as JSON for a
    <script type="application/json"> block: translated in the template, read by the script."""
    import json

    from markupsafe import Markup

    return Markup(json.dumps({key: str(value) for key, value in words.items()}, ensure_ascii=False).replace("</", "<\\/"))


class Words(str):
    """Words that are English underneath and the reader's language wherever they are shown.

    A `Words` is a `str` holding the English (a catalogue msgid, marked with N_ where it is declared):
    JSON, the database, sorting and comparisons with codes see the English, as the command line
    (`caseapp audit list --json`) and stored values need. Shown as text — Jinja (`__html__`), `str()`,
    `%`-formatting, f-strings and `format` — it is translated with gettext, in the page's language
    (English on the command line: CASEAPP_LOCALE). Unlike flask_babel's LazyString it stays a `str`
    (core.audit_trail serialises the audit words it is given).
    Use it for words declared at import time that also leave the app as English (stage labels);
    `lazy_gettext` for words only ever shown (core.audit_words makes them text where it reads them).
    Two Words equal to the same page words compare equal but may hash apart: do not key a dict by
    translated words."""
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
