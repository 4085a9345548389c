"""A client's payout statement as a PDF: a self-billed credit note (Gutschrift: the recipient of
the supply bills it, § 14(2) sentence 2 UStG), listing each case, what was collected, the split,
the VAT on the commission and the net, in the client's language (en, de; any other language is
written in English and says so). Rendered like the letters: a Jinja sandbox with the letters'
Babel filters, WeasyPrint through the letters' URL fetcher (our fonts, nothing from a network).

A statement is dated the day its batch was exported (in the firm's time zone), so that it is
the same document whenever it is rendered: right after the export, or the first time it is
downloaded. A batch has a statement per client (a thousand and more), so what every statement
shares is made once per process: the template compiled once per language, the style sheet
(statement/statement.css) parsed once with its fonts (`pdf`). A statement still takes about a
tenth of a second to lay out; `pdf` takes only the HTML, so that a pool of processes can
render them."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from caseapp.clients import contracts, tax
from caseapp.core.money import Money
from caseapp.letters import render as letters

LANGUAGES = ("en", "de")
FOLDER = Path(__file__).resolve().parent / "statement"
FALLBACK = "This statement is in English: it is not yet written in your language ({language})."


def _firm(settings: Mapping) -> dict:
    address = str(settings.get("CASEAPP_FIRM_ADDRESS") or "")
    return {"name": settings.get("CASEAPP_FIRM_NAME") or "", "address_lines": [p for p in address.split("|") if p],
            "vat_id": settings.get("CASEAPP_FIRM_VAT_ID") or ""}


@lru_cache(maxsize=None)
def _template(language: str):
    """The statement's template for a language: compiled once (a sandbox with its filters)."""
    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(FOLDER)), autoescape=True,
                                        undefined=StrictUndefined, auto_reload=False)
    env.filters.update(letters.filters(language))
    return env.get_template("statement.html")


def statement_day(batch, settings: Mapping) -> date:
    """The statement's date: the day the batch was exported where the firm works (today before)."""
    if batch.exported_at is None:
        return date.today()
    zone = ZoneInfo(str(settings.get("CASEAPP_TIMEZONE") or "Europe/Berlin"))
    return batch.exported_at.astimezone(zone).date()


def html(batch, line, settings: Mapping, *, today: date | None = None) -> str:
    language = line.language if line.language in LANGUAGES else "en"
    cur = batch.currency

    def m(minor: int) -> Money:
        return Money(minor, cur)

    items = [{"case_ref": i.case_ref, "booked_on": i.booked_on, "in_court": i.in_court,
              "share": contracts.percent_text(i.share_bp), "collected": m(i.collected_minor),
              "client_share": m(i.client_share_minor), "commission": m(i.commission_minor), "vat": m(i.vat_minor),
              "net": m(i.client_share_minor - i.vat_minor)} for i in line.items]
    treatment_words = {tax.REVERSE_CHARGE: "Reverse charge: the client accounts for the VAT",
                       tax.NON_EU: "No German VAT (outside the EU)"}.get(line.vat_code, "19% German VAT")
    variables = {
        "language": language, "firm": _firm(settings), "client_name": line.client_name, "client_vat_id": None,
        "fallback": FALLBACK.format(language=line.language) if line.language not in LANGUAGES else "",
        "number": line.statement_number or "", "today": today or statement_day(batch, settings), "batch_id": batch.id,
        "until": batch.until, "items": items, "collected": m(line.collected_minor),
        "client_share": m(line.client_share_minor), "commission": m(line.commission_minor), "vat": m(line.vat_minor),
        "net": m(line.client_share_minor - line.vat_minor), "vat_words": treatment_words, "vat_basis": line.vat_basis,
        "iban": line.iban if line.method == "sepa" else None}
    return _template(language).render(variables)


_shared = threading.local()


def _style():
    """(style sheet, font configuration): parsed and loaded once per thread (WeasyPrint's font
    configuration is not shared between threads), given to every statement."""
    if getattr(_shared, "style", None) is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        sheet = CSS(string=(FOLDER / "statement.css").read_text(encoding="utf-8"), base_url=letters.BASE_URL,
                    url_fetcher=letters.LetterFetcher(None), font_config=fonts)
        _shared.style = (sheet, fonts)
    return _shared.style


def pdf(text: str) -> bytes:
    """A statement's HTML as a PDF: the shared style sheet and fonts; WeasyPrint reads only our
    own files (the letters' fetcher; a statement embeds none from the file store)."""
    from weasyprint import HTML

    sheet, fonts = _style()
    return HTML(string=text, base_url=letters.BASE_URL, url_fetcher=letters.LetterFetcher(None)).write_pdf(
        stylesheets=[sheet], font_config=fonts)


# Below this many statements a pool of processes costs more (starting them) than it saves.
POOL_FROM = 40


@contextmanager
def pool(count: int, workers: int | None = None):
    """An executor that renders `pdf` in other processes (one per core), or None when `count`
    statements are too few to be worth starting them. Spawned, not forked: a worker starts clean
    (no database connections, no WeasyPrint state of the parent)."""
    import os

    workers = workers or os.cpu_count() or 1
    if count < POOL_FROM or workers < 2:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


def render(store, batch, line, settings: Mapping, *, today: date | None = None) -> bytes:
    return pdf(html(batch, line, settings, today=today))
