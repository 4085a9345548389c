"""Worked examples of each kind of rule: limitation, routes and caps, minimum, address,
commercial use, expected value."""
from __future__ import annotations

from datetime import date

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.feasibility.rules import jurisdiction
from caseapp.feasibility.services import assess, convert, limitation_ends

TODAY = date(2026, 11, 22)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def usd(text: str) -> Money:
    return Money.parse(text, "USD")


def test_german_limitation_runs_to_the_end_of_the_third_year_after_knowledge():
    de = jurisdiction("DE")
    assert limitation_ends(de, infringed_on=date(2025, 11, 2), known_on=date(2026, 3, 5)) == date(2029, 12, 31)
    result = assess("DE", amount=eur("450.00"), commercial=True, address=True, infringed_on=date(2025, 11, 2),
                    known_on=date(2026, 3, 5), today=TODAY)
    assert result.feasible and result.reasons == [] and result.limitation_ends == date(2029, 12, 31)
    assert result.route == "mahnverfahren"


@pytest.mark.parametrize("code, infringed, known, ends", [
    ("AT", date(2026, 1, 10), date(2026, 3, 5), date(2029, 3, 5)),       # 3 years from knowledge
    ("GB", date(2020, 2, 29), None, date(2026, 2, 28)),                  # 6 years from the act (leap day)
    ("SK", date(2024, 1, 1), date(2025, 6, 1), date(2027, 1, 1)),       # 2 from knowledge, 3 at most
])
def test_limitation_counted_as_each_country_counts_it(code, infringed, known, ends):
    assert limitation_ends(jurisdiction(code), infringed_on=infringed, known_on=known) == ends


def test_a_time_barred_claim():
    result = assess("GB", amount=Money.parse("900.00", "GBP"), commercial=True, address=True,
                    infringed_on=date(2019, 5, 1), today=TODAY)
    assert not result.feasible and [(r.code, r.params["ended"]) for r in result.reasons] == [
        ("time_barred", date(2025, 5, 1))]
    assert "time-barred: the 6-year limitation ended on 2025-05-01" in str(result.reasons[0])


def test_the_copyright_claims_board_caps_by_registration():
    common = dict(commercial=True, address=True, infringed_on=date(2026, 3, 1), today=TODAY)
    timely = assess("US", amount=usd("20000.00"), us_registered_on=date(2025, 1, 10), **common)
    assert timely.feasible and timely.route == "ccb" and timely.recoverable == usd("15000.00")
    late = assess("US", amount=usd("20000.00"), us_registered_on=date(2026, 6, 1), **common)
    assert late.feasible and late.route == "ccb" and late.recoverable == usd("7500.00")
    assert [n.code for n in late.notes] == ["registered_late_grace", "capped"]
    assert "17 U.S.C. § 412" in str(late.notes[0]) and "within 3 months" in str(late.notes[0])
    assert late.notes[1].params["cap"] == usd("7500.00")
    three_works = assess("US", amount=usd("28000.00"), us_registered_on=date(2026, 6, 1), works=3, **common)
    assert three_works.recoverable == usd("15000.00")     # $7,500 a work, $15,000 in all
    unregistered = assess("US", amount=usd("20000.00"), **common)
    assert not unregistered.feasible and unregistered.route == "out-of-court"
    assert [r.code for r in unregistered.reasons] == ["not_registered"]
    assert "not registered" in str(unregistered.reasons[0]) and "§§ 411(a)" in str(unregistered.reasons[0])
    too_big = assess("US", amount=usd("45000.00"), us_registered_on=date(2025, 1, 10), **common)
    assert too_big.route == "federal-court"


def test_a_claim_below_the_countrys_minimum():
    result = assess("DE", amount=eur("100.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                    today=TODAY)
    assert not result.feasible and [r.code for r in result.reasons] == ["below_minimum"]
    assert result.reasons[0].params["minimum"] == eur("150.00")
    assert str(result.reasons[0]) == "below the minimum claim in Germany: €100.00 is under €150.00"
    # the minimum is in euros; a claim in another currency is converted
    assert convert(eur("300.00"), "USD") == usd("324.00")
    us = assess("US", amount=usd("250.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                us_registered_on=date(2025, 1, 1), today=TODAY)
    assert "below_minimum" in [r.code for r in us.reasons]


def test_an_unknown_or_missing_address():
    missing = assess("FR", amount=eur("600.00"), commercial=True, address=False, infringed_on=date(2026, 5, 1),
                     today=TODAY)
    assert not missing.feasible and [r.code for r in missing.reasons] == ["no_address"]
    unknown = assess("FR", amount=eur("600.00"), commercial=True, address=None, infringed_on=date(2026, 5, 1),
                     today=TODAY)
    assert unknown.feasible and "address_unchecked" in [n.code for n in unknown.notes]
    assert unknown.route == "european-small-claims"


def test_a_non_commercial_site():
    result = assess("NL", amount=eur("600.00"), commercial=False, address=True, infringed_on=date(2026, 5, 1),
                    today=TODAY)
    assert not result.feasible and [r.code for r in result.reasons] == ["not_commercial"]
    assert result.expected_value == eur("0.00")


def test_countries_not_enforced_or_unknown():
    russia = assess("RU", amount=Money.parse("90000.00", "RUB"), commercial=True, address=True,
                    infringed_on=date(2026, 5, 1), today=TODAY)
    assert not russia.feasible and "not enforceable in Russia" in str(russia.reasons[0])
    nowhere = assess("ZZ", amount=eur("600.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                     today=TODAY)
    assert not nowhere.feasible and nowhere.reasons[0].code == "no_rules" and "no rules for country ZZ" in str(nowhere.reasons[0])


def test_expected_value_is_shown_with_the_figures_it_used():
    result = assess("DE", amount=eur("1000.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                    today=TODAY)
    # 1,000 x 65% - 40 letters - 36 Mahnverfahren x 15%
    assert result.expected_value == eur("604.60")
    labels = [f.label for f in result.figures]
    assert "probability of collecting" in labels and any(l.startswith("expected value =") for l in labels)
    assert all(f.source for f in result.figures)


def test_letters_only_countries_and_the_court_limit():
    china = assess("CN", amount=Money.parse("8000.00", "CNY"), commercial=True, address=True,
                   infringed_on=date(2026, 5, 1), today=TODAY)
    assert china.feasible and china.route == "out-of-court" and "letters only" in china.route_name
    big = assess("IT", amount=eur("7000.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                 today=TODAY)
    assert big.route != "european-small-claims" and any(n.code == "route_limit" and n.params["limit"] == eur("5000.00")
                                                  for n in big.notes)
    assert "only up to €5,000.00" in "; ".join(map(str, big.notes))


def test_known_before_infringed_is_refused():
    with pytest.raises(InvalidInput, match="cannot be before"):
        assess("DE", amount=eur("450.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
               known_on=date(2026, 4, 1), today=TODAY)


def test_the_holiday_calendar_of_the_state():
    nrw = assess("DE", subdivision="nw", amount=eur("450.00"), commercial=True, address=True,
                 infringed_on=date(2026, 5, 1), today=TODAY)
    assert nrw.figures[0].value == "DE-NW"
    default = assess("DE", amount=eur("450.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                     today=TODAY)
    assert default.figures[0].value == "DE-BE (default)"
    with pytest.raises(InvalidInput, match="'XX' is not a state or region of Germany.*BW"):
        assess("DE", subdivision="XX", amount=eur("450.00"), commercial=True, address=True,
               infringed_on=date(2026, 5, 1), today=TODAY)
