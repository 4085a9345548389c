"""VAT IDs (python-stdnum) and each client's VAT treatment, on both sides of each edge."""
from __future__ import annotations

import pytest

from caseapp.clients import services, tax
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput

ACTOR = Actor.system("test")


@pytest.mark.parametrize("typed, country, kept", [
    ("DE 136 695 976", "DE", "DE136695976"), ("atu13585627", "AT", "ATU13585627"),
    ("EL094014201", "GR", "EL094014201"), ("", "DE", None)])
def test_a_valid_vat_id_is_kept_compact(typed, country, kept):
    assert tax.clean_vat_id(typed, country) == kept


@pytest.mark.parametrize("typed, country, words", [
    ("DE136695977", "DE", "not a valid DE VAT ID"),           # a check digit off by one
    ("ATU13585627", "DE", "does not start with DE"),           # valid, but Austrian
    ("GR094014201", "GR", "Greek VAT IDs start with EL"),     # Greece is EL in VAT IDs
    ("CHE116281710", "CH", "outside the EU"),
])
def test_a_wrong_vat_id_is_refused_naming_the_field(typed, country, words):
    with pytest.raises(InvalidInput, match=words) as refused:
        tax.clean_vat_id(typed, country)
    assert str(refused.value).startswith("VAT ID:")


def test_the_service_checks_the_vat_id_against_the_country_it_will_have(db_session):
    client = services.add_client(db_session, ACTOR, name="Alpen Foto GmbH", country="AT", legal_form="company",
                                 tax_status="standard", vat_id="ATU 135 856 27")
    assert client.vat_id == "ATU13585627"
    with pytest.raises(InvalidInput, match="does not start with DE"):
        services.edit_client(db_session, ACTOR, client.id, seen_version=client.version, country="DE")
    services.edit_client(db_session, ACTOR, client.id, seen_version=client.version, country="DE",
                         vat_id="DE136695976")
    assert (client.country, client.vat_id) == ("DE", "DE136695976")


def test_a_company_is_no_private_person(db_session):
    with pytest.raises(InvalidInput, match="a company is not a private person"):
        services.add_client(db_session, ACTOR, name="X GmbH", country="DE", legal_form="company")


def _client(country, status, vat_id=None, form="company"):
    return type("C", (), {"country": country, "tax_status": status, "vat_id": vat_id, "legal_form": form})()


@pytest.mark.parametrize("client, code", [
    (_client("DE", "standard", "DE136695976"), tax.GERMAN_VAT),
    (_client("AT", "standard", "ATU13585627"), tax.REVERSE_CHARGE),
    (_client("AT", "standard", None), tax.GERMAN_VAT),              # no VAT ID: no reverse charge
    (_client("AT", "private", None, "person"), tax.PRIVATE),
    (_client("DE", "small_business"), tax.SMALL_BUSINESS),
    (_client("AT", "small_business"), tax.SMALL_BUSINESS),
    (_client("CH", "standard"), tax.NON_EU),
    (_client("US", "private", None, "person"), tax.NON_EU),
])
def test_vat_treatment(client, code):
    treatment = tax.vat_treatment(client)
    assert treatment.code == code
    basis = {tax.REVERSE_CHARGE: "Art. 196 VAT Directive 2006/112/EC", tax.GERMAN_VAT: "§ 12(1) UStG"}
    if code in basis:
        assert basis[code] in treatment.basis
    if code == tax.SMALL_BUSINESS and client.country == "DE":
        assert treatment.basis == "§ 19 UStG"
    assert treatment.commission_vat_bp == (0 if code in (tax.REVERSE_CHARGE, tax.NON_EU) else 1900)
