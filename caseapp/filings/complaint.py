"""The general complaint draft (DOCX through docxtpl, from templates/filings/complaint/<lang>.docx,
for the lawyer to edit) and its evidence annex (PDF): the damages calculation, then the evidence
report of each capture on the case as the evidence domain makes and keeps it (screenshot, the work
and the copy side by side, hashes and capture times)."""
from __future__ import annotations

import io

from caseapp.filings import render as rendering
from caseapp.filings.render import DOCX, PDF, RenderedFile


def template_path(language: str):
    from caseapp.core.resources import folder

    return folder("filings") / "complaint" / f"{language}.docx"


def variables(facts, check, annex_name: str) -> dict:
    language = check.language
    lines = check.court.address_lines
    return dict(court=check.court, claimant=facts.client, defendant=facts.party, representative=facts.representative,
                claimant_country=rendering.country_name(facts.client.country, language),
                defendant_country=rendering.country_name(facts.party.country, language),
                value=facts.damages, items=facts.items, damages=facts.damage_lines, today=facts.today, ref=facts.ref,
                place=(facts.representative.address_lines[-2] if len(facts.representative.address_lines) > 1 else "")
                if facts.representative else "", annex_name=annex_name, court_lines=lines)


def render_docx(facts, check, annex_name: str) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from caseapp.letters.render import filters

    env = ImmutableSandboxedEnvironment(autoescape=True)
    env.filters.update(filters(check.language))
    document = DocxTemplate(str(template_path(check.language)))
    document.render(variables(facts, check, annex_name), jinja_env=env, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_annex(facts, check, store) -> bytes:
    from pypdf import PdfWriter

    from caseapp.evidence.report import report_of

    calculation = rendering.pdf("annex.html", check.language, {"f": facts, "check": check,
                                                              "footer": f"{facts.ref} · annex"}, store)
    writer = PdfWriter()
    writer.append(io.BytesIO(calculation))
    for capture in facts.captures:
        writer.append(io.BytesIO(report_of(store.session, store.actor, store.inner, capture.id, check.language)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render(facts, check, store) -> list[RenderedFile]:
    annex_name = f"{facts.ref}-annex-evidence.pdf"
    return [RenderedFile(f"{facts.ref}-complaint-{check.language}.docx", DOCX, render_docx(facts, check, annex_name)),
            RenderedFile(annex_name, PDF, render_annex(facts, check, store))]
