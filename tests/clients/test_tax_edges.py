"""VAT on our commission, edge by edge: which countries are in the EU, what a client's payout
statement says and cites for each treatment, the codes a statement stores, and the VAT IDs
refused (too long, unprintable, a Greek ID written with GR, another country's prefix)."""
from __future__ import annotations

import pytest

from caseapp.clients import tax
from caseapp.core.errors import InvalidInput

EU = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
      "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]


def _client(country, status="standard", vat_id=None):
    return type("C", (), {"country": country, "tax_status": status, "vat_id": vat_id})()


@pytest.mark.parametrize("country", EU)
def test_a_business_in_any_member_state_is_inside_the_eu(country):
    """Each of the 27 member states: a business there with a VAT ID pays no German VAT by the
    reverse charge (or, in Germany, 19%): never the 'outside the EU' treatment."""
    treatment = tax.vat_treatment(_client(country, vat_id=f"{tax.vat_prefix(country)}123"))
    assert treatment.code == (tax.GERMAN_VAT if country == "DE" else tax.REVERSE_CHARGE)
    assert treatment.commission_vat_bp == (1900 if country == "DE" else 0)


def test_the_member_states_are_exactly_the_27():
    assert tax.EU_MEMBER_STATES == frozenset(EU)


@pytest.mark.parametrize("country", ["GB", "CH", "NO", "US", "EL", "TR"])
def test_a_client_outside_the_eu_pays_no_german_vat_whatever_its_status(country):
    """Outside the EU (the UK since 2021, Switzerland, Norway; 'EL' is no country code, only
    Greece's VAT prefix): the place of supply is the client's country, for a private person too."""
    for status in ("standard", "private", "small_business"):
        treatment = tax.vat_treatment(_client(country, status))
        assert treatment.code == tax.NON_EU and treatment.commission_vat_bp == 0
        assert treatment.words == (f"Outside the EU ({country}): no German VAT on our commission; the client "
                                   "accounts for any tax in its own country.")
        assert treatment.basis == "§ 3a(2) and (4) UStG (place of supply: the client's country)"


def test_a_german_small_business_is_under_paragraph_19_and_pays_19_percent_on_our_commission():
    treatment = tax.vat_treatment(_client("DE", "small_business", "DE136695976"))
    assert (treatment.code, treatment.basis, treatment.commission_vat_bp) == (tax.SMALL_BUSINESS, "§ 19 UStG", 1900)
    assert treatment.words == "Small business: no VAT on the client's share; German VAT of 19% on our commission."


def test_a_small_business_elsewhere_in_the_eu_is_under_the_eu_sme_scheme_even_with_a_vat_id():
    """Its exemption covers its own sales: no reverse charge on what it buys from us."""
    treatment = tax.vat_treatment(_client("AT", "small_business", "ATU13585627"))
    assert (treatment.code, treatment.commission_vat_bp) == (tax.SMALL_BUSINESS, 1900)
    assert treatment.basis == "Art. 284 VAT Directive 2006/112/EC (SME scheme, Directive (EU) 2020/285)"


@pytest.mark.parametrize("country", ["DE", "FR"])
def test_a_private_person_in_the_eu_pays_german_vat_on_our_commission(country):
    """A VAT ID on file does not make a private person a business (no reverse charge)."""
    treatment = tax.vat_treatment(_client(country, "private", "FR40303265045"))
    assert (treatment.code, treatment.commission_vat_bp) == (tax.PRIVATE, 1900)
    assert treatment.words == ("Private person: no VAT on the client's share; German VAT of 19% on our "
                               "commission.")
    assert treatment.basis == "§ 2 UStG (not a business); § 12(1) UStG"


def test_a_german_business_pays_19_percent_with_or_without_a_vat_id():
    for vat_id in ("DE136695976", None):
        treatment = tax.vat_treatment(_client("DE", "standard", vat_id))
        assert (treatment.code, treatment.commission_vat_bp) == (tax.GERMAN_VAT, 1900)
        assert treatment.words == ("German business: German VAT of 19% on our commission; none on the client's "
                                   "share (damages for an infringement are not a taxable supply).")
        assert treatment.basis == "§ 12(1) UStG; damages not taxable: BGH I ZR 42/06, BFH V R 58/97"


def test_an_eu_business_with_a_vat_id_is_reverse_charged_and_the_statement_names_the_id():
    treatment = tax.vat_treatment(_client("AT", "standard", "ATU13585627"))
    assert treatment.words == ("Reverse charge: a business in AT with VAT ID ATU13585627; no German VAT, the "
                               "client accounts for it.")
    assert treatment.basis == "Art. 196 VAT Directive 2006/112/EC"
    assert treatment.as_data() == {"code": "reverse_charge", "words": treatment.words, "basis": treatment.basis,
                                   "commission_vat_percent": 0}


def test_an_eu_business_without_a_vat_id_pays_german_vat_until_it_gives_one():
    for vat_id in (None, ""):
        treatment = tax.vat_treatment(_client("AT", "standard", vat_id))
        assert (treatment.code, treatment.commission_vat_bp) == (tax.GERMAN_VAT, 1900)
        assert treatment.words == ("A business in AT without a VAT ID: German VAT of 19% on our commission until "
                                   "it gives one (reverse charge needs a valid VAT ID).")
        assert treatment.basis == "§ 12(1) UStG; Art. 196 VAT Directive 2006/112/EC needs a VAT ID"
        assert treatment.as_data()["commission_vat_percent"] == 19


def test_the_codes_a_statement_stores_and_their_words_on_the_batch_page():
    """The codes are stored with each payout statement: renaming one would orphan old statements."""
    assert (tax.REVERSE_CHARGE, tax.SMALL_BUSINESS, tax.PRIVATE, tax.GERMAN_VAT, tax.NON_EU) == (
        "reverse_charge", "small_business", "private", "german_vat", "non_eu")
    assert tax.VAT_CODE_WORDS == {
        "reverse_charge": "reverse charge, no German VAT", "small_business": "small business, 19% on our commission",
        "private": "private person, 19% on our commission", "german_vat": "19% German VAT on our commission",
        "non_eu": "outside the EU, no German VAT"}
    assert tax.TAX_STATUS_WORDS == {"private": "private person (no VAT)",
                                    "small_business": "small business (exempt from VAT)",
                                    "standard": "business charging VAT"}


def test_greek_vat_ids_start_with_el_every_other_with_the_country_code():
    assert [tax.vat_prefix(c) for c in ("GR", "DE", "AT")] == ["EL", "DE", "AT"]


def test_no_vat_id_typed_is_none():
    assert tax.clean_vat_id(None, "DE") is None
    assert tax.clean_vat_id("   ", "DE") is None
    assert tax.clean_vat_id(None, "CH") is None          # nothing typed: no refusal outside the EU either


def test_a_vat_id_of_40_characters_is_read_one_of_41_is_refused():
    """The edge of the length check: 40 characters typed (spaces between the groups) are
    compacted and checked; 41 are refused before python-stdnum sees them."""
    forty = "DE" + " " * 29 + "136695976"
    assert len(forty) == 40 and tax.clean_vat_id(forty, "DE") == "DE136695976"
    forty_one = "DE" + " " * 30 + "136695976"
    with pytest.raises(InvalidInput) as refused:
        tax.clean_vat_id(forty_one, "DE")
    assert str(refused.value) == ("VAT ID: 'DE" + " " * 28 + "'… is not a VAT ID: write the country prefix and the "
                                  "number, e.g. DE136695976.")


def test_a_vat_id_with_a_control_character_inside_is_refused():
    with pytest.raises(InvalidInput, match="is not a VAT ID: write the country prefix"):
        tax.clean_vat_id("DE136\t695976", "DE")


def test_a_vat_id_for_a_client_outside_the_eu_is_refused_naming_its_country():
    with pytest.raises(InvalidInput) as refused:
        tax.clean_vat_id("CHE116281710", "CH")
    assert str(refused.value) == ("VAT ID: the client is in CH, outside the EU; only EU VAT IDs are recorded "
                                  "(leave the field empty).")


def test_another_countrys_vat_id_is_refused_with_the_prefix_expected():
    with pytest.raises(InvalidInput) as refused:
        tax.clean_vat_id("ATU13585627", "DE")
    assert str(refused.value) == ("VAT ID: 'ATU13585627' does not start with DE, the prefix of the client's country "
                                  "DE. Check the number or the client's country.")


def test_an_unknown_prefix_is_refused_as_not_the_clients_country():
    """python-stdnum cannot compact 'xx123' (no such country): it is refused for its prefix."""
    with pytest.raises(InvalidInput, match="does not start with DE, the prefix of the client's country DE"):
        tax.clean_vat_id("xx123", "DE")


def test_a_greek_vat_id_written_with_gr_gets_the_hint_for_any_client():
    """Typed with GR (the country code), for a German client: the hint says Greek IDs start with EL."""
    with pytest.raises(InvalidInput, match=r"does not start with DE, .*country DE \(Greek VAT IDs start with EL, "
                                           r"not GR\)\. Check"):
        tax.clean_vat_id("gr094014201", "DE")


def test_a_greek_client_with_another_countrys_id_gets_the_hint():
    with pytest.raises(InvalidInput, match=r"does not start with EL, .*country GR \(Greek VAT IDs start with EL, "
                                           r"not GR\)"):
        tax.clean_vat_id("DE136695976", "GR")


def test_no_greek_hint_when_neither_the_id_nor_the_client_is_greek():
    with pytest.raises(InvalidInput) as refused:
        tax.clean_vat_id("ATU13585627", "DE")
    assert "Greek" not in str(refused.value)


def test_an_invalid_number_is_refused_naming_where_to_copy_it_from():
    with pytest.raises(InvalidInput) as refused:
        tax.clean_vat_id("de 136 695 977", "DE")
    assert str(refused.value) == ("VAT ID: 'de 136 695 977' is not a valid DE VAT ID (its check digits or length are "
                                  "wrong). Copy it from the client's invoice or the VIES check.")
