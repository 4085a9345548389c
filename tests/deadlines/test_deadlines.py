"""Deadlines under each country's rules: holidays by state, the weekend, the quiet period over
Christmas, the legal minimum, limitation ends, and clear refusals."""
from __future__ import annotations

from datetime import date

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.deadlines.services import (HOLIDAYS, LEGAL_MINIMUM, QUIET_PERIOD, WEEKEND, deadline, move_end,
                                        working_days)
from caseapp.feasibility.rules import jurisdiction
from caseapp.feasibility.services import assess, limitation_for
from caseapp.core.money import Money

QUIET = ((12, 20), (1, 6))


def due(country, start, days, subdivision=None, quiet=False):
    return deadline(country, start=start, days=days, subdivision=subdivision, quiet_period=quiet)


# --- German states ---------------------------------------------------------------------------

def test_corpus_christi_moves_it_in_north_rhine_westphalia_not_in_berlin():
    nrw = due("DE", date(2026, 5, 21), 14, "NW")
    assert nrw.due_on == date(2026, 6, 5) and nrw.moved_by == (HOLIDAYS,)
    assert "Corpus Christi" in nrw.explain() and "§ 193 BGB" in nrw.explain()
    berlin = due("DE", date(2026, 5, 21), 14, "BE")
    assert berlin.due_on == date(2026, 6, 4) and berlin.moved_by == ()


def test_assumption_day_in_bavaria_only():
    # 14 days from Fri 31 July 2026 end on Fri 14 Aug; 13 days from Sun 2 Aug end on Sat 15 Aug
    assert due("DE", date(2026, 8, 1), 14, "BY").due_on == date(2026, 8, 17)      # Sat 15 -> Mon 17 (weekend)
    assert due("DE", date(2027, 8, 1), 14, "BY").due_on == date(2027, 8, 16)      # Sun 15 Aug 2027 -> Mon
    bavaria = due("DE", date(2025, 8, 1), 14, "BY")                              # Fri 15 Aug 2025
    assert bavaria.due_on == date(2025, 8, 18) and HOLIDAYS in bavaria.moved_by
    assert "Assumption Day" in bavaria.explain()
    assert due("DE", date(2025, 8, 1), 14, "NW").due_on == date(2025, 8, 15)


def test_repentance_day_in_saxony_only():
    # Buß- und Bettag: Wed 18 Nov 2026
    assert due("DE", date(2026, 11, 4), 14, "SN").due_on == date(2026, 11, 19)
    assert due("DE", date(2026, 11, 4), 14, "BE").due_on == date(2026, 11, 18)


def test_a_weekend_end_moves_to_monday():
    result = due("DE", date(2026, 5, 1), 14, "BE")        # Fri 15 May? 1 May + 14 = Fri 15 May
    assert result.due_on == date(2026, 5, 15) and result.moved_by == ()
    saturday = due("DE", date(2026, 5, 2), 14, "BE")       # Sat 16 May -> Mon 18 May
    assert saturday.due_on == date(2026, 5, 18) and saturday.moved_by == (WEEKEND,)


def test_the_countrys_default_region_when_the_partys_is_not_known():
    result = due("DE", date(2026, 5, 21), 14)
    assert result.due_on == date(2026, 6, 4) and result.calendar == "DE-BE" and "default region" in result.explain()


# --- Christmas: the quiet period --------------------------------------------------------------

def test_days_of_the_quiet_period_do_not_count():
    result = due("DE", date(2026, 12, 10), 14, "BE", quiet=QUIET)
    # 11-19 Dec count (9 days), 20 Dec - 6 Jan do not, 7-11 Jan count (5 days): Mon 11 Jan 2027
    assert result.due_on == date(2027, 1, 11) and result.moved_by == (QUIET_PERIOD,)
    assert "18 days of the quiet period" in result.explain()
    without = due("DE", date(2026, 12, 10), 14, "BE", quiet=False)
    assert without.due_on == date(2026, 12, 24)


def test_a_period_starting_inside_the_quiet_period_counts_from_its_end():
    assert due("DE", date(2026, 12, 22), 14, "BE", quiet=QUIET).due_on == date(2027, 1, 20)


def test_christmas_holidays_move_it_without_a_quiet_period():
    # 14 days from Fri 11 Dec 2026: Fri 25 Dec (Christmas) -> Sat, Sun, -> Mon 28 Dec
    result = due("DE", date(2026, 12, 11), 14, "BE", quiet=False)
    assert result.due_on == date(2026, 12, 28) and set(result.moved_by) == {HOLIDAYS, WEEKEND}


def test_the_quiet_period_setting(monkeypatch):
    from caseapp import config

    assert config.quiet_period("12-20/01-06") == QUIET
    assert config.quiet_period("off") is None
    with pytest.raises(ValueError, match="CASEAPP_QUIET_PERIOD"):
        config.quiet_period("20.12.-6.1.")
    monkeypatch.setenv("CASEAPP_QUIET_PERIOD", "12-24/01-06")
    # 11-23 Dec count (13 days), 24 Dec - 6 Jan do not: Thu 7 Jan 2027
    assert deadline("DE", start=date(2026, 12, 10), days=14, subdivision="BE").due_on == date(2027, 1, 7)


# --- the legal minimum ------------------------------------------------------------------------

def test_never_below_the_legal_minimum():
    result = due("DE", date(2026, 5, 4), 3, "BE")          # DE: at least 7 days
    assert result.due_on == date(2026, 5, 11) and result.days == 7 and LEGAL_MINIMUM in result.moved_by


# --- other countries --------------------------------------------------------------------------

@pytest.mark.parametrize("country, subdivision, start, days, expected, why", [
    ("FR", None, date(2026, 7, 1), 13, date(2026, 7, 15), "Bastille Day Tue 14 July (CPC art. 642)"),
    ("IT", None, date(2026, 5, 19), 14, date(2026, 6, 3), "Festa della Repubblica Tue 2 June (art. 155 c.p.c.)"),
    ("ES", "MD", date(2026, 4, 20), 12, date(2026, 5, 4), "Sat 2 May (Madrid's day) and Sun 3 May"),
    ("NL", None, date(2026, 4, 13), 14, date(2026, 4, 28), "King's Day Mon 27 April (Atw art. 1)"),
    ("PL", None, date(2026, 4, 19), 14, date(2026, 5, 4), "Sun 3 May, Constitution Day (art. 115 KC)"),
    ("GB", "SCT", date(2026, 11, 16), 14, date(2026, 12, 1), "St Andrew's Day Mon 30 Nov, Scotland only"),
    ("GB", "ENG", date(2026, 11, 16), 14, date(2026, 11, 30), "no bank holiday in England"),
    ("US", "CA", date(2026, 3, 17), 14, date(2026, 4, 1), "César Chávez Day Tue 31 March in California"),
    ("US", "NY", date(2026, 3, 17), 14, date(2026, 3, 31), "no holiday in New York"),
    ("AT", "9", date(2026, 10, 12), 14, date(2026, 10, 27), "National Day Mon 26 Oct (§ 903 ABGB)"),
])
def test_other_countries(country, subdivision, start, days, expected, why):
    assert due(country, start, days, subdivision).due_on == expected, why


# --- limitation ---------------------------------------------------------------------------------

def test_a_german_limitation_ending_on_a_sunday_moves_to_the_next_working_day():
    de = jurisdiction("DE")
    # known in 2025: 3 years from the end of the year (§§ 195, 199 BGB) -> Sun 31 Dec 2028,
    # Mon 1 Jan 2029 is New Year's Day: Tue 2 Jan 2029 (§ 193 BGB)
    limitation = limitation_for(de, infringed_on=date(2025, 3, 1))
    assert limitation.ends == date(2029, 1, 2) and "Sunday" in limitation.moved[0]
    result = assess("DE", amount=Money.parse("450.00", "EUR"), commercial=True, address=True,
                    infringed_on=date(2025, 3, 1), today=date(2029, 1, 2))
    assert result.limitation_ends == date(2029, 1, 2) and result.period.claimable_days == 1
    late = assess("DE", amount=Money.parse("450.00", "EUR"), commercial=True, address=True,
                  infringed_on=date(2025, 3, 1), today=date(2029, 1, 3))
    assert late.period.claimable_days == 0 and late.period.residual_days == 1     # only § 852 BGB is left


@pytest.mark.parametrize("country, day, expected", [
    ("FR", date(2028, 12, 31), date(2028, 12, 31)),   # art. 2229 C. civ.; Cass. 2e civ. 7 Apr 2016
    ("PL", date(2028, 12, 31), date(2028, 12, 31)),   # SN III CZP 21/23
    ("NL", date(2028, 12, 31), date(2028, 12, 31)),   # Atw art. 4
    ("IT", date(2028, 12, 31), date(2029, 1, 2)),     # art. 2963(3) c.c.: Sunday, then New Year's Day
    ("IT", date(2028, 12, 30), date(2028, 12, 30)),   # ... but not a Saturday
    ("US", date(2028, 12, 30), date(2029, 1, 2)),     # FRCP 6(a)(1)(C)
])
def test_limitation_ends_move_only_where_the_law_moves_them(country, day, expected):
    assert move_end(country, day).due_on == expected


def test_limitation_moves_past_public_holidays_only():
    # Assumption Day is in Bavaria's Catholic category: a letter moves past it, a limitation end not
    assert move_end("DE", date(2025, 8, 15), subdivision="BY").due_on == date(2025, 8, 15)
    assert move_end("DE", date(2025, 8, 15), subdivision="SL").due_on == date(2025, 8, 18)   # public in Saarland


# --- the firm's own working days ------------------------------------------------------------------

def test_internal_periods_count_working_days_of_the_firms_calendar():
    # Thu 21 May 2026 + 2 working days in Berlin: Fri 22, (Whit Monday 25 May) Tue 26
    assert working_days(date(2026, 5, 21), 2, setting=("DE", "BE")).due_on == date(2026, 5, 26)


# --- refusals -------------------------------------------------------------------------------------

def test_an_unknown_country_or_region_is_one_line_naming_the_known_ones():
    with pytest.raises(InvalidInput) as error:
        due("QQ", date(2026, 5, 21), 14)
    assert "'QQ' is not a country" in str(error.value) and "DE" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(InvalidInput) as error:
        due("DE", date(2026, 5, 21), 14, "XX")
    assert str(error.value).startswith("'XX' is not a state or region of DE") and "NW" in str(error.value)
    with pytest.raises(InvalidInput, match="not a country code"):
        due("D1", date(2026, 5, 21), 14)
    with pytest.raises(InvalidInput, match="0 to 3650"):
        due("DE", date(2026, 5, 21), -1)
