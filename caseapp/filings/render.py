"""What the renderers share: the file a filing is made of, the PDF templates (caseapp/filings/pdf/,
Jinja with autoescape and the letters' Babel filters in the court's language) and WeasyPrint with
the letters' allow-list URL fetcher (letters.render: only our own files, never the network)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

PDF_TEMPLATES = Path(__file__).parent / "pdf"
PDF, JSON, DOCX = ("application/pdf", "application/json",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@dataclass(frozen=True)
class RenderedFile:
    name: str
    media_type: str
    data: bytes


def environment(language: str) -> Environment:
    from caseapp.letters.render import filters

    env = Environment(loader=FileSystemLoader(str(PDF_TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined)
    env.filters.update(filters(language))
    return env


def pdf(template: str, language: str, variables: dict, store) -> bytes:
    from caseapp.letters.render import html_to_pdf

    html = environment(language).get_template(template).render(**variables, lang=language)
    return html_to_pdf(html, store)


def as_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def locale(language: str) -> str:
    from caseapp.letters.render import locale_of

    return locale_of(language)


def country_name(code: str | None, language: str) -> str:
    from babel import Locale

    if not code:
        return "—"
    try:
        return Locale.parse(locale(language)).territories.get(code.upper(), code)
    except Exception:   # an unknown code: shown as it is
        return code
