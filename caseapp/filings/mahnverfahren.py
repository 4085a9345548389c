"""The German Mahnantrag (application for a payment order, §§ 688 ff. ZPO) as a structured file
(JSON, its fields named after the online Mahnantrag of the Mahngerichte: Antragsteller,
Prozessbevollmächtigter, Antragsgegner, Hauptforderungen, Nebenforderungen, Mahngericht,
Streitgericht) and a readable German PDF of the same data, to transfer into the official online
form (www.online-mahnantrag.de) or the lawyer's eGVP/beA software.

What § 690(1) ZPO asks: the parties and their representatives (no. 1), the court applied to (no. 2),
the claim with its main and secondary claims itemised, each main claim with its ground and date
(no. 3), the declaration that the claim does not depend on a counter-performance (no. 4), and the
court for contested proceedings (no. 5). The representative asserts the power of attorney (§ 703 ZPO)."""
from __future__ import annotations

from caseapp.core.money import Money
from caseapp.filings import render as rendering
from caseapp.filings.render import JSON, PDF, RenderedFile

GROUND = "Schadensersatz wegen Urheberrechtsverletzung (§ 97 Abs. 2 UrhG, Lizenzanalogie)"
INTEREST = "Zinsen in Höhe von 5 Prozentpunkten über dem Basiszinssatz (§§ 288 Abs. 1, 291 BGB) ab Zustellung des Mahnbescheids"


def _person(person, legal_form: str | None = None) -> dict:
    return {"Rechtsform": "natürliche Person" if (legal_form or person.legal_form) == "person" else "Firma / juristische Person",
            "Name": person.name, "Strasse_Hausnummer": person.street, "PLZ": person.postal_code, "Ort": person.city,
            "Staat": person.country, **({"Registernummer": person.register_number} if person.register_number else {})}


def _amount(value: Money) -> dict:
    return {"Betrag": value.amount_text(), "Waehrung": value.currency}


def data(facts, check) -> dict:
    """The Mahnantrag as data (amounts as text in euro, dates ISO)."""
    began = facts.infringement_began
    main = [{"Nr": n, "Anspruchsgrund": GROUND, "Bezeichnung": line.label, "Datum": (began or facts.today).isoformat(),
             "Datum_Art": "festgestellt am" if began else "Datum der Antragstellung", **_amount(line.amount)}
            for n, line in enumerate(facts.damage_lines, 1)]
    collection = [line for line in facts.cost_lines if "inkasso" in line.label.lower() or "collect" in line.label.lower()]
    lawyer = [line for line in facts.cost_lines if line not in collection]
    secondary = {
        "Auslagen": ([{"Bezeichnung": "Auslagen des Antragstellers (verauslagte Kosten)", **_amount(facts.costs_due)}]
                     if facts.costs_due else []),
        "Inkassokosten": [{"Bezeichnung": line.label, **_amount(line.amount)} for line in collection],
        "Vorgerichtliche_Anwaltskosten": [{"Bezeichnung": line.label, **_amount(line.amount)} for line in lawyer],
        "Zinsen": {"Art": "gesetzliche Verzugs- und Prozesszinsen", "Text": INTEREST,
                   "bisher_aufgelaufen": _amount(facts.interest_due or Money.zero("EUR"))},
    }
    total_main = Money.sum((line.amount for line in facts.damage_lines), "EUR")
    total_secondary = Money.sum([*(line.amount for line in facts.cost_lines),
                                 *([facts.costs_due] if facts.costs_due else [])], "EUR")
    court = facts.court
    venue = {"Bezeichnung": court.name, "Anschrift": list(court.address_lines), "Grund": "vom Gericht erfasst"} if court \
        else {"Bezeichnung": f"Amtsgericht {facts.party.city}",
              "Grund": "allgemeiner Gerichtsstand des Antragsgegners (§§ 12, 13, 17 ZPO; bei einer natürlichen Person "
                       "§ 104a UrhG); sachliche Zuständigkeit (§ 23 Nr. 1 GVG) und Konzentration nach § 105 UrhG prüfen"}
    representative = facts.representative
    return {
        "Formular": "Antrag auf Erlass eines Mahnbescheids (§§ 688, 690 ZPO)",
        "Geschaeftszeichen_des_Antragstellers": facts.ref,
        "Mahngericht": {"Bezeichnung": check.court.name, "Anschrift": list(check.court.address_lines),
                        "Grund": _why_court(check)},
        "Antragsteller": [_person(facts.client)],
        "Prozessbevollmaechtigter": {"Art": "Rechtsanwalt", "Name": representative.name, "Kanzlei": representative.firm,
                                     "Anschrift": list(representative.address_lines),
                                     "Vollmacht": "Ordnungsgemäße Bevollmächtigung wird versichert (§ 703 ZPO)"},
        "Antragsgegner": [_person(facts.party)],
        "Hauptforderungen": main,
        "Nebenforderungen": secondary,
        "Erklaerung_Gegenleistung": "Der Anspruch hängt nicht von einer Gegenleistung ab (§ 690 Abs. 1 Nr. 4 ZPO).",
        "Streitgericht": venue,
        "Summen": {"Hauptforderungen": total_main.amount_text(), "Nebenforderungen": total_secondary.amount_text(),
                   "Waehrung": "EUR"},
        "Rechtsgrundlagen": "§§ 688-703d ZPO; § 689 Abs. 2 ZPO (Mahngericht); § 690 Abs. 1 ZPO (Inhalt)",
    }


def _why_court(check) -> str:
    from caseapp.filings.routes import LANDER

    land = check.extra.get("land")
    if land is None:
        return "§ 689 Abs. 2 Satz 2 ZPO: der Antragsteller hat keinen allgemeinen Gerichtsstand im Inland"
    return (f"§ 689 Abs. 2 Satz 1, Abs. 3 ZPO: allgemeiner Gerichtsstand des Antragstellers in {LANDER[land]} "
            "(nach der Postleitregion bestimmt; in Grenzgebieten prüfen)")


def render(facts, check, store) -> list[RenderedFile]:
    content = data(facts, check)
    pdf = render_pdf(content, facts, store)
    return [RenderedFile(f"{facts.ref}-mahnantrag.json", JSON, rendering.as_json(content)),
            RenderedFile(f"{facts.ref}-mahnantrag.pdf", PDF, pdf)]


def render_pdf(content: dict, facts, store) -> bytes:
    from datetime import date

    return rendering.pdf("mahnantrag.html", "de", {"m": content, "today": facts.today, "notes": [],
                                                 "eur": lambda text: Money.parse(text, "EUR").format("de_DE"),
                                                 "iso": date.fromisoformat,
                                                 "footer": f"{facts.ref} · Mahnantrag (§ 690 ZPO)"}, store)
