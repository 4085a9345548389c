"""Builds the DOCX templates of the lawyer's warning letter (docxtpl tags in a plain Word file),
so that they are made, not hand-edited binaries: `python -m caseapp.letters.build_docx` writes
templates/letters/warning_letter/{en,de}.docx. A lawyer may then edit them in Word, keeping the
{{ ... }} tags; the contract (docs/letters/README.md) lists the variables."""
from __future__ import annotations

import sys
from pathlib import Path

TEXT = {
    "en": {
        "subject": "Copyright infringement: demand to cease and desist and claim for damages – {{ letter.reference }}",
        "open": "Dear Sir or Madam,",
        "mandate": "We are instructed by {{ client.name }}, the holder of the copyright and of the exclusive rights "
                   "of use in the photographs listed below{% if mandate.signed_on %} (power of attorney dated "
                   "{{ mandate.signed_on|date_long }}){% endif %}.",
        "h_infringement": "The infringement",
        "infringement": "You reproduced the following photographs and made them available to the public on your "
                        "website without our client's consent:",
        "item": "{{ item.title }}: {{ item.page_url }}, found on {{ item.found_on|date_long }}",
        "h_undertaking": "Cease and desist",
        "undertaking": "We ask you to give, by {{ letter.deadline|date_long }}, a written undertaking "
                       "{{ undertaking.demanded }}.",
        "beyond": "{% if undertaking.beyond %}The undertaking demanded goes beyond the infringement.{% else %}"
                  "The undertaking demanded does not go beyond the infringement.{% endif %}",
        "h_claim": "Damages and costs",
        "line": "{{ line.label }}: {{ line.amount|money }}",
        "split": "Damages: {{ claim.damages|money }}; costs: {{ claim.costs|money }}; total: {{ claim.total|money }}",
        "pay": "Please pay {{ payment.amount|money }} by {{ letter.deadline|date_long }} to {{ payment.holder }}, "
               "IBAN {{ payment.iban }}{% if payment.bic %}, BIC {{ payment.bic }}{% endif %}, reference "
               "{{ payment.reference }}.",
        "close": "Yours faithfully",
    },
    "de": {
        "subject": "Urheberrechtsverletzung: Abmahnung und Aufforderung zur Abgabe einer strafbewehrten "
                   "Unterlassungserklärung – {{ letter.reference }}",
        "open": "Sehr geehrte Damen und Herren,",
        "mandate": "hiermit zeigen wir an, dass wir {{ client.name }} anwaltlich vertreten{% if mandate.signed_on %} "
                   "(Vollmacht vom {{ mandate.signed_on|date_long }}){% endif %}. {{ client.name }} ist Inhaber der "
                   "ausschließlichen Nutzungsrechte an den nachstehend bezeichneten Fotografien.",
        "h_infringement": "Die Rechtsverletzung (§ 97a Abs. 2 Satz 1 Nr. 2 UrhG)",
        "infringement": "Sie haben die folgenden Fotografien ohne Zustimmung unserer Mandantschaft vervielfältigt und "
                        "auf Ihrer Website öffentlich zugänglich gemacht (§§ 16, 19a UrhG):",
        "item": "{{ item.title }}: {{ item.page_url }}, festgestellt am {{ item.found_on|date_long }}",
        "h_undertaking": "Unterlassung",
        "undertaking": "Wir fordern Sie auf, bis zum {{ letter.deadline|date_long }} schriftlich zu erklären, "
                       "{{ undertaking.demanded }}.",
        "beyond": "Hinweis nach § 97a Abs. 2 Satz 1 Nr. 4 UrhG: {% if undertaking.beyond %}Die vorgeschlagene "
                  "Unterlassungsverpflichtung geht über die abgemahnte Rechtsverletzung hinaus.{% else %}Die "
                  "vorgeschlagene Unterlassungsverpflichtung geht nicht über die abgemahnte Rechtsverletzung "
                  "hinaus.{% endif %}",
        "h_claim": "Schadensersatz und Aufwendungsersatz (§ 97a Abs. 2 Satz 1 Nr. 3 UrhG)",
        "line": "{{ line.label }}: {{ line.amount|money }}",
        "split": "Schadensersatz: {{ claim.damages|money }}; Aufwendungsersatz: {{ claim.costs|money }}; "
                 "gesamt: {{ claim.total|money }}",
        "pay": "Bitte zahlen Sie {{ payment.amount|money }} bis zum {{ letter.deadline|date_long }} an "
               "{{ payment.holder }}, IBAN {{ payment.iban }}{% if payment.bic %}, BIC {{ payment.bic }}{% endif %}, "
               "Verwendungszweck {{ payment.reference }}.",
        "close": "Mit freundlichen Grüßen",
    },
}


def build(language: str, target: Path) -> None:
    from docx import Document

    t = TEXT[language]
    doc = Document()
    doc.add_paragraph("{{ firm.lawyer.name if firm.lawyer else firm.name }}")
    doc.add_paragraph("{{ recipient.name }}")
    doc.add_paragraph("{% for line in recipient.address_lines %}{{ line }}, {% endfor %}{{ recipient.country_name or '' }}")
    doc.add_paragraph("{{ letter.reference }} · {{ letter.date|date_long }}")
    doc.add_heading(t["subject"], level=1)
    doc.add_paragraph(t["open"])
    doc.add_paragraph(t["mandate"])
    doc.add_heading(t["h_infringement"], level=2)
    doc.add_paragraph(t["infringement"])
    doc.add_paragraph("{%p for item in items %}")
    doc.add_paragraph(t["item"], style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading(t["h_undertaking"], level=2)
    doc.add_paragraph(t["undertaking"])
    doc.add_paragraph(t["beyond"])
    doc.add_heading(t["h_claim"], level=2)
    doc.add_paragraph("{%p for line in claim.lines %}")
    doc.add_paragraph(t["line"], style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph(t["split"])
    doc.add_paragraph(t["pay"])
    doc.add_paragraph(t["close"])
    doc.add_paragraph("{{ firm.lawyer.name if firm.lawyer else firm.signatory }}")
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))


def main(argv=None) -> None:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "templates" / "letters"
    for language in TEXT:
        build(language, root / "warning_letter" / f"{language}.docx")
        print(root / "warning_letter" / f"{language}.docx")


if __name__ == "__main__":
    main(sys.argv[1:])
