"""Letter templates -> HTML, PDF (WeasyPrint) and DOCX (docxtpl).

Templates are data people edit, so they render in Jinja's immutable sandbox with autoescape,
and see only the letter's variables (docs/letters/README.md) and the Babel filters of the
letter's locale. WeasyPrint fetches through `LetterFetcher`: our file store (by SHA-256), our
static folder (the fonts) and data: URLs (the EPC QR code); anything else is refused, so a
template or a URL in a case can never make the server reach the network."""
from __future__ import annotations

import base64
import mimetypes
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import FileSystemLoader, PrefixLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment
from weasyprint.urls import URLFetcher, URLFetcherResponse
from PIL import ImageFile

# WeasyPrint switches Pillow to accept truncated images for the whole process when it is
# imported (weasyprint/images.py). caseapp refuses a truncated work or sighting (a broken upload
# is an error, not a half-grey work), and the letters only embed our own complete files: switch
# it back.
import weasyprint.images  # noqa: E402,F401  (import it now, so that nothing switches it on later)
ImageFile.LOAD_TRUNCATED_IMAGES = False

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.core.resources import folder

# Relative URLs in a letter (/files/<sha256>, /static/fonts/...) resolve against this base; it
# names no real host: the fetcher answers it from our own files.
BASE_URL = "https://letters.caseapp.invalid/"
STATIC = Path(__file__).resolve().parents[1] / "static"
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "pt")
# The locale a letter's figures and dates are written in: the language as written in the country
# it is most at home in (English letters: "5 June 2026", "€1,234.50").
LOCALES = {"en": "en_GB", "de": "de_DE", "fr": "fr_FR", "es": "es_ES", "it": "it_IT", "nl": "nl_NL",
           "pl": "pl_PL", "pt": "pt_PT"}
_SHA = re.compile(r"^/files/([0-9a-f]{64})$")


def templates_folder() -> Path:
    return folder("letters")


def locale_of(language: str) -> str:
    return LOCALES.get(language, language)


def template_name(kind: str, language: str, fmt: str = "pdf") -> str:
    return f"letters/{kind}/{language}.{'docx' if fmt == 'docx' else 'html'}"


def has_template(kind: str, language: str, fmt: str = "pdf") -> bool:
    return (templates_folder() / kind / f"{language}.{'docx' if fmt == 'docx' else 'html'}").is_file()


def languages_with(kind: str, fmt: str = "pdf") -> list[str]:
    """The languages `kind` has a template in, in the order of LANGUAGES, then any others."""
    ext = "docx" if fmt == "docx" else "html"
    found = sorted(p.stem for p in (templates_folder() / kind).glob(f"*.{ext}")) \
        if (templates_folder() / kind).is_dir() else []
    return [lang for lang in LANGUAGES if lang in found] + [lang for lang in found if lang not in LANGUAGES]


def filters(language: str) -> dict:
    locale = locale_of(language)

    def money(value):
        if value is None:
            return ""
        if not isinstance(value, Money):
            raise TypeError("|money takes an amount (Money)")
        return value.format(locale)

    def date_long(value: date | None):
        if value is None:
            return ""
        words = format_date(value, "long", locale=locale)
        if locale.startswith("fr") and value.day == 1 and words.startswith("1 "):
            words = "1er " + words[2:]     # French writes the first of the month as an ordinal: « le 1er mai »
        return words

    def date_short(value: date | None):
        return "" if value is None else format_date(value, "medium", locale=locale)

    def number(value):
        return "" if value is None else format_decimal(Decimal(str(value)), locale=locale)

    def percent(value):
        return "" if value is None else format_percent(Decimal(str(value)), locale=locale)

    return {"money": money, "date_long": date_long, "date_short": date_short, "number": number,
            "percent": percent}


def environment(language: str, variables: dict | None = None, *, loader=True) -> ImmutableSandboxedEnvironment:
    """A sandbox for one letter: its locale's filters, and its variables as globals, so that the
    language's partials (imported without context) see the firm and the reference too."""
    env = ImmutableSandboxedEnvironment(
        loader=PrefixLoader({"letters": FileSystemLoader(str(templates_folder()))}) if loader else None,
        autoescape=True, undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.filters.update(filters(language))
    env.globals.update(variables or {})
    return env


def render_html(kind: str, language: str, variables: dict) -> str:
    env = environment(language, variables)
    try:
        template = env.get_template(template_name(kind, language))
    except TemplateNotFound as missing:
        raise InvalidInput(f"There is no {kind} letter in {language}: the template {missing.name} is missing.") \
            from None
    return template.render(variables)


class LetterFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for letters: only our own files (the store by SHA-256, the
    static folder, data: URLs). Refused URLs are kept in `refused`; nothing is ever requested
    from a network."""

    def __init__(self, store, static_root: Path = STATIC):
        super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)
        self.store = store
        self.static_root = Path(static_root).resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        body, mime = self.local(url)
        if body is None:
            self.refused.append(url)
            raise ValueError(f"letters read only caseapp's own files, not {url[:200]}")
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def local(self, url: str):
        """(bytes, media type) of one of our files, or (None, None)."""
        if url.startswith("data:"):
            head, _, data = url.partition(",")
            mime = head[5:].split(";")[0] or "text/plain"
            try:
                raw = base64.b64decode(data, validate=True) if head.endswith(";base64") else unquote(data).encode()
            except ValueError:
                return None, None
            return raw, mime
        if not url.startswith(BASE_URL):
            return None, None
        path = unquote(urlsplit(url).path)
        found = _SHA.match(path)
        if found and self.store is not None and self.store.exists(found.group(1)):
            data = self.store.read(found.group(1))
            return data, _sniff(data)
        if path.startswith("/static/"):
            target = (self.static_root / path.removeprefix("/static/")).resolve()
            if target.is_relative_to(self.static_root) and target.is_file():
                return target.read_bytes(), mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return None, None


def _sniff(data: bytes) -> str:
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def html_to_pdf(html: str, store, *, fetcher=None) -> bytes:
    from weasyprint import HTML

    fetcher = fetcher or LetterFetcher(store)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def render_docx(kind: str, language: str, variables: dict) -> bytes:
    """The DOCX a lawyer edits, from `templates/letters/<kind>/<lang>.docx` (docxtpl, the same
    sandbox and filters)."""
    import io

    from docxtpl import DocxTemplate

    path = templates_folder() / kind / f"{language}.docx"
    if not path.is_file():
        raise InvalidInput(f"There is no {kind} letter in {language} as DOCX: the template "
                           f"letters/{kind}/{language}.docx is missing.")
    document = DocxTemplate(str(path))
    document.render(variables, jinja_env=environment(language, variables, loader=False), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def first_page_png(pdf: bytes, *, scale: float = 0.8) -> bytes | None:
    """Page 1 of a PDF as a PNG (pypdfium2: no poppler or browser needed); None if it cannot."""
    try:
        import io

        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(pdf)
        try:
            image = document[0].render(scale=scale).to_pil()
        finally:
            document.close()
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", optimize=True)
        return out.getvalue()
    except Exception:   # a preview is a convenience: the letter is the PDF
        return None
