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
    ("GB", date(2020, 2, 29), None, date(2026, 3, 2)),                   # 6 years from the act (leap day): Sat 28 Feb,
                                                                         # moved to Monday (Pritam Kaur [1973] QB 336)
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
    assert [n.code for n in late.notes] == ["work_country_unknown", "registered_late_grace", "capped"]
    late.notes.pop(0)
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
                     today=TODAY, client_country="DE")
    assert unknown.feasible and "address_unchecked" in [n.code for n in unknown.notes]
    assert unknown.route == "european-small-claims"


def test_a_private_recipient_is_the_clients_policy_not_a_rule_of_law():
    common = dict(amount=eur("600.00"), commercial=False, address=True, infringed_on=date(2026, 5, 1), today=TODAY,
                  client_country="DE")
    skipped = assess("NL", **common)
    assert not skipped.feasible and [r.code for r in skipped.reasons] == ["private_not_pursued"]
    assert skipped.expected_value == eur("0.00")
    assert "BGH" not in str(skipped.reasons[0]) and "policy" in str(skipped.reasons[0])
    pursued = assess("NL", pursue_private=True, **common)
    assert pursued.feasible and pursued.reasons == []
    # Germany: a first warning letter to a private person counts at a value of at most €1,000 (§ 97a(3) UrhG)
    german = assess("DE", pursue_private=True, **common)
    assert german.feasible and "private_recipient" in [n.code for n in german.notes]
    assert "§ 97a(3) UrhG" in str(next(n for n in german.notes if n.code == "private_recipient"))
    costs = next(f for f in german.figures if f.label.startswith("recoverable costs of a first warning"))
    assert costs.value == "€124.00" and costs.estimate
    commercial = assess("DE", **{**common, "commercial": True})
    assert not any(f.label.startswith("recoverable costs of a first warning") for f in commercial.figures)


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
    # 1,000 x 65% - 40 letters - (38 Mahnverfahren fee + 96 for the debt collector or lawyer filing it) x 15%
    assert result.expected_value == eur("589.90")
    labels = [f.label for f in result.figures]
    assert "probability of collecting" in labels and any(l.startswith("expected value =") for l in labels)
    assert all(f.source for f in result.figures)


def test_letters_only_countries_and_the_court_limit():
    china = assess("CN", amount=Money.parse("8000.00", "CNY"), commercial=True, address=True,
                   infringed_on=date(2026, 5, 1), today=TODAY)
    assert china.feasible and china.route == "out-of-court" and "letters only" in china.route_name
    big = assess("IT", amount=eur("7000.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                 today=TODAY, client_country="DE")
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


# --- a continuing use: each day has its own limitation ----------------------------------------

def test_a_continuing_use_is_barred_only_before_the_period():
    today = date(2026, 11, 23)
    one_off = assess("GB", amount=Money.parse("900.00", "GBP"), commercial=True, address=True,
                     infringed_on=date(2019, 5, 1), today=today)
    assert [r.code for r in one_off.reasons] == ["time_barred"]
    still_online = assess("GB", amount=Money.parse("900.00", "GBP"), commercial=True, address=True,
                          infringed_on=date(2019, 5, 1), last_seen=date(2026, 11, 1), today=today)
    assert still_online.feasible and still_online.reasons == []
    period = still_online.period
    # six years back from today: the day 2020-11-21 is the first still claimable (its six years end on
    # Saturday 2026-11-21, moved to Monday 2026-11-23: Pritam Kaur v S Russell & Sons [1973] QB 336)
    assert period.claimable_from == date(2020, 11, 21) and period.days == 2742 and period.claimable_days == 2172
    note = next(n for n in still_online.notes if n.code == "partly_time_barred")
    assert note.params["before"] == date(2020, 11, 21)
    assert note.params["value"] == Money.parse("712.91", "GBP")        # 900 x 2172 / 2742
    assert still_online.recoverable == Money.parse("712.91", "GBP")
    assert still_online.as_dict()["use"]["claimable_from"] == "2020-11-21"


@pytest.mark.parametrize("first, claimable", [
    (date(2020, 11, 20), False),    # its six years ended on Friday
    (date(2020, 11, 22), True),     # its six years ended on Sunday: moved to Monday, today
    (date(2020, 11, 23), True),     # its six years end today
])
def test_the_last_day_of_a_days_limitation(first, claimable):
    result = assess("GB", amount=Money.parse("900.00", "GBP"), commercial=True, address=True,
                    infringed_on=first, today=date(2026, 11, 23))
    assert ("time_barred" not in [r.code for r in result.reasons]) is claimable


def test_germany_keeps_the_saved_licence_fee_claimable_for_ten_years():
    today = date(2026, 11, 23)
    # a use in 2019 only: the 3-year period ended on 31 Dec 2022, the residual claim runs to 2029
    old = assess("DE", amount=eur("1200.00"), commercial=True, address=True, infringed_on=date(2019, 1, 10),
                 last_seen=date(2019, 12, 31), today=today)
    assert old.feasible and old.reasons == []
    residual = next(n for n in old.notes if n.code == "residual_claim")
    assert residual.params["value"] == eur("1200.00") and residual.params["days"] == 356
    assert "§ 852 BGB" in str(residual) and "without surcharges" in str(residual)
    assert old.limitation_ends == date(2029, 1, 10)          # the residual claim of its first day
    # a use still online: the days since 2023 fully, the days before as the residual claim
    going_on = assess("DE", amount=eur("1200.00"), commercial=True, address=True, infringed_on=date(2019, 1, 10),
                      last_seen=date(2026, 11, 1), today=today)
    assert going_on.period.claimable_from == date(2023, 1, 1)
    assert going_on.period.residual_from == date(2019, 1, 10) and going_on.period.residual_days == 1452
    assert going_on.recoverable == eur("1200.00")
    # past ten years nothing is left, and the long-stop is named as such
    ancient = assess("DE", amount=eur("1200.00"), commercial=True, address=True, infringed_on=date(2015, 6, 1),
                     known_on=date(2024, 5, 1), today=today)
    assert [r.code for r in ancient.reasons] == ["time_barred_long_stop"]
    assert "10-year long-stop" in str(ancient.reasons[0]) and "§ 199(3)" in str(ancient.reasons[0])
    assert "3-year" not in str(ancient.reasons[0])


def test_the_german_long_stop_without_a_residual_claim_elsewhere():
    # Poland: 3 years from knowledge, 10 from the event, no residual claim
    late_known = assess("PL", amount=Money.parse("4000.00", "PLN"), commercial=True, address=True,
                        infringed_on=date(2016, 1, 1), known_on=date(2025, 1, 1), today=date(2026, 11, 23))
    assert [r.code for r in late_known.reasons] == ["time_barred_long_stop"]
    assert late_known.reasons[0].params["years"] == 10


def test_sweden_limits_how_far_back_damages_reach_it_is_not_a_bar():
    today = date(2026, 11, 23)
    long_use = assess("SE", amount=Money.parse("40000.00", "SEK"), commercial=True, address=True,
                      infringed_on=date(2018, 1, 1), last_seen=date(2026, 11, 1), today=today)
    assert long_use.feasible and long_use.period.claimable_from == date(2021, 11, 23)
    assert [n.code for n in long_use.notes if n.code in ("reach_back", "partly_time_barred")] == ["reach_back"]
    old_use = assess("SE", amount=Money.parse("40000.00", "SEK"), commercial=True, address=True,
                     infringed_on=date(2020, 6, 1), last_seen=date(2021, 6, 1), today=today)
    assert [r.code for r in old_use.reasons] == ["reach_back_barred"]
    recent = assess("SE", amount=Money.parse("40000.00", "SEK"), commercial=True, address=True,
                    infringed_on=date(2021, 12, 1), today=today)
    assert recent.feasible     # 5 years old would have been "time-barred" as a whole before


# --- the United States: registration ----------------------------------------------------------

def test_a_foreign_unregistered_work_can_be_claimed_in_the_us():
    common = dict(commercial=True, address=True, infringed_on=date(2026, 3, 1), today=TODAY)
    german_work = assess("US", amount=usd("60000.00"), work_country="DE", **common)
    assert "not_registered" not in [r.code for r in german_work.reasons]
    assert german_work.feasible and german_work.route == "federal-court"
    codes = [n.code for n in german_work.notes]
    assert "foreign_unregistered" in codes and "needs_application" in codes
    assert "§ 412" in str(next(n for n in german_work.notes if n.code == "foreign_unregistered"))
    us_work = assess("US", amount=usd("60000.00"), work_country="US", **common)
    assert [r.code for r in us_work.reasons] == ["not_registered"]
    # a pending application opens the Copyright Claims Board, for either
    pending = assess("US", amount=usd("2000.00"), work_country="DE", us_applied_on=date(2026, 10, 1), **common)
    assert pending.feasible and pending.route == "ccb" and "application_pending" in [n.code for n in pending.notes]
    pending_us = assess("US", amount=usd("2000.00"), work_country="US", us_applied_on=date(2026, 10, 1), **common)
    assert pending_us.feasible and pending_us.route == "ccb"
    # an application dated after today is not pending yet
    not_yet = assess("US", amount=usd("2000.00"), work_country="US", us_applied_on=date(2026, 12, 1), **common)
    assert [r.code for r in not_yet.reasons] == ["not_registered"]


def test_the_copyright_claims_board_caps_per_claim_whatever_the_works():
    from caseapp.feasibility.services import _cap, _Registration

    ccb = next(r for r in jurisdiction("US").routes if r.id == "ccb")
    timely = _Registration(domestic=True, registered=True, applied=True, timely=True)
    late = _Registration(domestic=True, registered=True, applied=True, timely=False)
    assert _cap(ccb, timely, 1, "USD") == usd("15000.00")
    assert _cap(ccb, timely, 2, "USD") == usd("30000.00")
    assert _cap(ccb, timely, 3, "USD") == usd("30000.00")      # not $45,000
    assert _cap(ccb, late, 1, "USD") == usd("7500.00")
    assert _cap(ccb, late, 3, "USD") == usd("15000.00")


# --- routes that are not open -----------------------------------------------------------------

def test_the_european_small_claims_procedure_needs_a_cross_border_case():
    common = dict(amount=eur("800.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1), today=TODAY)
    assert assess("FR", client_country="DE", **common).route == "european-small-claims"
    unknown = assess("FR", **common)
    assert unknown.route == "court" and "cross_border_unknown" in [n.code for n in unknown.notes]
    domestic = assess("FR", client_country="FR", **common)
    assert domestic.route == "court" and "not_cross_border" in [n.code for n in domestic.notes]
    from_outside = assess("FR", client_country="US", **common)
    assert from_outside.route == "court"
    danish_client = assess("FR", client_country="DK", **common)       # Denmark is not a member state for it
    assert danish_client.route == "court" and "Denmark" in str(
        next(n for n in danish_client.notes if n.code == "not_cross_border"))


def test_a_danish_case_has_no_european_small_claims_route():
    result = assess("DK", amount=Money.parse("8000.00", "DKK"), commercial=True, address=True,
                    infringed_on=date(2026, 5, 1), today=TODAY, client_country="DE")
    assert result.feasible and result.route == "court"
    assert "european-small-claims" not in [r.id for r in jurisdiction("DK").routes]


def test_payment_orders_for_fixed_debts_are_not_for_damages():
    result = assess("FR", amount=eur("800.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                    today=TODAY, client_country="FR")
    assert result.route == "court"
    assert "Injonction de payer (arts. 1405 ff. CPC): only for a fixed debt" in "; ".join(map(str, result.notes))
    for code in ("IT", "ES"):
        assert assess(code, amount=eur("800.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                      today=TODAY, client_country=code).route == "court"


def test_scotland_and_northern_ireland_have_their_own_rules():
    common = dict(amount=Money.parse("900.00", "GBP"), commercial=True, address=True, today=TODAY)
    scotland = assess("GB", subdivision="SCT", infringed_on=date(2026, 5, 1), **common)
    assert scotland.route == "simple-procedure" and scotland.country == "GB"
    assert scotland.figures[0].value == "GB-SCT"
    england = assess("GB", infringed_on=date(2026, 5, 1), **common)
    assert england.route == "ipec-small-claims"
    # five years' prescription in Scotland, six years in England
    old = dict(infringed_on=date(2021, 6, 1), **common)
    assert [r.code for r in assess("GB", subdivision="SCT", **old).reasons] == ["time_barred"]
    assert assess("GB", subdivision="ENG", **old).feasible
    ulster = assess("GB", subdivision="NIR", infringed_on=date(2026, 5, 1), **common)
    assert ulster.route == "small-claims-ni"


def test_hong_kongs_small_claims_tribunal_costs_a_small_fee_and_no_lawyer():
    route = next(r for r in jurisdiction("HK").routes if r.kind == "small_claims")
    assert route.court_fee == Money.parse("60.00", "HKD") and route.lawyer_cost == Money.zero("HKD")
    assert "lawyers may not appear" in route.filed_by


def test_german_court_fees_as_of_june_2025():
    routes = {r.id: r for r in jurisdiction("DE").routes}
    assert routes["mahnverfahren"].court_fee == eur("38.00")
    assert routes["court"].court_fee == eur("183.00")         # 3 x €61 for a claim of €500-1,000
    assert "registered debt collector" in routes["mahnverfahren"].filed_by


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    (dict(infringed_on=date(2026, 11, 24)), "the first day of use 2026-11-24 is after today"),
    (dict(known_on=date(2026, 12, 1)), "the day the client learned of the use 2026-12-01 is after today"),
    (dict(last_seen=date(2026, 11, 30)), "the last day the use was seen 2026-11-30 is after today"),
    (dict(infringed_on=date(1899, 12, 31)), "the first day of use 1899-12-31 is out of range"),
    (dict(us_registered_on=date(2201, 1, 1)), "the US registration date 2201-01-01 is out of range"),
    (dict(last_seen=date(2026, 4, 30)), "cannot be before its first day"),
    (dict(known_on=date(2026, 4, 1)), "cannot be before the infringement"),
])
def test_impossible_dates_are_refused_naming_the_field(change, message):
    args = dict(amount=eur("450.00"), commercial=True, address=True, infringed_on=date(2026, 5, 1),
                today=date(2026, 11, 23))
    with pytest.raises(InvalidInput, match=message):
        assess("DE", **{**args, **change})


def test_the_edges_of_the_date_range_are_accepted():
    result = assess("DE", amount=eur("450.00"), commercial=True, address=True, infringed_on=date(1900, 1, 1),
                    today=date(2026, 11, 23))
    assert [r.code for r in result.reasons] == ["time_barred"] and result.limitation_ends == date(1903, 12, 31)
    today = assess("DE", amount=eur("450.00"), commercial=True, address=True, infringed_on=date(2026, 11, 23),
                   last_seen=date(2026, 11, 23), known_on=date(2026, 11, 23), today=date(2026, 11, 23))
    assert today.feasible
