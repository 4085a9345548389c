"""Every route open to a showcase case renders; the output is read back (PDF text with pypdf, DOCX
text with python-docx, the structured Mahnantrag and CCB files parsed) and the required fields are
checked; generating stores the files (hashes match the bytes), audits it on the case timeline, and a
closed route writes nothing."""
from __future__ import annotations

import hashlib
import io
import json

import pytest
from sqlalchemy import func, select

from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import Refusal
from caseapp.filings import services
from caseapp.filings.models import Filing, FilingFile

from .conftest import TODAY

LAWYER = Actor(None, "lawyer")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return _plain("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def _plain(text: str) -> str:
    """Babel's non-breaking spaces as spaces, lines joined: what a reader sees."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def docx_text(data: bytes) -> str:
    from docx import Document

    return _plain("\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs))


def generate(db_session, store, case, route):
    filing = services.generate(db_session, LAWYER, case, route, store=store, today=TODAY)
    return filing, {f.name.split(case.ref + "-", 1)[1]: store.read(f.file_sha256) for f in filing.files}


def test_mahnantrag_foreign_client(db_session, store, showcase):
    case = showcase["de-foreign-client"]
    filing, files = generate(db_session, store, case, "mahnverfahren")
    data = json.loads(files["mahnantrag.json"])
    assert data["Mahngericht"]["Bezeichnung"].startswith("Amtsgericht Wedding")
    assert "§ 689 Abs. 2 Satz 2 ZPO" in data["Mahngericht"]["Grund"]
    assert data["Antragsteller"][0]["Name"] == "Lucie Martin Photographie"
    assert data["Antragsteller"][0]["Staat"] == "FR"
    assert data["Antragsgegner"][0] == {"Rechtsform": "Firma / juristische Person", "Name": "Bergblick Reisen GmbH",
                                        "Strasse_Hausnummer": "Leopoldstraße 45", "PLZ": "80802", "Ort": "München",
                                        "Staat": "DE"}
    assert data["Prozessbevollmaechtigter"]["Name"] and "§ 703 ZPO" in data["Prozessbevollmaechtigter"]["Vollmacht"]
    assert [h["Betrag"] for h in data["Hauptforderungen"]] == ["900.00", "900.00"]
    assert all(h["Anspruchsgrund"] and h["Datum"] for h in data["Hauptforderungen"])
    assert [n["Betrag"] for n in data["Nebenforderungen"]["Vorgerichtliche_Anwaltskosten"]] == ["159.94"]
    assert "Basiszinssatz" in data["Nebenforderungen"]["Zinsen"]["Text"]
    assert data["Summen"] == {"Hauptforderungen": "1800.00", "Nebenforderungen": "159.94", "Waehrung": "EUR"}
    assert data["Streitgericht"]["Bezeichnung"] == "Amtsgericht München"
    text = pdf_text(files["mahnantrag.pdf"])
    for words in ("Antrag auf Erlass eines Mahnbescheids", "Amtsgericht Wedding", "Bergblick Reisen GmbH",
                  "Hauptforderungen", "Nebenforderungen", "1.800,00 €", "159,94 €", "Streitgericht",
                  "§ 690 Abs. 1 Nr. 4 ZPO"):
        assert words in text, words
    assert filing.language == "de"


def test_mahnantrag_german_client_at_the_lands_mahngericht(db_session, store, showcase):
    _filing, files = generate(db_session, store, showcase["de-german-client"], "mahnverfahren")
    data = json.loads(files["mahnantrag.json"])
    assert data["Mahngericht"]["Bezeichnung"].startswith("Amtsgericht Hagen")   # Essen: OLG-Bezirk Hamm
    assert [n["Betrag"] for n in data["Nebenforderungen"]["Inkassokosten"]] == ["70.20"]


@pytest.mark.parametrize("key, language, words", [
    ("fr-escp", "fr", ["Formulaire A", "1. Juridiction", "5. Caractère transfrontière", "Maison Lumière SARL",
                       "Anna Vogt Photography", "Allemagne", "1 200,00 €", "10. Date et signature"]),
    ("at-escp", "de", ["Formblatt A", "1. Gericht", "3. Beklagter", "Alpenhof Hotel GmbH", "Italien", "800,00 €"]),
    ("es-escp", "es", ["Formulario A", "2. Demandante", "Viajes Sol y Mar", "Países Bajos", "950,00 €"]),
    ("it-escp", "it", ["Modulo A", "3. Convenuto", "Trattoria Bella Vista", "Francia", "700,00 €"]),
    ("nl-escp", "nl", ["Formulier A", "7. Vordering", "Fietsverhuur Amstel", "Oostenrijk", "€ 850,00"]),
])
def test_form_a_in_the_courts_language(db_session, store, showcase, court_recorded, key, language, words):
    filing, files = generate(db_session, store, showcase[key], "european-small-claims")
    assert filing.language == language
    text = pdf_text(files[f"form-a-{language}.pdf"])
    for w in words + ["Tribunal judiciaire de Paris", "SHA-256"]:
        assert w in text, (w, text[:800])
    for section in range(1, 11):
        assert f"{section}. " in text


def test_ccb_claim_pack(db_session, store, showcase):
    _filing, files = generate(db_session, store, showcase["us-ccb-registered"], "ccb")
    pack = json.loads(files["ccb-works.json"])
    assert [(w["status"], w["timely_registered_17_usc_412"], w["cap_per_work"]) for w in pack["works"]] == [
        ("registered", True, "15000.00"), ("application pending", False, "7500.00")]
    assert pack["works"][0]["registration_number"] == "VA 2-345-678" and pack["works"][0]["registered_on"]
    assert pack["works"][1]["application_filed_on"]
    assert sum(float(w["damages_sought"]) for w in pack["works"]) == 6000.0
    assert pack["total_cap"] == "22500.00"
    text = pdf_text(files["ccb-claim.pdf"])
    for words in ("Copyright Claims Board", "Emily Carter Photography LLC", "Sunset Coast Realty Inc.",
                  "Application pending", "$6,000.00", "$22,500.00", "Certification", "§ 1505(a)"):
        assert words in text, words


def test_ccb_pending_application_alone(db_session, store, showcase):
    _filing, files = generate(db_session, store, showcase["us-ccb-pending"], "ccb")
    pack = json.loads(files["ccb-works.json"])
    assert [w["status"] for w in pack["works"]] == ["application pending"] and pack["total_cap"] == "7500.00"


def test_ipec_particulars_of_claim(db_session, store, showcase):
    _filing, files = generate(db_session, store, showcase["gb-ipec"], "ipec-small-claims")
    text = pdf_text(files["ipec-particulars-of-claim.pdf"])
    for words in ("IN THE HIGH COURT OF JUSTICE", "BUSINESS AND PROPERTY COURTS OF ENGLAND AND WALES",
                  "INTELLECTUAL PROPERTY LIST (ChD)", "INTELLECTUAL PROPERTY ENTERPRISE COURT", "SMALL CLAIMS TRACK",
                  "PARTICULARS OF CLAIM", "THAMES GARDEN CENTRE LTD", "OLIVER HUGHES PHOTOGRAPHY", "£1,500.00",
                  "Statement of truth", "believes that the facts stated", "section 96(2) CDPA"):
        assert words in text, words


def test_general_complaint_docx_and_annex(db_session, store, showcase, court_recorded):
    case = showcase["de-foreign-client"]
    filing, files = generate(db_session, store, case, "court")
    text = docx_text(files["complaint-de.docx"])
    for words in ("Klage", "Tribunal judiciaire de Paris", "Lucie Martin Photographie", "Bergblick Reisen GmbH",
                  "1.800,00 €", "Antrag", "Anlage K1", "Lizenzgebühr (Lizenzanalogie)", "§ 253 Abs. 3 Nr. 2 ZPO"):
        assert words in text, words
    assert "{{" not in text and "{%" not in text
    annex = pdf_text(files["annex-evidence.pdf"])
    for words in ("Anlage K1", "Schadensberechnung", "1.800,00 €", "SHA-256"):
        assert words in annex, words
    assert "Evidence report" in annex or "Beweisbericht" in annex   # the evidence domain's report follows
    assert filing.language == "de"


def test_complaint_in_english_for_another_court(db_session, store, showcase, court_recorded):
    _filing, files = generate(db_session, store, showcase["fr-escp"], "court")
    text = docx_text(files["complaint-en.docx"])
    assert "Statement of claim" in text and "Maison Lumière SARL" in text and "€1,200.00" in text


def test_generate_stores_files_with_their_hashes_and_audits(db_session, store, showcase):
    case = showcase["gb-ipec"]
    filing, _files = generate(db_session, store, case, "ipec-small-claims")
    for row in filing.files:
        data = store.read(row.file_sha256)
        assert hashlib.sha256(data).hexdigest() == row.file_sha256 and len(data) == row.size
        assert row.media_type == "application/pdf"
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "filing.generated",
                                                        AuditEvent.subject_id == filing.id)).one()
    assert event.case_id == case.id and event.details["route"] == "ipec-small-claims"
    assert services.filings_of(db_session, case.id)[0].id == filing.id


@pytest.mark.parametrize("key, route, words", [
    ("de-missing-postcode", "mahnverfahren", "The party has no postal code: add it on the party page."),
    ("gb-scotland", "ipec-small-claims", "The party is in Scotland"),
    ("dk-no-escp", "european-small-claims", "Denmark does not take part"),
])
def test_a_closed_route_is_refused_and_writes_nothing(db_session, store, showcase, key, route, words):
    before = (db_session.scalar(select(func.count()).select_from(Filing)),
              db_session.scalar(select(func.count()).select_from(FilingFile)))
    with pytest.raises(Refusal) as refused:
        services.generate(db_session, LAWYER, showcase[key], route, store=store, today=TODAY)
    assert words in str(refused.value) and "\n" not in str(refused.value)
    assert (db_session.scalar(select(func.count()).select_from(Filing)),
            db_session.scalar(select(func.count()).select_from(FilingFile))) == before


def test_without_a_court_recorded_form_a_and_the_complaint_are_refused(db_session, store, showcase):
    from caseapp.court import services as court

    case = showcase["fr-escp"]
    if court.court_case_of(db_session, case.id) is not None:     # the demo recorded one: the lawyer ends it
        court.end_court_case(db_session, LAWYER, case, reason="wrong court", today=TODAY)
    assert court.court_case_of(db_session, case.id) is None
    for route in ("european-small-claims", "court"):
        with pytest.raises(Refusal, match="No court recorded: record the court on the case's court section."):
            services.generate(db_session, LAWYER, case, route, store=store, today=TODAY)
    assert services.filings_of(db_session, case.id) == []


def test_an_unknown_route_is_refused(db_session, store, showcase):
    with pytest.raises(Refusal, match="is not a route for case"):
        services.generate(db_session, LAWYER, showcase["fr-escp"], "mahnverfahren", store=store, today=TODAY)


def test_personal_data_export_and_purge(db_session, store, showcase):
    """A party's export lists the filings on its cases; a purge past retention deletes them and
    names their files."""
    from caseapp.core.personal_data import CASE_FILE, DELETE, Expired
    from caseapp.filings import personal_data

    case = showcase["gb-ipec"]
    filing, _files = generate(db_session, store, case, "ipec-small-claims")
    data = personal_data.export(db_session, case.party_id)
    assert [row["id"] for row in data["filing"]] == [filing.id]
    assert all(set(f) == {"value", "source"} for f in data["filing"][0]["fields"].values())
    shas, filing_id = [f.file_sha256 for f in filing.files], filing.id
    gone = personal_data.purge(db_session, LAWYER, [Expired("filing", filing_id, DELETE, CASE_FILE, case.party_id,
                                                            tuple(shas))])
    assert gone == shas
    db_session.expire_all()
    assert db_session.get(Filing, filing_id) is None
    assert personal_data.export(db_session, case.party_id) == {}
