"""The app's catalogues: extract the words of each catalogue's sources, keep what is translated,
compile the .mo files Flask-Babel reads (docs/translating.md).

    python lint/translations.py update     # extract, merge into each language's .po, compile
    python lint/translations.py check      # what tests/core/test_translations.py asserts, as a list

One catalogue per domain (caseapp/<domain>/translations/, from that domain's Python and its
templates/), and one for core and the app's own pages (caseapp/translations/, from caseapp/*.py,
caseapp/core/ and caseapp/templates/), so a domain brings its words with it."""
from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "caseapp"
LANGUAGES = ("de",)
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2), "_l": None,
            "lazy_pgettext": ((1, "c"), 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}


@dataclass(frozen=True)
class Catalogue:
    folder: Path                     # …/translations
    sources: tuple[Path, ...]        # files whose words it holds

    @property
    def name(self) -> str:
        return self.folder.parent.name if self.folder.parent != PACKAGE else "core"

    def po(self, language: str) -> Path:
        return self.folder / language / "LC_MESSAGES" / "messages.po"

    def mo(self, language: str) -> Path:
        return self.po(language).with_suffix(".mo")


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file()) if folder.is_dir() else []


def catalogues() -> list[Catalogue]:
    """Core's and one per domain package (a folder with __init__.py and any words to translate)."""
    found = [Catalogue(PACKAGE / "translations", tuple(
        _files(PACKAGE, "*.py") + _files(PACKAGE / "core", "**/*.py") + _files(PACKAGE / "templates", "**/*.html")))]
    for package in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file() and p.name != "core"):
        sources = _files(package, "**/*.py") + _files(package / "templates", "**/*.html")
        found.append(Catalogue(package / "translations", tuple(sources)))
    return found


def extract(catalogue: Catalogue) -> Catalog:
    """The words its sources mark (gettext, ngettext, lazy_gettext, _ in Python and templates)."""
    template = Catalog(project="caseapp", fuzzy=False)
    for path in catalogue.sources:
        method = "jinja2" if path.suffix == ".html" else "python"
        options = JINJA_OPTIONS if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True):
            template.add(message, None, [(str(path.relative_to(ROOT)), lineno)],
                         auto_comments=comments, context=context)
    return template


def read(path: Path, language: str) -> Catalog:
    if not path.is_file():
        return Catalog(locale=language, project="caseapp", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update() -> None:
    for catalogue in catalogues():
        template = extract(catalogue)
        if not len(template) and not catalogue.folder.is_dir():
            continue                      # a domain without words to translate has no catalogue
        for language in LANGUAGES:
            catalog = read(catalogue.po(language), language)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            catalog.obsolete.clear()      # words no longer in the code leave the catalogue
            out = io.BytesIO()
            write_po(out, catalog, width=100, omit_header=False, sort_output=False, include_previous=False)
            po = catalogue.po(language)
            if not po.is_file() or _undated(po.read_bytes()) != _undated(out.getvalue()):
                po.parent.mkdir(parents=True, exist_ok=True)   # (an unchanged catalogue keeps its file and date)
                po.write_bytes(out.getvalue())
            mo = catalogue.mo(language)
            fresh = compiled(read(po, language))   # also after a translation typed into the .po by hand
            if not mo.is_file() or mo.read_bytes() != fresh:
                mo.write_bytes(fresh)
            missing = sum(1 for m in catalog if m.id and not _translated(m))
            print(f"{catalogue.name:12} {language}: {len(template):4} words, {missing:3} not translated")


def _undated(po: bytes) -> bytes:
    """A .po file without its header's dates (they change at every extraction)."""
    return b"\n".join(line for line in po.split(b"\n")
                      if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date')))


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def problems() -> list[str]:
    """Every word a catalogue's sources mark but its German does not give, a stale .mo, and
    placeholders the translation lost or invented."""
    import re

    found = []
    said: dict = {}   # (language, English) -> {translation: [catalogues]}: Flask-Babel merges them, the last wins
    placeholder = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
    for catalogue in catalogues():
        template = extract(catalogue)
        if not len(template):
            continue
        for language in LANGUAGES:
            catalog = read(catalogue.po(language), language)
            for message in template:
                if not message.id:
                    continue
                have = catalog.get(message.id, context=message.context)
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                where = f"{catalogue.name} ({message.locations[0][0]}:{message.locations[0][1]})"
                if have is None or not _translated(have):
                    found.append(f"{where}: no {language} for {ids[0]!r}")
                    continue
                wanted = {m for i in ids for m in placeholder.findall(i)}
                strings = have.string if isinstance(have.string, tuple) else (have.string,)
                for s in strings:
                    if {m for m in placeholder.findall(s)} - wanted:
                        found.append(f"{where}: {language} for {ids[0]!r} has a placeholder the English lacks: {s!r}")
                if not isinstance(message.id, tuple) and {m for m in placeholder.findall(strings[0])} != wanted:
                    found.append(f"{where}: {language} for {ids[0]!r} lost a placeholder: {strings[0]!r}")
            for message in catalog:
                if message.id and _translated(message):
                    said.setdefault((language, message.context,
                                     message.id if isinstance(message.id, str) else message.id[0]), {}).setdefault(message.string, []).append(catalogue.name)
            if not catalogue.mo(language).is_file() or catalogue.mo(language).read_bytes() != compiled(catalog):
                found.append(f"{catalogue.name}: {catalogue.mo(language).relative_to(ROOT)} is not compiled from its "
                             f".po: run python lint/translations.py update")
    for (language, _context, english), translations in said.items():
        if len(translations) > 1:
            ways = "; ".join(f"{t!r} in {', '.join(names)}" for t, names in translations.items())
            found.append(f"{english!r} has two {language} translations (the app shows only one): {ways}")
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "check":
        listed = problems()
        print("\n".join(listed) or "every marked word has its translation")
        sys.exit(1 if listed else 0)
    else:
        sys.exit("usage: python lint/translations.py update|check")
