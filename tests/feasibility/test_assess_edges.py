"""The edges of the feasibility rules, each on both sides: the last day of a limitation period
(for every country in the data) and the day after it, Germany's end-of-year rule, the long-stop
and the residual claim on their last day, Sweden's reach-back, the expected value at exactly 0
and one cent either side, the minimum claim, the route limits and the caps at the limit and one
cent over, and the dates refused at the edge of the range."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.feasibility.rules import jurisdiction, load
from caseapp.feasibility.services import (assess, assess_case, check_day, convert, first_estimate, holiday_calendar,
                                          limitation_ends, limitation_for, per_eur, timely_registered)

TODAY = date(2026, 11, 23)
INFRINGED, KNOWN = date(2023, 3, 15), date(2023, 6, 20)      # a Wednesday; a Tuesday


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def usd(text: str) -> Money:
    return Money.parse(text, "USD")


def gbp(text: str) -> Money:
    return Money.parse(text, "GBP")


def claim(country: str, amount: Money, **changes):
    args = dict(commercial=True, address=True, infringed_on=date(2026, 5, 1), today=TODAY)
    return assess(country, amount=amount, **{**args, **changes})


# --- the last day of the limitation period, country by country -----------------------------------------

# A use on Wed 15 March 2023, known on Tue 20 June 2023: the last day each country's file gives it
# (`[limitation] years` from `starts`; ends on a weekend move only where `end_moves_past` says so).
LAST_DAY = {
    "AE": date(2026, 6, 20), "AR": date(2026, 3, 15), "AU": date(2029, 3, 15),
    "AT": date(2026, 6, 22),    # 3 years from knowledge: Sat 20 June 2026, moved to Monday
    "BE": date(2028, 6, 20), "BG": date(2028, 6, 20), "BR": date(2026, 3, 15), "CA": date(2026, 6, 20),
    "CH": date(2026, 6, 20), "CN": date(2026, 6, 20), "CY": date(2029, 3, 15), "CZ": date(2026, 6, 20),
    "DE": date(2026, 12, 31),   # 3 years from the end of the year of knowledge (§§ 195, 199 BGB)
    "DK": date(2026, 6, 20), "EE": date(2026, 6, 20), "ES": date(2028, 6, 20), "FI": date(2026, 6, 20),
    "FR": date(2028, 6, 20), "GB": date(2029, 3, 15), "GR": date(2028, 6, 20), "HK": date(2029, 3, 15),
    "HR": date(2026, 6, 20), "HU": date(2028, 3, 15), "IE": date(2029, 3, 15), "IL": date(2030, 3, 15),
    "IN": date(2026, 3, 15), "IS": date(2027, 6, 20),    # a Sunday: Iceland's end does not move
    "IT": date(2028, 3, 15), "JP": date(2026, 6, 20), "KR": date(2026, 6, 20), "LT": date(2026, 6, 20),
    "LU": date(2053, 3, 15), "LV": date(2033, 3, 15), "MT": date(2025, 3, 15), "MX": date(2025, 3, 15),
    "NL": date(2028, 6, 20), "NO": date(2026, 6, 20), "NZ": date(2029, 3, 15), "PL": date(2026, 6, 20),
    "PT": date(2026, 6, 20), "RO": date(2026, 6, 20), "RU": date(2026, 6, 20), "SG": date(2029, 3, 15),
    "SI": date(2026, 6, 20), "SK": date(2025, 6, 20), "TR": date(2025, 6, 20), "UA": date(2026, 6, 20),
    "US": date(2026, 3, 16),    # 3 years from the act: Sun 15 March 2026, moved to Monday (FRCP 6(a))
    "ZA": date(2026, 6, 20),
}


def test_every_country_in_the_data_has_its_last_day_here():
    assert set(LAST_DAY) | {"SE"} == set(load()[0])     # Sweden: its reach-back decides (below)


@pytest.mark.parametrize("code", sorted(LAST_DAY))
def test_a_claim_is_in_time_on_the_last_day_of_its_limitation_and_not_on_the_day_after(code):
    last_day = LAST_DAY[code]
    assert limitation_ends(jurisdiction(code), infringed_on=INFRINGED, known_on=KNOWN) == last_day
    amount = Money.parse("1000000.00", jurisdiction(code).currency)
    on_it = claim(code, amount, infringed_on=INFRINGED, known_on=KNOWN, today=last_day)
    assert on_it.period.claimable_days == 1 and on_it.recoverable == amount
    assert not [r for r in on_it.reasons if r.code.startswith("time_barred")]
    after = claim(code, amount, infringed_on=INFRINGED, known_on=KNOWN, today=last_day + timedelta(days=1))
    assert after.period.claimable_days == 0
    if code == "DE":      # only the saved licence fee is left (§ 852 BGB)
        assert after.period.residual_days == 1 and [n.code for n in after.notes][0] == "residual_claim"
    else:
        assert not after.feasible
        assert [r.code for r in after.reasons if r.code.startswith("time_barred")] == ["time_barred"]
        assert after.recoverable == Money.zero(amount.currency)


def test_germanys_period_runs_to_the_end_of_the_year_the_client_learned_of_the_use():
    de = jurisdiction("DE")
    # learned on 31 Dec 2025: ends Sun 31 Dec 2028, New Year's Day, so Tue 2 Jan 2029 (§ 193 BGB)
    assert limitation_ends(de, infringed_on=date(2025, 6, 1), known_on=date(2025, 12, 31)) == date(2029, 1, 2)
    # learned a day later, on 1 Jan 2026: a whole year more
    assert limitation_ends(de, infringed_on=date(2025, 6, 1), known_on=date(2026, 1, 1)) == date(2029, 12, 31)
    # a use on 1 Jan 2026: still in time on Mon 31 Dec 2029, not on 1 Jan 2030
    common = dict(infringed_on=date(2026, 1, 1))
    on_it = claim("DE", eur("450.00"), today=date(2029, 12, 31), **common)
    assert on_it.feasible and on_it.period.claimable_days == 1 and on_it.limitation_ends == date(2029, 12, 31)
    after = claim("DE", eur("450.00"), today=date(2030, 1, 1), **common)
    assert after.period.claimable_days == 0 and after.period.residual_from == date(2026, 1, 1)
    assert after.limitation_ends == date(2036, 1, 1)      # what is left: the residual claim of that day


def test_the_long_stop_decides_only_when_it_ends_before_the_ordinary_period():
    de = jurisdiction("DE")
    # both end on 31 Dec 2029: the ordinary period (3 years), not the long-stop
    same_day = limitation_for(de, infringed_on=date(2019, 12, 31), known_on=date(2026, 6, 1))
    assert (same_day.ends, same_day.years, same_day.long_stop) == (date(2029, 12, 31), 3, False)
    # a day earlier: the 10-year long-stop ends first, on Sun 30 Dec 2029, moved to Monday
    earlier = limitation_for(de, infringed_on=date(2019, 12, 30), known_on=date(2026, 6, 1))
    assert (earlier.ends, earlier.years, earlier.long_stop) == (date(2029, 12, 31), 10, True)
    assert earlier.source == de.section("limitation")["absolute_source"]
    assert earlier.moved == ("Sun 30 December 2029 is a Sunday: the end moves to the next working day.",)


def test_the_long_stop_is_shown_as_such_with_the_move_of_its_end():
    ancient = claim("DE", eur("1200.00"), infringed_on=date(2015, 6, 1), known_on=date(2024, 5, 1))
    rule = jurisdiction("DE").section("limitation")
    figure = next(f for f in ancient.figures if f.label == "limitation")
    assert figure.value == ("10-year long-stop from the day of use: the claim for 2015-06-01 ends 2025-06-02 "
                            "(Sun 1 June 2025 is a Sunday: the end moves to the next working day.)")
    assert figure.source == f"{rule['absolute_source']}; {rule['end_source']}" and not figure.estimate
    assert [(r.code, r.params["years"], r.params["ended"]) for r in ancient.reasons] == [
        ("time_barred_long_stop", 10, date(2025, 6, 2))]


def test_the_residual_claim_on_its_last_day_and_the_day_after():
    # a use on 23 Nov 2016: its damages were barred at the end of 2019, the saved fee for 10 years
    last_day = claim("DE", eur("450.00"), infringed_on=date(2016, 11, 23))
    assert last_day.feasible and last_day.recoverable == eur("450.00")
    assert last_day.period.residual_days == 1 and last_day.limitation_ends == TODAY
    assert [n.code for n in last_day.notes] == ["residual_claim", "filed_by"]
    residual = last_day.notes[0].params
    assert (residual["value"], residual["days"], residual["since"], residual["years"]) == \
        (eur("450.00"), 1, date(2016, 11, 23), 10)
    day_after = claim("DE", eur("450.00"), infringed_on=date(2016, 11, 22))
    assert [(r.code, r.params["ended"]) for r in day_after.reasons] == [("time_barred", date(2019, 12, 31))]
    assert day_after.recoverable == eur("0.00") and day_after.period.residual_days == 0


def test_a_continuing_use_with_barred_and_residual_days_shows_each_share():
    going_on = claim("DE", eur("1200.00"), infringed_on=date(2019, 1, 10), last_seen=date(2026, 11, 1))
    figures = {f.label: f for f in going_on.figures}
    assert figures["limitation"].value == "3 years from end of year of knowledge: the claim for 2023-01-01 ends " \
                                          "2026-12-31"
    assert figures["claimable share of the use"].value == "1401 of 2853 days: €589.27"
    assert figures["claimable share of the use"].estimate
    residual = figures["residual claim: the saved licence fee for the barred days (at most)"]
    assert residual.value == "€610.73" and residual.estimate
    assert residual.source == jurisdiction("DE").section("limitation")["residual_source"]
    note = next(n for n in going_on.notes if n.code == "partly_time_barred")
    assert (note.params["before"], note.params["days"], note.params["of"], note.params["value"],
            note.params["years"]) == (date(2023, 1, 1), 1401, 2853, eur("589.27"), 3)
    assert going_on.recoverable == eur("1200.00")           # €589.27 + €610.73


@pytest.mark.parametrize("first, last, claimable_from, claimable_days", [
    (date(2020, 11, 21), date(2020, 11, 23), date(2020, 11, 21), 3),     # every day: no share
    (date(2020, 11, 19), date(2020, 11, 23), date(2020, 11, 21), 3),     # the first two days barred
    (date(2020, 11, 19), date(2020, 11, 21), date(2020, 11, 21), 1),     # only the last day left
])
def test_a_continuing_use_is_claimable_from_its_first_day_in_time(first, last, claimable_from, claimable_days):
    # England: the six years of 21 Nov 2020 end on Saturday, moved to Monday 23 Nov 2026 (today)
    result = claim("GB", gbp("900.00"), infringed_on=first, last_seen=last)
    assert result.period.claimable_from == claimable_from and result.period.claimable_days == claimable_days
    shares = [f for f in result.figures if f.label == "claimable share of the use"]
    partly = [n for n in result.notes if n.code == "partly_time_barred"]
    if claimable_from == first:
        assert not shares and not partly and result.recoverable == gbp("900.00")
    else:
        days = result.period.days
        share = gbp("900.00") * Fraction(claimable_days, days)
        assert result.recoverable == share and partly[0].params["value"] == share
        assert shares[0].value == f"{claimable_days} of {days} days: {share.format()}"


def test_a_use_wholly_before_the_period_is_barred():
    result = claim("GB", gbp("900.00"), infringed_on=date(2020, 11, 18), last_seen=date(2020, 11, 20))
    assert [r.code for r in result.reasons] == ["time_barred"] and result.period.claimable_from is None


def test_swedens_reach_back_on_its_last_day_and_the_day_after():
    # damages reach back 5 years from today (54 § URL): a use on 15 March 2023 until 15 March 2028
    common = dict(infringed_on=INFRINGED)
    on_it = claim("SE", Money.parse("40000.00", "SEK"), today=date(2028, 3, 15), **common)
    assert on_it.feasible and on_it.period.claimable_days == 1 and on_it.period.reach_back_from == INFRINGED
    after = claim("SE", Money.parse("40000.00", "SEK"), today=date(2028, 3, 16), **common)
    assert [r.code for r in after.reasons] == ["reach_back_barred"]
    assert after.reasons[0].params["since"] == date(2023, 3, 16) and after.reasons[0].params["years"] == 5


def test_a_barred_claim_is_not_also_called_too_small():
    old = claim("GB", gbp("10.00"), infringed_on=date(2019, 5, 1))
    assert [r.code for r in old.reasons] == ["time_barred"]
    swedish = claim("SE", Money.parse("10.00", "SEK"), infringed_on=date(2020, 6, 1), last_seen=date(2021, 6, 1))
    assert [r.code for r in swedish.reasons] == ["reach_back_barred"]


# --- the expected value: exactly 0, a cent under, a cent over ------------------------------------------

@pytest.mark.parametrize("letters, expected, feasible", [
    ("109.89", "0.01", True),      # €200 x 65% - costs - €134 x 15% = one cent
    ("109.90", "0.00", False),     # nothing to gain: not feasible
    ("109.91", "-0.01", False),    # a loss
])
def test_a_claim_whose_costs_eat_its_expected_value_is_not_feasible(monkeypatch, letters, expected, feasible):
    monkeypatch.setitem(jurisdiction("DE").data["costs"], "out_of_court", letters)
    result = claim("DE", eur("200.00"))
    assert result.feasible is feasible
    if feasible:
        assert result.reasons == [] and result.expected_value == eur(expected)
    else:
        assert [(r.code, r.params["expected"]) for r in result.reasons] == [("costs_outweigh", eur(expected))]
        assert result.expected_value == eur("0.00")
    shown = next(f for f in result.figures if f.label.startswith("expected value ="))
    assert shown.value == eur(expected).format()


def test_the_expected_value_and_its_figures():
    result = claim("DE", eur("200.00"))
    de = jurisdiction("DE")
    # €200 x 65% - €40 - (€38 + €96) x 15% = €69.90
    assert result.feasible and result.expected_value == eur("69.90") and result.recoverable == eur("200.00")
    assert [(f.label, f.value, f.estimate) for f in result.figures] == [
        ("holiday calendar for deadlines", "DE-BE (default)", False),
        ("limitation", "3 years from end of year of knowledge: the claim for 2026-05-01 ends 2029-12-31", False),
        ("minimum economic claim", "€150.00", True),
        ("probability of collecting", "65%", True),
        ("out-of-court costs (letters, handling)", "€40.00", True),
        ("Mahnverfahren (court dunning procedure, §§ 688 ff. ZPO): court fee + a registered debt collector "
         "(§ 10(1) no. 1 RDG) or a lawyer", "€134.00", True),
        ("probability the case goes to court", "15%", True),
        ("expected value = recoverable x collecting - costs - court costs x going to court", "€69.90", False)]
    assert [f.source for f in result.figures] == [
        "python-holidays", de.section("limitation")["source"], de.section("minimum_claim")["source"],
        de.section("enforcement")["source"], de.section("costs")["source"], de.routes[0].source,
        de.section("enforcement")["source"], "caseapp's formula"]
    assert result.as_dict() == {
        "feasible": True, "reasons": [], "route": "mahnverfahren", "expected_value": "69.90", "currency": "EUR",
        "limitation_ends": "2029-12-31", "country": "DE", "route_name": de.routes[0].name,
        "notes": [str(result.notes[0])], "reason_codes": [], "note_codes": ["filed_by"], "recoverable": "200.00",
        "use": {"first_day": "2026-05-01", "last_day": "2026-05-01", "days": 1, "claimable_days": 1,
                "claimable_from": "2026-05-01", "residual_days": 0},
        "figures": [{"label": f.label, "value": f.value, "source": f.source, "estimate": f.estimate}
                    for f in result.figures]}
    assert result.notes[0].params == {"route": de.routes[0].name, "who": de.routes[0].filed_by}


def test_letters_only_the_costs_of_letters_count():
    # China: no court route for the firm; 8,000 CNY x collecting - letters, nothing for a court
    china = claim("CN", Money.parse("8000.00", "CNY"))
    cn = jurisdiction("CN")
    letters = convert(cn.money("costs", "out_of_court"), "CNY")
    assert china.route == "out-of-court" and china.route_name == "letters only, no court route"
    assert china.expected_value == Money.parse("8000.00", "CNY") * cn.ratio("enforcement", "collect_probability") \
        - letters
    assert not any("going to court" in f.label and f.label.startswith("probability") for f in china.figures)
    russia = claim("RU", Money.parse("90000.00", "RUB"))
    assert russia.route_name == "none" and russia.expected_value == Money.zero("RUB")


# --- the minimum claim -------------------------------------------------------------------------------

def test_a_claim_of_exactly_the_minimum_is_pursued_a_cent_less_is_not():
    assert claim("DE", eur("150.00")).feasible
    below = claim("DE", eur("149.99"))
    assert [(r.code, r.params["amount"], r.params["minimum"]) for r in below.reasons] == [
        ("below_minimum", eur("149.99"), eur("150.00"))]


# --- route limits and caps: at the limit and one cent over ----------------------------------------------

def test_the_european_small_claims_limit():
    at_it = claim("FR", eur("5000.00"), client_country="DE")
    assert at_it.route == "european-small-claims" and "route_limit" not in [n.code for n in at_it.notes]
    over = claim("FR", eur("5000.01"), client_country="DE")
    assert over.route == "court"
    limit = next(n for n in over.notes if n.code == "route_limit")
    assert limit.params == {"route": at_it.route_name, "limit": eur("5000.00")}


def test_the_english_small_claims_track_limit():
    assert claim("GB", gbp("10000.00")).route == "ipec-small-claims"
    assert claim("GB", gbp("10000.01")).route == "ipec"


def test_a_route_limit_in_euros_for_a_claim_in_another_currency():
    # Poland's European Small Claims Procedure: €5,000, a claim in złoty converted at 4.3
    at_it = claim("PL", Money.parse("21500.00", "PLN"), client_country="DE")
    assert at_it.route == "european-small-claims"
    over = claim("PL", Money.parse("21500.05", "PLN"), client_country="DE")
    assert over.route != "european-small-claims" and "route_limit" in [n.code for n in over.notes]


def test_the_copyright_claims_board_cap_and_its_limit():
    registered = dict(infringed_on=date(2026, 3, 1), us_registered_on=date(2025, 1, 10))
    at_cap = claim("US", usd("15000.00"), **registered)
    assert at_cap.route == "ccb" and at_cap.recoverable == usd("15000.00")
    assert "capped" not in [n.code for n in at_cap.notes]
    cap = next(f for f in at_cap.figures if f.label == "cap at the Copyright Claims Board (CASE Act)")
    assert cap.value == "$15,000.00" and not cap.estimate
    over_cap = claim("US", usd("15000.01"), **registered)
    assert over_cap.recoverable == usd("15000.00")
    capped = next(n for n in over_cap.notes if n.code == "capped")
    assert capped.params == {"cap": usd("15000.00"), "route": "Copyright Claims Board (CASE Act)"}
    at_limit = claim("US", usd("30000.00"), **registered)
    assert at_limit.route == "ccb" and at_limit.recoverable == usd("15000.00")
    over_limit = claim("US", usd("30000.01"), **registered)
    assert over_limit.route == "federal-court" and over_limit.recoverable == usd("30000.01")
    assert not any(f.label.startswith("cap at") for f in over_limit.figures)


def test_registered_on_the_day_of_the_infringement_is_timely_a_day_later_is_not():
    on_the_day = claim("US", usd("10000.00"), infringed_on=date(2026, 3, 1), us_registered_on=date(2026, 3, 1))
    assert on_the_day.recoverable == usd("10000.00") and "registered_late_grace" not in \
        [n.code for n in on_the_day.notes]
    day_after = claim("US", usd("10000.00"), infringed_on=date(2026, 3, 1), us_registered_on=date(2026, 3, 2))
    assert day_after.recoverable == usd("7500.00") and "registered_late_grace" in [n.code for n in day_after.notes]
    assert timely_registered(date(2026, 3, 1), date(2026, 3, 1))
    assert not timely_registered(date(2026, 3, 2), date(2026, 3, 1)) and not timely_registered(None, date(2026, 3, 1))


def test_a_registration_or_application_dated_today_counts_tomorrow_does_not():
    us_work = dict(infringed_on=date(2026, 3, 1), work_country="US")
    registered_today = claim("US", usd("2000.00"), us_registered_on=TODAY, **us_work)
    assert registered_today.feasible and registered_today.route == "ccb"
    assert [n.code for n in registered_today.notes] == ["registered_late_grace"]
    applied_today = claim("US", usd("2000.00"), us_applied_on=TODAY, **us_work)
    assert applied_today.feasible and "application_pending" in [n.code for n in applied_today.notes]
    registered_tomorrow = claim("US", usd("2000.00"), us_registered_on=TODAY + timedelta(days=1), **us_work)
    assert [r.code for r in registered_tomorrow.reasons] == ["not_registered"]


# --- dates at the edge of the range -------------------------------------------------------------------

def test_dates_at_the_edges_of_the_range():
    check_day(date(1900, 1, 1), "a day")
    check_day(date(2200, 12, 31), "a day")
    check_day(TODAY, "a day", today=TODAY)
    check_day(None, "a day", today=TODAY)
    with pytest.raises(InvalidInput) as error:
        check_day(date(2201, 1, 1), "the US application date")
    assert str(error.value) == ("the US application date 2201-01-01 is out of range: give a date between "
                                "1900-01-01 and 2200-12-31.")
    with pytest.raises(InvalidInput) as error:
        check_day(TODAY + timedelta(days=1), "the first day of use", today=TODAY)
    assert str(error.value) == ("the first day of use 2026-11-24 is after today (2026-11-23): a use or its "
                                "discovery cannot be in the future.")


def test_a_last_sighting_before_the_first_day_is_refused_with_both_days():
    with pytest.raises(InvalidInput) as error:
        claim("DE", eur("450.00"), last_seen=date(2026, 4, 30))
    assert str(error.value) == ("The last day the use was seen (2026-04-30) cannot be before its first day "
                                "(2026-05-01).")
    same_day = claim("DE", eur("450.00"), last_seen=date(2026, 5, 1), known_on=date(2026, 5, 1))
    assert same_day.feasible and same_day.period.days == 1


def test_a_date_out_of_range_anywhere_is_refused():
    for field, message in [("today", "today 2201-01-01 is out of range"),
                           ("us_applied_on", "the US application date 2201-01-01 is out of range")]:
        with pytest.raises(InvalidInput, match=message):
            claim("DE", eur("450.00"), **{field: date(2201, 1, 1)})


# --- money across currencies -------------------------------------------------------------------------

def test_conversion_through_the_euro_with_each_currencys_minor_units():
    assert per_eur("EUR") == 1 and per_eur("JPY") == 165
    assert convert(eur("100.00"), "JPY") == Money.parse("16500", "JPY")
    assert convert(Money.parse("10000", "JPY"), "EUR") == eur("60.61")
    assert convert(eur("100.00"), "EUR") == eur("100.00")
    with pytest.raises(InvalidInput) as error:
        per_eur("XAU")
    assert str(error.value) == "No exchange rate for XAU: no country file uses it."


# --- a hit's first estimate -----------------------------------------------------------------------------

def test_a_sighting_stamped_after_today_counts_as_today():
    amount, result = first_estimate("DE", found_on=date(2026, 11, 20), last_seen_on=date(2026, 12, 5), today=TODAY)
    assert amount.days == 4 and result.period.last == TODAY
    amount, result = first_estimate("DE", found_on=date(2026, 12, 20), today=TODAY)
    assert amount.days == 1 and result.period.first == TODAY
    amount, result = first_estimate("DE", found_on=date(2026, 11, 20), last_seen_on=date(2026, 11, 1), today=TODAY)
    assert amount.days == 1 and result.period.last == date(2026, 11, 20)


def test_a_hits_region_counts_when_the_calendar_knows_it():
    for region, shown in [(None, "DE-BE (default)"), ("nw", "DE-NW"), ("XX", "DE-BE (default)")]:
        _, result = first_estimate("DE", found_on=date(2026, 11, 20), today=TODAY, subdivision=region)
        assert result.figures[0].value == shown


def test_a_hit_in_a_country_without_rules_has_no_amount_and_no_route():
    amount, result = first_estimate("ZZ", found_on=date(2026, 11, 20), today=TODAY)
    assert amount is None and result.as_dict() == {
        "feasible": False, "reasons": [str(result.reasons[0])], "route": "out-of-court", "expected_value": "0.00",
        "currency": "EUR", "limitation_ends": None, "country": "ZZ", "route_name": "none", "notes": [],
        "reason_codes": ["no_rules"], "note_codes": [], "recoverable": "0.00", "use": None, "figures": []}
    assert result.reasons[0].params == {"country": "ZZ"}


def test_the_holiday_calendar_figure():
    assert holiday_calendar(jurisdiction("FR"), None).value == "FR"
    assert holiday_calendar(jurisdiction("GB"), "sct").value == "GB-SCT"
    figure = holiday_calendar(jurisdiction("DE"), None)
    assert (figure.label, figure.value, figure.source, figure.estimate) == \
        ("holiday calendar for deadlines", "DE-BE (default)", "python-holidays", False)


# --- a case as it stands (built in memory: no database) ---------------------------------------------------

def _case(country="DE", *, items, client_country="DE", street="Hauptstr. 1", subdivision=None, claimed=45000,
          created=datetime(2026, 3, 1, 9, tzinfo=timezone.utc)):
    from caseapp.cases.models import Case, CaseItem
    from caseapp.clients.models import Client
    from caseapp.parties.models import Party

    case = Case(country=country, currency=jurisdiction(country).currency, claimed_minor=claimed, created_at=created)
    case.client = Client(country=client_country, pursues_private_users=False)
    case.party = Party(name="Example GmbH", country=country, street=street, city="Köln", subdivision=subdivision)
    case.items = [CaseItem(work_id=work, found_at=found, last_seen_at=seen) for work, found, seen in items]
    return case


def test_a_case_is_assessed_from_its_first_sighting_to_its_last():
    case = _case(items=[(1, datetime(2026, 5, 3, 10), None), (2, datetime(2026, 5, 1, 10), datetime(2026, 5, 7, 10)),
                        (3, None, None)])
    result = assess_case(case, TODAY)
    assert (result.period.first, result.period.last) == (date(2026, 5, 1), date(2026, 5, 7))
    assert result.feasible and result.amount == eur("450.00") and "commercial_unchecked" in [n.code for n in result.notes]


def test_a_case_sighting_ahead_of_today_counts_as_today():
    case = _case(items=[(1, datetime(2026, 11, 25, 10), datetime(2026, 11, 30, 10))])
    result = assess_case(case, TODAY)
    assert (result.period.first, result.period.last) == (TODAY, TODAY)


def test_a_case_without_sightings_counts_from_its_opening():
    result = assess_case(_case(items=[]), TODAY)
    assert (result.period.first, result.period.last) == (date(2026, 3, 1), date(2026, 3, 1))


def test_a_case_uses_its_partys_address_region_and_its_clients_country():
    found = [(1, datetime(2026, 5, 1, 10), None)]
    assert [r.code for r in assess_case(_case(items=found, street=None), TODAY).reasons] == ["no_address"]
    assert assess_case(_case(items=found, subdivision="NW"), TODAY).figures[0].value == "DE-NW"
    assert assess_case(_case(items=found, subdivision="ZZZ"), TODAY).figures[0].value == "DE-BE (default)"
    french = dict(items=found, claimed=80000)
    assert assess_case(_case("FR", client_country="DE", **french), TODAY).route == "european-small-claims"
    assert assess_case(_case("FR", client_country="FR", **french), TODAY).route == "court"


def test_a_case_sighting_without_a_first_day_still_extends_the_use():
    case = _case(items=[(1, datetime(2026, 5, 1, 10), None), (2, None, datetime(2026, 5, 9, 10))])
    assert assess_case(case, TODAY).period.last == date(2026, 5, 9)


def test_a_us_case_without_recorded_works_takes_the_clients_country_for_the_works():
    found = [(1, datetime(2026, 5, 1, 10), None)]
    german_client = assess_case(_case("US", client_country="DE", items=found, claimed=200000), TODAY)
    assert "not_registered" not in [r.code for r in german_client.reasons]
    assert "foreign_unregistered" in [n.code for n in german_client.notes]
    us_client = assess_case(_case("US", client_country="US", items=found, claimed=200000), TODAY)
    assert [r.code for r in us_client.reasons] == ["not_registered"]


@pytest.mark.parametrize("works, cap", [([1], "7500.00"), ([1, 2, 2], "15000.00"), ([], "7500.00")])
def test_a_us_cases_registration_and_number_of_works_set_the_boards_cap(monkeypatch, works, cap):
    """The works' registration (late: $7,500 a work, $15,000 in all) and the number of distinct works."""
    import sqlalchemy.orm

    from caseapp.clients import services as clients

    session, asked = object(), []

    def work_terms(given_session, work_ids, *, fallback_country=None):
        asked.append((given_session, list(work_ids), fallback_country))
        return clients.WorkTerms("US", date(2026, 6, 1), date(2026, 5, 20))

    monkeypatch.setattr(sqlalchemy.orm, "object_session", lambda case: session)
    monkeypatch.setattr(clients, "work_terms", work_terms)
    case = _case("US", client_country="DE", claimed=2000000,
                 items=[(work, datetime(2026, 5, 1, 10), None) for work in works])
    result = assess_case(case, TODAY)
    assert asked == [(session, works, "DE")]
    assert result.route == "ccb" and result.recoverable == usd(cap)
    assert "registered_late_grace" in [n.code for n in result.notes]
    assert "work_country_unknown" not in [n.code for n in result.notes]


def test_a_us_cases_pending_application_opens_the_board(monkeypatch):
    import sqlalchemy.orm

    from caseapp.clients import services as clients

    monkeypatch.setattr(sqlalchemy.orm, "object_session", lambda case: object())
    monkeypatch.setattr(clients, "work_terms", lambda session, ids, fallback_country=None:
                        clients.WorkTerms("US", None, date(2026, 5, 20)))
    result = assess_case(_case("US", client_country="US", claimed=200000,
                               items=[(1, datetime(2026, 5, 1, 10), None)]), TODAY)
    assert result.feasible and result.route == "ccb" and "application_pending" in [n.code for n in result.notes]


def test_a_hit_of_many_images_is_priced_for_each():
    amount, result = first_estimate("DE", found_on=date(2026, 11, 20), today=TODAY, images=3)
    assert amount.total == eur("112.50") and "x 3 images" in amount.lines[0].label     # 3 x €37.50


def test_the_limitation_end_moves_past_the_holidays_of_the_partys_state():
    # a 10-year long-stop ending on Corpus Christi, Thu 4 June 2026: a holiday in North Rhine-Westphalia only
    de = jurisdiction("DE")
    args = dict(infringed_on=date(2016, 6, 4), known_on=date(2024, 1, 1))
    assert limitation_ends(de, subdivision="NW", **args) == date(2026, 6, 5)
    assert limitation_ends(de, **args) == date(2026, 6, 4)


def test_a_barred_claim_as_the_contract_shows_it():
    barred = claim("GB", gbp("900.00"), infringed_on=date(2019, 5, 1))
    assert barred.as_dict()["use"] == {"first_day": "2019-05-01", "last_day": "2019-05-01", "days": 1,
                                       "claimable_days": 0, "claimable_from": None, "residual_days": 0}
    assert barred.as_dict()["limitation_ends"] == "2025-05-01" and barred.as_dict()["expected_value"] == "0.00"


# --- routes with caps built differently -----------------------------------------------------------------

def _board(**changes):
    from dataclasses import replace

    return replace(next(r for r in jurisdiction("US").routes if r.id == "ccb"), **changes)


def test_a_route_with_only_a_cap_for_timely_works_caps_them():
    from caseapp.feasibility.services import _cap, _Registration

    timely = _Registration(domestic=True, registered=True, applied=True, timely=True)
    route = _board(cap_per_work_not_timely=None, cap_total_not_timely=None)
    assert _cap(route, timely, 1, "USD") == usd("15000.00")
    assert _cap(_board(cap_per_work_timely=None, cap_per_work_not_timely=None), timely, 1, "USD") is None


def test_a_routes_claim_limit_caps_what_the_per_work_caps_would_allow():
    from caseapp.feasibility.services import _cap, _Registration

    timely = _Registration(domestic=True, registered=True, applied=True, timely=True)
    no_totals = _board(cap_total_timely=None, cap_total_not_timely=None)
    assert _cap(no_totals, timely, 3, "USD") == usd("30000.00")        # 3 x $15,000, at most $30,000 a claim
    assert _cap(_board(cap_total_timely=None, max_claim=None), timely, 3, "USD") == usd("45000.00")
    assert _cap(no_totals, timely, 1, "EUR") == convert(usd("15000.00"), "EUR")


def test_the_euro_is_one_euro_whatever_a_country_file_says(monkeypatch):
    monkeypatch.setitem(jurisdiction("AT").data["fees"], "per_eur", "2")
    assert per_eur("EUR") == 1 and convert(eur("10.00"), "EUR") == eur("10.00")


# --- the notes a route that is not open leaves ------------------------------------------------------------

def test_the_notes_name_the_route_that_is_not_open():
    unknown = claim("FR", eur("800.00"))
    note = next(n for n in unknown.notes if n.code == "cross_border_unknown")
    assert note.params == {"route": "European Small Claims Procedure (Reg. 861/2007)"}
    german_work = claim("US", usd("60000.00"), infringed_on=date(2026, 3, 1), work_country="DE")
    note = next(n for n in german_work.notes if n.code == "needs_application")
    assert note.params == {"route": "Copyright Claims Board (CASE Act)"}


# --- a hit's first estimate passes on what is known ------------------------------------------------------

def test_a_hits_estimate_is_assessed_on_its_own_amount():
    amount, result = first_estimate("DE", found_on=date(2025, 11, 2), last_seen_on=date(2026, 11, 1), today=TODAY,
                                    evidence="professional")
    assert result.amount == amount.total == eur("1300.00") and result.feasible


def test_a_hits_estimate_knows_the_address_the_client_and_the_works():
    no_address = first_estimate("DE", found_on=date(2025, 11, 2), last_seen_on=date(2026, 11, 1), today=TODAY,
                                evidence="professional", address=False)[1]
    assert [r.code for r in no_address.reasons] == ["no_address"]
    long_use = dict(found_on=date(2025, 11, 2), last_seen_on=date(2026, 11, 1), today=TODAY, evidence="professional")
    assert first_estimate("FR", client_country="DE", **long_use)[1].route == "european-small-claims"
    assert first_estimate("FR", **long_use)[1].route == "court"
    # the client's country stands in for the works': a German client's works are foreign in the US
    german = first_estimate("US", client_country="DE", **long_use)[1]
    assert "not_registered" not in [r.code for r in german.reasons]
    assert [r.code for r in first_estimate("US", client_country="US", **long_use)[1].reasons] == ["not_registered"]
    assert "not_registered" not in [r.code for r in first_estimate("US", client_country="US", work_country="DE",
                                                                   **long_use)[1].reasons]
    registered = first_estimate("US", client_country="US", us_registered_on=date(2025, 1, 1), **long_use)[1]
    assert registered.feasible and registered.route == "ccb"
    applied = first_estimate("US", client_country="US", us_applied_on=date(2026, 1, 1), **long_use)[1]
    assert applied.feasible and "application_pending" in [n.code for n in applied.notes]


def test_a_hits_images_are_the_works_the_boards_cap_counts():
    # 100 images, registered after the use began: $7,500 a work, $15,000 in all (not $7,500 for one work)
    amount, result = first_estimate("US", found_on=date(2025, 11, 2), last_seen_on=date(2026, 11, 1), today=TODAY,
                                    images=100, work_country="US", us_registered_on=date(2026, 1, 1))
    assert amount.total > usd("15000.00") and result.route == "ccb" and result.recoverable == usd("15000.00")


def test_a_hit_in_a_country_without_rules_ignores_the_region():
    amount, result = first_estimate("ZZ", found_on=date(2026, 11, 20), today=TODAY, subdivision="NW")
    assert amount is None and [r.code for r in result.reasons] == ["no_rules"]


# --- the residual claim next to the claimable days ---------------------------------------------------------

def test_the_day_before_the_first_claimable_day_is_a_residual_day():
    # a use from 31 Dec 2022 to 5 Jan 2023: the days of 2023 are claimable until the end of 2026, 31 Dec 2022
    # only as the saved licence fee
    result = claim("DE", eur("600.00"), infringed_on=date(2022, 12, 31), last_seen=date(2023, 1, 5))
    assert result.period.claimable_from == date(2023, 1, 1) and result.period.claimable_days == 5
    assert result.period.residual_from == date(2022, 12, 31) and result.period.residual_days == 1
    assert result.recoverable == eur("600.00")


@pytest.mark.parametrize("today", [date(2026, 11, 22), date(2026, 11, 23)])
def test_no_residual_days_where_only_the_moved_long_stop_keeps_a_day_claimable(today):
    # known late: the 10-year long-stop decides. The long-stop of 21 Nov 2016 ends Sat 21 Nov 2026, moved to
    # Monday (§ 193 BGB); the saved licence fee's 10 years do not move: the days before are wholly barred
    result = claim("DE", eur("600.00"), infringed_on=date(2016, 11, 15), last_seen=date(2016, 11, 25),
                   known_on=date(2024, 1, 1), today=today)
    assert result.period.claimable_from == date(2016, 11, 21)
    assert result.period.residual_days == 0 and "residual_claim" not in [n.code for n in result.notes]


def test_the_days_claimable_depend_on_the_partys_state():
    # the long-stop of 4 June 2016 ends on Corpus Christi 2026: moved in North Rhine-Westphalia only
    args = dict(infringed_on=date(2016, 6, 4), known_on=date(2024, 1, 1), today=date(2026, 6, 5))
    assert claim("DE", eur("600.00"), subdivision="NW", **args).period.claimable_days == 1
    assert claim("DE", eur("600.00"), **args).period.claimable_days == 0


def test_the_limitation_figure_shows_each_move_of_its_end_and_whether_it_is_an_estimate():
    result = claim("GB", gbp("900.00"), infringed_on=date(2020, 11, 21))
    figure = next(f for f in result.figures if f.label == "limitation")
    assert figure.value == ("6 years from infringement: the claim for 2020-11-21 ends 2026-11-23 (Sat 21 November "
                            "2026 is a Saturday: the end moves to the next working day. Sun 22 November 2026 is a "
                            "Sunday: the end moves to the next working day.)")
    assert not figure.estimate
    slovak = claim("SK", eur("900.00"), infringed_on=date(2026, 5, 1))          # SK's rule is an estimate
    assert next(f for f in slovak.figures if f.label == "limitation").estimate


def test_a_figure_without_a_source_on_file_has_none(monkeypatch):
    monkeypatch.delitem(jurisdiction("DE").data["costs"], "source")
    result = claim("DE", eur("200.00"))
    assert next(f for f in result.figures if f.label == "out-of-court costs (letters, handling)").source == ""


def test_swedens_reach_back_bar_names_its_source():
    old = claim("SE", Money.parse("40000.00", "SEK"), infringed_on=date(2020, 6, 1), last_seen=date(2021, 6, 1))
    assert old.reasons[0].params["source"] == jurisdiction("SE").section("limitation")["source"]


def test_the_limitation_shown_is_the_partys_states():
    args = dict(infringed_on=date(2016, 6, 4), known_on=date(2024, 1, 1), today=date(2026, 6, 5))
    assert claim("DE", eur("600.00"), subdivision="NW", **args).limitation_ends == date(2026, 6, 5)
    early = dict(args, today=date(2026, 6, 1))
    assert claim("DE", eur("600.00"), subdivision="NW", **early).limitation_ends == date(2026, 6, 5)
    assert claim("DE", eur("600.00"), **early).limitation_ends == date(2026, 6, 4)


# --- the notes, with what they name ------------------------------------------------------------------------

def test_the_us_registration_notes_name_the_country_the_work_and_the_source(monkeypatch):
    us = jurisdiction("US").section("registration")
    unknown = claim("US", usd("2000.00"), infringed_on=date(2026, 3, 1), us_registered_on=date(2025, 1, 10))
    assert [(n.code, n.params) for n in unknown.notes] == [("work_country_unknown", {"country": "United States"})]
    foreign = claim("US", usd("60000.00"), infringed_on=date(2026, 3, 1), work_country="de")
    note = next(n for n in foreign.notes if n.code == "foreign_unregistered")
    assert note.params == {"country": "United States", "work_country": "DE"}
    pending = claim("US", usd("2000.00"), infringed_on=date(2026, 3, 1), work_country="US",
                    us_applied_on=date(2026, 10, 1))
    assert [(n.code, n.params) for n in pending.notes] == [("application_pending", {"source": us["pending_source"]})]
    monkeypatch.delitem(jurisdiction("US").data["registration"], "pending_source")
    pending = claim("US", usd("2000.00"), infringed_on=date(2026, 3, 1), work_country="US",
                    us_applied_on=date(2026, 10, 1))
    assert pending.notes[0].params == {"source": us["source"]}


def test_swedens_reach_back_note_counts_its_years():
    long_use = claim("SE", Money.parse("40000.00", "SEK"), infringed_on=date(2018, 1, 1), last_seen=date(2026, 11, 1))
    note = next(n for n in long_use.notes if n.code == "reach_back")
    assert note.params["years"] == 5 and note.params["before"] == date(2021, 11, 23)


def test_a_two_day_use_with_one_day_barred_shows_the_claimable_share():
    result = claim("GB", gbp("900.00"), infringed_on=date(2020, 11, 20), last_seen=date(2020, 11, 21))
    share = next(f for f in result.figures if f.label == "claimable share of the use")
    assert (share.value, share.source, share.estimate) == ("1 of 2 days: £450.00", "the amount pro rata by days of use",
                                                           True)


def test_the_residual_claim_without_its_own_source_cites_the_limitation_rule(monkeypatch):
    monkeypatch.delitem(jurisdiction("DE").data["limitation"], "residual_source")
    result = claim("DE", eur("450.00"), infringed_on=date(2016, 11, 23))
    source = jurisdiction("DE").section("limitation")["source"]
    assert next(n for n in result.notes if n.code == "residual_claim").params["source"] == source
    assert next(f for f in result.figures if f.label.startswith("residual claim")).source == source


def test_a_late_registration_without_a_grace_period_on_file(monkeypatch):
    monkeypatch.delitem(jurisdiction("US").data["registration"], "timely_months_after_publication")
    late = claim("US", usd("2000.00"), infringed_on=date(2026, 3, 1), us_registered_on=date(2026, 6, 1),
                 work_country="US")
    assert [(n.code, n.params) for n in late.notes] == [("registered_late", {})]


def test_an_unknown_state_is_refused_naming_the_known_ones():
    import holidays

    known = holidays.country_holidays("DE").subdivisions
    with pytest.raises(InvalidInput) as error:
        holiday_calendar(jurisdiction("DE"), "XX")
    assert str(error.value) == (f"'XX' is not a state or region of Germany in the holiday calendar; use one of: "
                                f"{', '.join(known)}.")


def test_where_courts_refuse_ordinary_photos_the_note_comes_first(monkeypatch):
    fr = jurisdiction("FR").section("originality")
    result = claim("FR", eur("800.00"), address=None, client_country="DE")
    assert [n.code for n in result.notes][:2] == ["originality", "address_unchecked"]
    assert result.notes[0].params == {"country": "France", "note": fr["note"], "source": fr["source"]}
    monkeypatch.delitem(jurisdiction("FR").data["originality"], "source")
    assert claim("FR", eur("800.00"), client_country="DE").notes[0].params["source"] == ""


def test_known_before_the_infringement_is_refused_in_words():
    with pytest.raises(InvalidInput) as error:
        claim("DE", eur("450.00"), known_on=date(2026, 4, 30))
    assert str(error.value) == "The day the infringement became known cannot be before the infringement itself."


def test_no_country_given_is_no_rules_for_an_unknown_country():
    result = claim("", eur("450.00"))
    assert result.reasons[0].params == {"country": "(unknown)"} and result.amount == eur("450.00")
    assert (result.recoverable, result.expected_value, result.limitation_ends) == (eur("0.00"), eur("0.00"), None)


def test_a_route_without_a_named_filer_is_filed_by_a_lawyer():
    result = claim("FR", eur("800.00"), client_country="DE")
    assert result.route == "european-small-claims" and "filed_by" not in [n.code for n in result.notes]
    assert any(f.label == "European Small Claims Procedure (Reg. 861/2007): court fee + lawyer" for f in result.figures)


def test_where_no_court_route_is_open_letters_only():
    us_work = claim("US", usd("60000.00"), infringed_on=date(2026, 3, 1), work_country="US")
    assert us_work.route == "out-of-court" and us_work.route_name == "letters only, no court route"
    assert [n.code for n in us_work.notes][-1] == "letters_only"


def test_the_boards_cap_figure_cites_the_statute():
    result = claim("US", usd("20000.00"), infringed_on=date(2026, 3, 1), us_registered_on=date(2025, 1, 10))
    cap = next(f for f in result.figures if f.label.startswith("cap at the"))
    ccb = next(r for r in jurisdiction("US").routes if r.id == "ccb")
    assert (cap.value, cap.source, cap.estimate) == ("$15,000.00", ccb.source, False)


@pytest.mark.parametrize("offline, last", [
    (datetime(2026, 5, 5, 10, tzinfo=timezone.utc), date(2026, 5, 5)),    # gone before its last sighting: ends there
    (datetime(2026, 5, 7, 10, tzinfo=timezone.utc), date(2026, 5, 7)),    # gone the day it was last seen
    (datetime(2026, 5, 9, 10, tzinfo=timezone.utc), date(2026, 5, 7)),    # gone after: the last sighting stands
    (None, date(2026, 5, 7)),                                               # never checked gone
])
def test_a_use_ends_where_a_take_down_check_found_the_image_gone(offline, last):
    case = _case(items=[(1, datetime(2026, 5, 1, 10, tzinfo=timezone.utc), datetime(2026, 5, 7, 10, tzinfo=timezone.utc))])
    case.items[0].offline_since = offline
    assert assess_case(case, TODAY).period.last == last
