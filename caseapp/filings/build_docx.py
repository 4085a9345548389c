"""Builds the DOCX templates of the general complaint (docxtpl tags in a plain Word file), so that
they are made, not hand-edited binaries: `python -m caseapp.filings.build_docx` writes
templates/filings/complaint/{en,de}.docx. A lawyer may then edit them in Word, keeping the
{{ ... }} tags (the variables: complaint.render's `variables`).

The structure follows § 253 ZPO (the German model of a complaint: the parties and the court
(§ 253(2) no. 1), the subject and ground of the claim and a definite application (no. 2), the value
of the matter (§ 253(3) no. 2) and whether an attempt at mediation was made (no. 1)); the English
one is the same draft for a court that takes English."""
from __future__ import annotations

import sys
from pathlib import Path

TEXT = {
    "en": {
        "to": "To the {{ court.name }}",
        "title": "Statement of claim",
        "claimant": "Claimant: {{ claimant.name }}, {{ claimant.address_lines|join(', ') }}, {{ claimant_country }}",
        "rep": "Represented by: {{ representative.name }}, {{ representative.firm }}, {{ representative.address_lines|join(', ') }}",
        "v": "against",
        "defendant": "Defendant: {{ defendant.name }}, {{ defendant.address_lines|join(', ') }}, {{ defendant_country }}",
        "subject": "for: damages for copyright infringement. Value of the claim: {{ value|money }}.",
        "h_app": "Application",
        "app": "On behalf of the claimant we apply for an order that the defendant pay the claimant {{ value|money }} "
               "with statutory interest from service of this claim, and bear the costs of the proceedings.",
        "h_facts": "Grounds",
        "facts": "The claimant is the author of the photographs listed below and holds the exclusive rights of use in "
                 "them. The defendant reproduced them and made them available to the public without a licence:",
        "item": "{{ item.title }}: {{ item.page_url }}{% if item.found_on %}, found on {{ item.found_on|date_long }}{% endif %}",
        "evidence": "Evidence: the captures of these pages with their SHA-256 hashes and capture times (Annex 1, evidence report).",
        "h_damages": "Damages",
        "damages": "The claimant claims damages as a reasonable licence fee (licence analogy), calculated as follows "
                   "(Annex 1, damages calculation):",
        "line": "{{ line.label }}: {{ line.amount|money }}{% if line.basis %} ({{ line.basis }}){% endif %}",
        "mediation": "No attempt at mediation or other out-of-court resolution has been made beyond the claimant's "
                     "letters, which the defendant did not answer by payment.",
        "annex": "Annex 1: evidence report and damages calculation ({{ annex_name }}).",
        "close": "{{ representative.name }}",
    },
    "de": {
        "to": "An das {{ court.name }}",
        "title": "Klage",
        "claimant": "des/der {{ claimant.name }}, {{ claimant.address_lines|join(', ') }}, {{ claimant_country }}, – Kläger –",
        "rep": "Prozessbevollmächtigte: {{ representative.name }}, {{ representative.firm }}, {{ representative.address_lines|join(', ') }}",
        "v": "gegen",
        "defendant": "{{ defendant.name }}, {{ defendant.address_lines|join(', ') }}, {{ defendant_country }}, – Beklagter –",
        "subject": "wegen: Schadensersatz wegen Urheberrechtsverletzung. Streitwert: {{ value|money }} (§ 253 Abs. 3 Nr. 2 ZPO).",
        "h_app": "Antrag",
        "app": "Namens und in Vollmacht des Klägers beantragen wir, den Beklagten zu verurteilen, an den Kläger "
               "{{ value|money }} nebst Zinsen in Höhe von 5 Prozentpunkten über dem Basiszinssatz seit "
               "Rechtshängigkeit zu zahlen, und dem Beklagten die Kosten des Rechtsstreits aufzuerlegen.",
        "h_facts": "Begründung",
        "facts": "Der Kläger ist Urheber der nachstehend bezeichneten Fotografien und Inhaber der ausschließlichen "
                 "Nutzungsrechte. Der Beklagte hat sie ohne Lizenz vervielfältigt und öffentlich zugänglich gemacht "
                 "(§§ 16, 19a UrhG):",
        "item": "{{ item.title }}: {{ item.page_url }}{% if item.found_on %}, festgestellt am {{ item.found_on|date_long }}{% endif %}",
        "evidence": "Beweis: Sicherungen dieser Seiten mit SHA-256-Werten und Zeitpunkten der Sicherung (Anlage K1, Beweisbericht).",
        "h_damages": "Schadensersatz (§ 97 Abs. 2 UrhG)",
        "damages": "Der Kläger verlangt Schadensersatz im Wege der Lizenzanalogie, berechnet wie folgt (Anlage K1, "
                   "Schadensberechnung):",
        "line": "{{ line.label }}: {{ line.amount|money }}{% if line.basis %} ({{ line.basis }}){% endif %}",
        "mediation": "Ein Versuch der Mediation oder außergerichtlichen Konfliktbeilegung ist über die Aufforderungs"
                     "schreiben des Klägers hinaus nicht unternommen worden (§ 253 Abs. 3 Nr. 1 ZPO).",
        "annex": "Anlage K1: Beweisbericht und Schadensberechnung ({{ annex_name }}).",
        "close": "{{ representative.name }}",
    },
}


def build(language: str, target: Path) -> None:
    from docx import Document

    t = TEXT[language]
    doc = Document()
    doc.add_paragraph(t["to"])
    doc.add_paragraph("{% for line in court.address_lines %}{{ line }}, {% endfor %}")
    doc.add_paragraph("{{ place }}, {{ today|date_long }} · {{ ref }}")
    doc.add_heading(t["title"], level=1)
    doc.add_paragraph(t["claimant"])
    doc.add_paragraph(t["rep"])
    doc.add_paragraph(t["v"])
    doc.add_paragraph(t["defendant"])
    doc.add_paragraph(t["subject"])
    doc.add_heading(t["h_app"], level=2)
    doc.add_paragraph(t["app"])
    doc.add_heading(t["h_facts"], level=2)
    doc.add_paragraph(t["facts"])
    doc.add_paragraph("{%p for item in items %}")
    doc.add_paragraph(t["item"], style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph(t["evidence"])
    doc.add_heading(t["h_damages"], level=2)
    doc.add_paragraph(t["damages"])
    doc.add_paragraph("{%p for line in damages %}")
    doc.add_paragraph(t["line"], style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph(t["mediation"])
    doc.add_paragraph(t["annex"])
    doc.add_paragraph(t["close"])
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))


def main(argv=None) -> None:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "templates" / "filings"
    for language in TEXT:
        build(language, root / "complaint" / f"{language}.docx")
        print(root / "complaint" / f"{language}.docx")


if __name__ == "__main__":
    main(sys.argv[1:])
