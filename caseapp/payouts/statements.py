"""A client's payout statement as a PDF: a self-billed credit note (Gutschrift: the recipient of
the supply bills it, § 14(2) sentence 2 UStG), listing each case, what was collected, the split,
the VAT on the commission and the net, in the client's language (en, de; any other language is
written in English and says so). Rendered like the letters: a Jinja sandbox with the letters'
Babel filters, WeasyPrint through the letters' URL fetcher (our fonts, nothing from a network)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Mapping

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


def html(batch, line, settings: Mapping, *, today: date | None = None) -> str:
    language = line.language if line.language in LANGUAGES else "en"
    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(FOLDER)), autoescape=True,
                                        undefined=StrictUndefined)
    env.filters.update(letters.filters(language))
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
        "number": line.statement_number or "", "today": today or date.today(), "batch_id": batch.id,
        "until": batch.until, "items": items, "collected": m(line.collected_minor),
        "client_share": m(line.client_share_minor), "commission": m(line.commission_minor), "vat": m(line.vat_minor),
        "net": m(line.client_share_minor - line.vat_minor), "vat_words": treatment_words, "vat_basis": line.vat_basis,
        "iban": line.iban if line.method == "sepa" else None}
    return env.get_template("statement.html").render(variables)


def render(store, batch, line, settings: Mapping, *, today: date | None = None) -> bytes:
    return letters.html_to_pdf(html(batch, line, settings, today=today), store)
