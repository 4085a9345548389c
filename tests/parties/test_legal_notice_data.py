"""caseapp/parties/legal_notice.toml: every language of the jurisdiction data has link words
(or an explicit []), every postal-code pattern compiles with its groups, statutes cite a source;
and the numbers found in text are validated, not just matched."""
from __future__ import annotations

import re
import tomllib

import pytest

from caseapp.core.resources import folder
from caseapp.parties.lookup import notice, numbers


def test_every_language_of_the_jurisdictions_has_an_entry():
    languages = set()
    for path in folder("jurisdictions").glob("*.toml"):
        languages |= set(tomllib.loads(path.read_text()).get("languages", []))
    entries = notice.data()["languages"]
    assert languages and not languages - set(entries), f"no legal-notice words for {languages - set(entries)}"
    for code, entry in entries.items():
        assert {"notice", "contact", "paths"} <= set(entry), code
        assert all(path.startswith("/") for path in entry["paths"]), code


def test_postal_code_patterns_and_statutes():
    for country, pattern in notice.data()["postal_codes"].items():
        assert {"code", "city"} <= set(re.compile(pattern).groupindex), country
    for where, statute in notice.data()["statutes"].items():
        assert statute["law"] and statute["source"].startswith("http"), where
    assert "§ 5 DDG" in notice.data()["statutes"]["DE"]["law"]
    assert "art. 10" in notice.data()["statutes"]["ES"]["law"]
    assert "art. 6-III" in notice.data()["statutes"]["FR"]["law"]


def test_links_rank_the_legal_notice_first_and_stay_on_the_site():
    html = ('<a href="/kontakt">Kontakt</a><a href="https://shop.example.de/Impressum">IMPRESSUM</a>'
            '<a href="https://other.example/impressum">Impressum</a><a href="/note-legali">Note legali</a>'
            '<a href="/produkte">Produkte</a><a href="mailto:a@b.de">Impressum</a>')
    # shop.example.de is the same registered domain; other.example is not; mailto is no page
    assert notice.links(html, "https://www.example.de/") == [
        "https://shop.example.de/Impressum", "https://www.example.de/note-legali", "https://www.example.de/kontakt"]


@pytest.mark.parametrize("text, found", [
    ("USt-IdNr.: DE 136 695 976", ["DE136695976"]),
    ("USt-IdNr.: DE136695970", []),                         # checksum wrong: not a VAT ID
    ("P.IVA IT00743110157", ["IT00743110157"]), ("BTW NL004495445B01", ["NL004495445B01"]),
    ("UID ATU13585627", ["ATU13585627"]), ("VAT GB980780684", ["GB980780684"]),
])
def test_vat_ids_are_validated(text, found):
    assert numbers.vat_ids(text) == found


def test_register_numbers_are_validated():
    assert numbers.register_numbers("Amtsgericht Musterstadt HRB 1") == []      # no such court
    assert numbers.register_numbers("Amtsgericht München HRB 12345") == ["München HRB 12345"]
    assert numbers.register_numbers("RCS Nancy B 323 159 715") == ["RCS Nancy B 323159715"]
    assert numbers.register_numbers("RCS Nancy B 323 159 716") == []             # Luhn fails
    assert numbers.register_numbers("FN 122119m") == ["FN 122119m"]


def test_phones_in_e164_without_the_fax():
    assert numbers.phones("Tel. 030 1234567, Fax: 030 1234568", "DE") == ["+49301234567"]
    assert numbers.phones("12345", "DE") == []
    assert numbers.phone("+49.301234567", None) == "+49301234567"
    assert numbers.phone("not a phone", "DE") is None


@pytest.mark.parametrize("url, html, fields", [
    ("https://bergfoto.de/impressum",
     "<html lang=de><body><p>Impressum</p><p>Bergfoto UG (haftungsbeschränkt), Lindenweg 7, 80331 München</p>"
     "<p>E-Mail: post@bergfoto.de</p></body></html>",
     {"name": "Bergfoto UG (haftungsbeschränkt)", "street": "Lindenweg 7", "postal_code": "80331",
      "city": "München", "country": "DE", "email": "post@bergfoto.de"}),
    ("https://rossi.it/note-legali",
     "<html lang=it><body><p>Fotografia Rossi S.r.l.</p><p>Via Roma 12</p><p>20121 Milano (MI)</p>"
     "<p>P.IVA IT00743110157 - REA MI-1234567</p></body></html>",
     {"name": "Fotografia Rossi S.r.l.", "street": "Via Roma 12", "postal_code": "20121", "city": "Milano",
      "country": "IT", "vat_id": "IT00743110157", "register_number": "REA MI1234567"}),
    ("https://jansen.nl/colofon",
     "<html lang=nl><body><h1>Colofon</h1><p>Beeldbank Jansen B.V.<br>Keizersgracht 100<br>1015 AA Amsterdam</p>"
     "<p>KvK-nummer: 12345678 · BTW NL004495445B01</p></body></html>",
     {"name": "Beeldbank Jansen B.V.", "street": "Keizersgracht 100", "postal_code": "1015 AA",
      "city": "Amsterdam", "country": "NL", "vat_id": "NL004495445B01", "register_number": "KvK 12345678"}),
    ("https://pixel.co.uk/legal",
     "<html lang=en><body><h1>Legal notice</h1><p>Pixel Prints Ltd<br>10 Downing Road<br>London SW1A 2AA</p>"
     "<p>Company No. 01234567. VAT GB980780684</p></body></html>",
     {"name": "Pixel Prints Ltd", "street": "10 Downing Road", "postal_code": "SW1A 2AA", "city": "London",
      "country": "GB", "vat_id": "GB980780684", "register_number": "Company No. 01234567"}),
    ("https://alpenbild.at/impressum",
     "<html lang=de><body><p>Alpenbild GmbH<br>Mariahilfer Straße 1<br>A-1060 Wien<br>Österreich</p>"
     "<p>FN 122119m, Handelsgericht Wien · UID ATU13585627</p></body></html>",
     {"name": "Alpenbild GmbH", "street": "Mariahilfer Straße 1", "postal_code": "1060", "city": "Wien",
      "country": "AT", "vat_id": "ATU13585627", "register_number": "FN 122119m"}),
])
def test_legal_notices_of_more_countries(url, html, fields):
    found, _ = notice.candidate_from(url, html)
    assert found.fields == fields


def test_a_page_without_a_postal_address_gives_no_candidate():
    found, text = notice.candidate_from("https://blog.de/kontakt", "<html><body><p>Schreib mir: a@b.de</p></body></html>")
    assert found is None and "a@b.de" in text


def test_the_hosts_address_is_not_the_providers():
    """LCEN art. 6-III makes a French site name its host; a German Impressum often names a data
    protection officer. Their addresses come first on some pages and are not the party's."""
    html = ("<html lang=fr><body><h1>Mentions légales</h1>"
            "<p>Hébergeur : OVH SAS, 2 rue Kellermann, 59100 Roubaix</p>"
            "<p>Éditeur : Atelier Dupont SARL</p><p>Siège social : 12 rue de la Paix, 75002 Paris</p></body></html>")
    found, _ = notice.candidate_from("https://atelier-dupont.fr/mentions-legales", html)
    assert (found.fields["name"], found.fields["street"], found.fields["city"]) == \
        ("Atelier Dupont SARL", "12 rue de la Paix", "Paris")
    german = ("<html lang=de><body><h2>Datenschutzbeauftragter</h2><p>DSB Service GmbH<br>Ring 3<br>50667 Köln</p>"
              "<h2>Anbieter</h2><p>Foto Müller GmbH<br>Hauptstr. 1<br>10115 Berlin</p></body></html>")
    found, _ = notice.candidate_from("https://foto-mueller.de/impressum", german)
    assert (found.fields["name"], found.fields["city"]) == ("Foto Müller GmbH", "Berlin")
