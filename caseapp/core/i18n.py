"""Countries and languages as people type them and as caseapp keeps them (ISO codes), and the
helpers that mark the interface's words for its catalogues (docs/translating.md)."""
from __future__ import annotations

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
