"""The address lookup over realistic sites on 127.0.0.1: the address and its source, the VAT ID,
the register number, the phone, the commercial verdict and its reasons."""
from __future__ import annotations

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.parties.lookup import commercial
from caseapp.parties.lookup.chain import lookup
from caseapp.parties.lookup.pages import Fetcher
from tests.parties import sites


def url(port, host, path="/"):
    return f"http://{host}:{port}{path}"


def test_german_shop_impressum(web, fetcher, rdap_bootstrap):
    found = lookup(url(web, "foto-mueller.de"), fetcher=fetcher)
    chosen = found.chosen
    assert chosen.source == "legal_notice" and chosen.confidence == 90
    assert chosen.source_url == url(web, "foto-mueller.de", "/impressum")
    assert chosen.fields == {"name": "Foto Müller GmbH", "street": "Hauptstr. 1", "postal_code": "10115",
                             "city": "Berlin", "country": "DE", "email": "info@foto-mueller.de",
                             "phone": "+49301234567", "vat_id": "DE136695976",
                             "register_number": "Berlin (Charlottenburg) HRB 44343"}
    assert found.vat_ids == ["DE136695976"]
    assert found.register_numbers == ["Berlin (Charlottenburg) HRB 44343"]
    assert found.phones[0] == "+49301234567" and "+49301234568" not in found.phones   # the fax is not a phone
    # the domain's registration names another address: kept beside the Impressum's, not chosen
    rdap = [c for c in found.candidates if c.source == "rdap"]
    assert len(rdap) == 1 and rdap[0].confidence == 40 and rdap[0].fields["city"] == "Hamburg"
    assert rdap[0].fields["phone"] == "+49401234567"
    assert found.conflicting == rdap
    verdict = found.commercial
    assert verdict.verdict == "commercial"
    assert {r["signal"] for r in verdict.reasons} == {"vat_id", "register_number", "legal_form", "shop", "ads"}
    assert verdict.score == 40 + 40 + 30 + 30 + 20
    shop = next(r for r in verdict.reasons if r["signal"] == "shop")
    assert "warenkorb" in shop["detail"] and "29,90 €" in shop["detail"] and "Offer" in shop["detail"]


def test_french_blog_mentions_legales(web, fetcher, no_rdap):
    found = lookup(url(web, "www.atelier-dupont.fr"), fetcher=fetcher)
    assert found.site == "atelier-dupont.fr"
    chosen = found.chosen
    assert chosen.source == "legal_notice" and chosen.source_url.endswith("/mentions-legales")
    assert (chosen.fields["name"], chosen.fields["street"], chosen.fields["postal_code"], chosen.fields["city"],
            chosen.fields["country"]) == ("Atelier Dupont SARL", "12 rue de la Paix", "75002", "Paris", "FR")
    assert found.vat_ids == ["FR40303265045"]
    assert found.register_numbers == ["RCS Nancy B 323159715"]
    assert found.phones == ["+33142685300"]
    assert found.commercial.verdict == "commercial"
    assert any("no RDAP bootstrap" in note for note in found.notes)


def test_spanish_company_aviso_legal(web, fetcher, no_rdap):
    found = lookup(url(web, "construcciones-garcia.es"), fetcher=fetcher)
    chosen = found.chosen
    assert chosen.source == "legal_notice" and chosen.source_url.endswith("/aviso-legal")
    assert (chosen.fields["name"], chosen.fields["street"], chosen.fields["postal_code"], chosen.fields["city"],
            chosen.fields["country"]) == ("Construcciones García S.L.", "Calle Mayor 10", "28013", "Madrid", "ES")
    assert found.vat_ids == ["ESB58378431"]
    assert found.register_numbers == ["NIF B58378431"]
    assert found.phones == ["+34912345678"]
    assert {r["signal"] for r in found.commercial.reasons} == {"vat_id", "register_number", "legal_form"}


def test_us_company_json_ld(web, fetcher, rdap_bootstrap):
    found = lookup(url(web, "acme-photo.com"), fetcher=fetcher)
    chosen = found.chosen
    assert chosen.source == "structured_data" and chosen.confidence == 70
    assert chosen.fields == {"name": "Acme Photo LLC", "street": "1 Market St", "postal_code": "94105",
                             "city": "San Francisco", "country": "US", "email": "hello@acme-photo.com",
                             "phone": "+14155550132"}
    assert [c.source for c in found.candidates] == ["structured_data"]   # the registration is redacted
    assert found.vat_ids == [] and found.phones == ["+14155550132"]
    verdict = found.commercial
    assert (verdict.verdict, verdict.score) == ("unknown", 45)            # LLC + an affiliate link: below 50
    assert {r["signal"] for r in verdict.reasons} == {"legal_form", "affiliate"}


def test_private_blog_has_no_address(web, fetcher, no_rdap):
    found = lookup(url(web, "wanderblog.de"), fetcher=fetcher)
    assert found.candidates == [] and found.chosen is None
    assert found.vat_ids == found.register_numbers == found.phones == []
    assert found.commercial.verdict == "private"
    assert [r["signal"] for r in found.commercial.reasons] == ["private_site"]


def test_a_redirect_is_followed_to_the_site_it_names(web, fetcher, no_rdap):
    found = lookup(url(web, "old-shop.de"), fetcher=fetcher)
    assert found.final_url == url(web, "foto-mueller.de") and found.site == "foto-mueller.de"
    assert found.chosen.fields["city"] == "Berlin"


def test_a_site_that_is_down_is_one_clear_refusal(fetcher, no_rdap):
    with pytest.raises(InvalidInput, match=r"could not fetch http://127\.0\.0\.1:\d+/: .*refused"):
        lookup(f"http://127.0.0.1:{sites.closed_port()}/", fetcher=fetcher)


def test_a_private_address_is_refused_without_permission(web, no_rdap):
    with pytest.raises(InvalidInput, match="private or local address"):
        lookup(f"http://127.0.0.1:{web}/", fetcher=Fetcher())


def test_rdap_goes_through_the_safe_fetcher(web, rdap_bootstrap):
    """Without 127.0.0.1 allowed, the RDAP server's address is refused like any other."""
    from caseapp.parties.lookup import rdap

    with pytest.raises(InvalidInput, match="private or local address"):
        rdap.candidates("foto-mueller.de")
    assert rdap.candidates("foto-mueller.de", allow={"127.0.0.1"})[0].fields["postal_code"] == "20095"
    with pytest.raises(InvalidInput, match="knows no domain"):
        rdap.candidates("unknown-site.de", allow={"127.0.0.1"})


@pytest.mark.parametrize("score, private_sign, verdict", [
    (50, False, "commercial"), (49, False, "unknown"), (49, True, "unknown"), (11, True, "unknown"),
    (10, True, "private"), (10, False, "unknown"), (-20, True, "private"), (0, False, "unknown"),
    (60, True, "commercial")])
def test_verdict_thresholds_on_both_sides(score, private_sign, verdict):
    assert commercial.decide(score, private_sign) == verdict


def test_a_broken_bootstrap_file_means_no_rdap_not_a_crash(tmp_path, no_rdap):
    from caseapp.parties.lookup import rdap

    broken = tmp_path / "rdap-bootstrap.json"
    broken.write_text("{not json")
    assert rdap.load_bootstrap(broken) is False and rdap.load_bootstrap(tmp_path / "none.json") is False
    with pytest.raises(InvalidInput, match="no RDAP bootstrap"):
        rdap.candidates("foto-mueller.de")


def test_the_home_pages_own_footer_when_no_legal_notice_page_has_an_address(web, fetcher, no_rdap):
    found = lookup(url(web, "fotografia-rossi.it"), fetcher=fetcher)
    chosen = found.chosen
    assert (chosen.source, chosen.confidence, chosen.source_url) == ("legal_notice", 80, url(web, "fotografia-rossi.it"))
    assert (chosen.fields["name"], chosen.fields["street"], chosen.fields["postal_code"], chosen.fields["city"],
            chosen.fields["country"]) == ("Fotografia Rossi S.r.l.", "Via Roma 12", "20121", "Milano", "IT")
    assert found.vat_ids == ["IT00743110157"] and found.phones == ["+390212345678"]


def test_a_redirect_to_a_refused_address_is_refused(web, fetcher, no_rdap):
    with pytest.raises(InvalidInput, match="cannot fetch from 127.0.0.2: it is a private or local address"):
        lookup(url(web, "old-shop.de", "/evil"), fetcher=fetcher)


def test_a_site_without_https_is_read_over_http_and_says_so(web, fetcher, no_rdap):
    found = lookup(f"https://foto-mueller.de:{web}/", fetcher=fetcher)     # the test server speaks HTTP only
    assert found.chosen.source_url == url(web, "foto-mueller.de", "/impressum")
    assert found.notes[0].startswith(f"https://foto-mueller.de:{web}/: no answer over HTTPS")


def test_a_site_down_on_both_keeps_the_https_reason(fetcher, no_rdap):
    with pytest.raises(InvalidInput, match=r"could not fetch https://127\.0\.0\.1:\d+/: .*refused"):
        lookup(f"https://127.0.0.1:{sites.closed_port()}/", fetcher=fetcher)
