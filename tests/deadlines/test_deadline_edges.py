"""The edges of the deadline rules, each tested on both sides: a deadline landing on a public
holiday and on the day before it, the first and the last day of the quiet period, the legal
minimum and one day under it, the range of starts and lengths, and the explanation a handler
reads (every line of it)."""
from __future__ import annotations

from datetime import date

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.deadlines.services import (HOLIDAYS, LIMITATION, QUIET_PERIOD, WEEKEND, calendar, deadline,
                                        in_quiet_period, letter_days, letter_deadline, move_end,
                                        next_working_day, supported_countries, working_days)
from caseapp.feasibility.rules import jurisdiction

QUIET = ((12, 20), (1, 6))
GERMAN_RULE = jurisdiction("DE").section("deadlines")["period_source"]


def due(country, start, days, subdivision=None, quiet=False):
    return deadline(country, start=start, days=days, subdivision=subdivision, quiet_period=quiet)


# --- public holidays: on the holiday, and on the day before it ------------------------------------

def test_a_deadline_landing_on_a_public_holiday_moves_to_the_next_working_day():
    # 14 days from Thu 30 April 2026 end on Ascension Day, Thu 14 May: due Fri 15 May
    result = due("DE", date(2026, 4, 30), 14, "BE")
    assert result.due_on == date(2026, 5, 15) and result.moved_by == (HOLIDAYS,)
    assert result.reasons == (
        f"14 days from Thu 30 April 2026 end on Thu 14 May 2026: the period starts the day after the event and "
        f"ends at the end of its last day ({GERMAN_RULE}).",
        "Thu 14 May 2026 is Ascension Day, a public holiday in DE-BE: the end moves to the next working day.",
        "Due: Fri 15 May 2026 (holiday calendar DE-BE).")
    assert result.explain() == "\n".join(result.reasons)
    assert (result.calendar, result.start, result.days, result.estimate) == ("DE-BE", date(2026, 4, 30), 14, False)


def test_a_deadline_on_the_day_before_a_holiday_stays_there():
    result = due("DE", date(2026, 4, 29), 14, "BE")          # Wed 13 May, the day before Ascension Day
    assert result.due_on == date(2026, 5, 13) and result.moved_by == ()
    assert result.reasons[1:] == ("Due: Wed 13 May 2026 (holiday calendar DE-BE).",)


def test_a_weekend_then_a_holiday_moves_it_past_both():
    # the deadline of the limitation ends: Sun 31 Dec 2028, New Year's Day Mon 1 Jan 2029: Tue 2 Jan
    result = due("DE", date(2028, 12, 17), 14, "BE")
    assert result.due_on == date(2029, 1, 2) and result.moved_by == (WEEKEND, HOLIDAYS)


# --- the quiet period: its first and last day, and the days next to them ---------------------------

@pytest.mark.parametrize("day, inside", [
    (date(2026, 12, 19), False), (date(2026, 12, 20), True), (date(2026, 12, 31), True),
    (date(2027, 1, 1), True), (date(2027, 1, 6), True), (date(2027, 1, 7), False), (date(2026, 6, 15), False),
])
def test_the_quiet_period_over_new_year_from_its_first_to_its_last_day(day, inside):
    assert in_quiet_period(day, QUIET) is inside


@pytest.mark.parametrize("day, inside", [
    (date(2026, 7, 31), False), (date(2026, 8, 1), True), (date(2026, 8, 15), True), (date(2026, 8, 16), False),
    (date(2026, 12, 25), False), (date(2026, 1, 5), False),
])
def test_a_quiet_period_within_one_year(day, inside):
    assert in_quiet_period(day, ((8, 1), (8, 15))) is inside


def test_no_quiet_period_when_it_is_switched_off():
    assert not in_quiet_period(date(2026, 12, 24), None) and not in_quiet_period(date(2026, 12, 24), False)


def test_a_period_ending_the_day_before_the_quiet_period_is_not_moved():
    result = due("DE", date(2025, 12, 5), 14, "BE", quiet=QUIET)          # Fri 19 Dec 2025
    assert result.due_on == date(2025, 12, 19) and result.moved_by == ()


def test_a_period_reaching_the_first_quiet_day_counts_on_after_the_quiet_period():
    result = due("DE", date(2025, 12, 6), 14, "BE", quiet=QUIET)          # its 14th day would be Sat 20 Dec
    assert result.due_on == date(2026, 1, 7) and result.moved_by == (QUIET_PERIOD,)
    assert result.reasons[1:] == (
        "18 days of the quiet period (20 December to 6 January) do not count: the period ends on Wed 7 January "
        "2026 instead (CASEAPP_QUIET_PERIOD).",
        "Due: Wed 7 January 2026 (holiday calendar DE-BE).")


def test_the_last_quiet_day_does_not_count_the_day_after_it_does():
    on_the_last_day = due("DE", date(2026, 1, 5), 14, "BE", quiet=QUIET)    # 6 Jan does not count
    assert on_the_last_day.due_on == date(2026, 1, 20) and on_the_last_day.moved_by == (QUIET_PERIOD,)
    assert "1 days of the quiet period" in on_the_last_day.explain()
    after_it = due("DE", date(2026, 1, 6), 14, "BE", quiet=QUIET)           # from 7 Jan on: all count
    assert after_it.due_on == date(2026, 1, 20) and after_it.moved_by == ()


def test_an_end_pushed_by_a_weekend_into_the_quiet_period_moves_past_it():
    # 14 days from Sat 5 Dec 2026 end on Sat 19 Dec; Sun 20 Dec; then the quiet period and its holidays
    result = due("DE", date(2026, 12, 5), 14, "BE", quiet=QUIET)
    assert result.due_on == date(2027, 1, 7) and result.moved_by == (WEEKEND, QUIET_PERIOD, HOLIDAYS)
    assert "Mon 21 December 2026 is in the quiet period (20 December to 6 January): the end moves past it." \
        in result.reasons
    assert "Wed 6 January 2027 is in the quiet period (20 December to 6 January): the end moves past it." \
        in result.reasons
    assert due("DE", date(2026, 12, 5), 14, "BE", quiet=False).due_on == date(2026, 12, 21)


def test_the_quiet_period_defaults_to_the_setting(monkeypatch):
    monkeypatch.delenv("CASEAPP_QUIET_PERIOD", raising=False)
    assert deadline("DE", start=date(2025, 12, 6), days=14, subdivision="BE").due_on == date(2026, 1, 7)


# --- the legal minimum: at it and one day under it ------------------------------------------------

def test_a_letter_giving_exactly_the_legal_minimum_is_not_lengthened():
    result = due("DE", date(2026, 5, 4), 7, "BE")
    assert result.due_on == date(2026, 5, 11) and result.days == 7 and result.moved_by == ()
    assert len(result.reasons) == 2


def test_a_letter_one_day_under_the_legal_minimum_gets_the_minimum():
    result = due("DE", date(2026, 5, 4), 6, "BE")
    assert result.due_on == date(2026, 5, 11) and result.days == 7 and result.moved_by == ("legal minimum",)
    assert result.reasons[1] == (
        "6 days are fewer than the 7 days DE letters give at least "
        f"({jurisdiction('DE').section('deadlines')['source']}): 7 days count.")
    assert result.reasons[0].startswith("7 days from Mon 4 May 2026 end on Mon 11 May 2026:")


def test_a_country_without_a_recorded_period_rule_is_counted_as_an_estimate():
    finland = due("FI", date(2026, 5, 4), 7)
    assert finland.estimate and finland.calendar == "FI"
    assert finland.reasons[0] == (
        "7 days from Mon 4 May 2026 end on Mon 11 May 2026: the period starts the day after the event and ends at "
        "the end of its last day (no rule is recorded for this country: caseapp counts as §§ 187(1), 188(1), 193 "
        "BGB do (an estimate)).")
    assert finland.reasons[-1] == "Due: Mon 11 May 2026 (holiday calendar FI)."


def test_the_default_region_is_said_when_the_partys_is_not_known():
    result = due("DE", date(2026, 5, 4), 7)
    assert result.reasons[-1] == ("Due: Mon 11 May 2026 (holiday calendar DE-BE (the country's default region: "
                                  "the party's is not known)).")


# --- the range of starts and lengths -----------------------------------------------------------------

@pytest.mark.parametrize("start, days", [
    (date(1950, 1, 1), 14), (date(2150, 12, 31), 14), (date(2026, 5, 4), 3650),
])
def test_the_edges_of_the_range_are_accepted(start, days):
    assert due("DE", start, days, "BE").due_on > start


def test_a_period_of_zero_days_ends_on_the_day_itself_internally():
    assert due("DE", date(2026, 5, 4), 0, "BE", quiet=False).due_on == date(2026, 5, 11)    # the minimum
    assert working_days(date(2026, 5, 4), 0, setting=("DE", "BE")).due_on == date(2026, 5, 4)


@pytest.mark.parametrize("start, days, message", [
    (date(1949, 12, 31), 14, "The start of a period must be a day from 1950 to 2150."),
    (date(2151, 1, 1), 14, "The start of a period must be a day from 1950 to 2150."),
    ("2026-05-04", 14, "The start of a period must be a day from 1950 to 2150."),
    (date(2026, 5, 4), 3651, "A period is from 0 to 3650 days; '3651' is not."),
    (date(2026, 5, 4), -1, "A period is from 0 to 3650 days; '-1' is not."),
    (date(2026, 5, 4), True, "A period is from 0 to 3650 days; 'True' is not."),
    (date(2026, 5, 4), 14.0, "A period is from 0 to 3650 days; '14.0' is not."),
])
def test_a_start_or_length_out_of_range_is_refused_with_the_range(start, days, message):
    with pytest.raises(InvalidInput) as error:
        due("DE", start, days, "BE")
    assert str(error.value) == message
    with pytest.raises(InvalidInput) as error:
        working_days(start, days, setting=("DE", "BE"))
    assert str(error.value) == message


def test_an_unknown_kind_of_period_is_refused_naming_the_kinds():
    with pytest.raises(InvalidInput) as error:
        deadline("DE", start=date(2026, 5, 4), days=14, kind="monthly")
    assert str(error.value) == "'monthly' is not a kind of period; use one of: letter, internal."


# --- internal periods: working days of a calendar ---------------------------------------------------

def test_an_internal_period_counts_working_days_of_the_countrys_calendar():
    # Mon 4 May 2026 + 4 working days in Berlin: Tue, Wed, Thu, Fri 8 May
    result = deadline("DE", start=date(2026, 5, 4), days=4, subdivision="BE", kind="internal")
    assert result.due_on == date(2026, 5, 8) and result.days == 4 and result.calendar == "DE-BE"
    assert result.reasons == ("4 working days from Mon 4 May 2026 (weekends and public holidays of DE-BE do not "
                              "count): due Fri 8 May 2026.",)
    # over Ascension Day (Thu 14 May) and the weekend: Wed 13, Fri 15, Mon 18
    assert deadline("DE", start=date(2026, 5, 12), days=3, subdivision="BE", kind="internal").due_on == \
        date(2026, 5, 18)


def test_the_firms_working_days_default_to_its_calendar_setting(monkeypatch):
    monkeypatch.delenv("CASEAPP_FIRM_CALENDAR", raising=False)
    result = working_days(date(2026, 5, 12), 3)       # DE-BE: over Ascension Day
    assert result.due_on == date(2026, 5, 18) and result.calendar == "DE-BE" and result.start == date(2026, 5, 12)
    assert result.reasons == ("3 working days from Tue 12 May 2026 (weekends and public holidays of DE-BE do not "
                              "count): due Mon 18 May 2026.",)
    assert result.moved_by == () and result.estimate is False and result.days == 3
    # the firm's calendar in North Rhine-Westphalia: Corpus Christi, Thu 4 June 2026, does not count
    assert working_days(date(2026, 6, 3), 1, setting=("DE", "NW")).due_on == date(2026, 6, 5)
    assert working_days(date(2026, 6, 3), 1, setting=("DE", "BE")).due_on == date(2026, 6, 4)


# --- letters ------------------------------------------------------------------------------------------

def test_the_days_each_letter_gives():
    assert [letter_days("DE", kind) for kind in ("offer", "warning_letter", "reminder", "final_demand", "other")] \
        == [14, 14, 10, 7, 14]
    assert letter_days("", "reminder") == 10 and letter_days("", "offer") == 14 and letter_days("", "other") == 14
    assert letter_days(None, "reminder") == 10          # a party whose country is not recorded: the defaults


def test_a_letters_own_days_in_the_country_file_decide(monkeypatch):
    monkeypatch.setitem(jurisdiction("DE").data["deadlines"], "letter_days", 21)
    monkeypatch.setitem(jurisdiction("DE").data["deadlines"], "reminder_days", 12)
    assert letter_days("DE", "offer") == 21 and letter_days("DE", "other") == 21
    assert letter_days("DE", "reminder") == 12 and letter_days("DE", "final_demand") == 7


def test_a_letters_deadline_counts_the_days_the_country_file_gives(monkeypatch):
    monkeypatch.setitem(jurisdiction("DE").data["deadlines"], "letter_days", 21)
    result = letter_deadline("DE", kind="offer", start=date(2026, 5, 4))
    assert result.days == 21 and result.due_on == date(2026, 5, 26)       # Mon 25 May is Whit Monday


def test_a_letters_deadline_in_the_partys_region_else_the_countrys_default():
    # 14 days from Thu 21 May 2026: Thu 4 June is Corpus Christi in North Rhine-Westphalia
    nrw = letter_deadline("DE", kind="offer", start=date(2026, 5, 21), subdivision="NW")
    assert nrw.due_on == date(2026, 6, 5) and nrw.calendar == "DE-NW"
    unknown = letter_deadline("DE", kind="offer", start=date(2026, 5, 21), subdivision="XX")
    assert unknown.due_on == date(2026, 6, 4) and unknown.calendar == "DE-BE"
    reminder = letter_deadline("DE", kind="reminder", start=date(2026, 5, 21))     # Sun 31 May -> Mon 1 June
    assert reminder.due_on == date(2026, 6, 1) and reminder.days == 10
    assert letter_deadline("DE", kind="offer", start=date(2026, 5, 21), days=3).days == 7


def test_a_country_no_holiday_calendar_knows_counts_the_firms_working_days(monkeypatch):
    monkeypatch.delenv("CASEAPP_FIRM_CALENDAR", raising=False)
    result = letter_deadline("QQ", kind="offer", start=date(2026, 5, 21))
    # 14 working days in Berlin, Whit Monday 25 May not counted: Thu 11 June
    assert result.due_on == date(2026, 6, 11) and result.calendar == "DE-BE" and result.days == 14


# --- the next working day (an instalment's due date) -------------------------------------------------

def test_the_next_working_day_of_a_country_and_region():
    assert next_working_day("DE", date(2026, 5, 13)) == date(2026, 5, 13)         # a Wednesday
    assert next_working_day("DE", date(2026, 5, 14)) == date(2026, 5, 15)         # Ascension Day
    assert next_working_day("DE", date(2026, 5, 16)) == date(2026, 5, 18)         # Saturday
    assert next_working_day("DE", date(2026, 6, 4), subdivision="NW") == date(2026, 6, 5)   # Corpus Christi
    assert next_working_day("DE", date(2026, 6, 4), subdivision="XX") == date(2026, 6, 4)   # Berlin: working
    assert next_working_day("DE", date(2026, 12, 21)) == date(2026, 12, 21)       # no quiet period here
    # an unknown region: the country's own calendar (Bastille Day), not the firm's
    assert next_working_day("FR", date(2026, 7, 14), subdivision="XX") == date(2026, 7, 15)


def test_the_next_working_day_where_no_calendar_is_known_is_the_firms(monkeypatch):
    monkeypatch.delenv("CASEAPP_FIRM_CALENDAR", raising=False)
    assert next_working_day("QQ", date(2026, 5, 14)) == date(2026, 5, 15)


# --- limitation ends ----------------------------------------------------------------------------------

def test_a_limitation_end_that_does_not_move_says_so():
    spain = move_end("ES", date(2028, 12, 31))
    assert spain.due_on == date(2028, 12, 31) and spain.moved_by == ()
    source = jurisdiction("ES").section("limitation")["end_source"]
    assert spain.reasons == (f"The limitation period ends on Sun 31 December 2028; it does not move past weekends "
                             f"or holidays ({source}).",)
    # a country file without the rule: the end does not move either (the safe side)
    finland = move_end("FI", date(2028, 12, 31))
    assert finland.due_on == date(2028, 12, 31) and finland.moved_by == ()
    assert finland.explain() == ("The limitation period ends on Sun 31 December 2028; it does not move past weekends "
                                 "or holidays (no rule is recorded: the end does not move (the safe side)).")
    # a country without a file: the same
    assert move_end("AD", date(2028, 12, 31)).explain() == finland.explain()


def test_a_german_limitation_end_moves_with_its_reasons():
    result = move_end("DE", date(2028, 12, 31), subdivision="BY")
    assert result.due_on == date(2029, 1, 2) and result.moved_by == (WEEKEND, HOLIDAYS) and result.calendar == "DE-BY"
    assert result.reasons == (
        "The limitation period ends on Sun 31 December 2028; an end on saturday, sunday, holiday moves "
        f"({jurisdiction('DE').section('limitation')['end_source']}).",
        "Sun 31 December 2028 is a Sunday: the end moves to the next working day.",
        "Mon 1 January 2029 is New Year's Day, a public holiday in DE-BY: the end moves to the next working day.")
    assert not result.estimate
    unknown_region = move_end("DE", date(2028, 12, 31), subdivision="XX")
    assert unknown_region.due_on == date(2029, 1, 2) and unknown_region.calendar == "DE-BE"
    assert move_end("DE", date(2029, 1, 2)).due_on == date(2029, 1, 2)       # a working day: unmoved
    assert (result.start, result.days) == (None, 0)


def test_a_limitation_end_moves_past_a_saturday_where_the_law_says_so():
    result = move_end("DE", date(2026, 5, 16))
    assert result.due_on == date(2026, 5, 18) and result.moved_by == (WEEKEND,)
    assert result.reasons[1:] == ("Sat 16 May 2026 is a Saturday: the end moves to the next working day.",
                                  "Sun 17 May 2026 is a Sunday: the end moves to the next working day.")


def test_a_limitation_rule_marked_an_estimate_says_so_on_the_end(monkeypatch):
    monkeypatch.setitem(jurisdiction("DE").data["limitation"], "estimate", True)
    result = move_end("DE", date(2028, 12, 31))
    assert result.estimate is True and result.days == 0 and result.due_on == date(2029, 1, 2)


def test_an_unknown_region_falls_back_to_the_default_regions_public_holidays(monkeypatch):
    # with Bavaria as the default region: Assumption Day there is a Catholic holiday, not a public one
    monkeypatch.setitem(jurisdiction("DE").data["holidays"], "default_subdivision", "BY")
    result = move_end("DE", date(2025, 8, 15), subdivision="XX")
    assert result.due_on == date(2025, 8, 15) and result.calendar == "DE-BY"


# --- calendars --------------------------------------------------------------------------------------

def test_letters_count_catholic_holidays_limitation_ends_public_ones_only():
    letter = calendar("de", "by")
    assert (letter.country, letter.subdivision, letter.categories, letter.default_subdivision) == \
        ("DE", "BY", ("catholic", "public"), False)
    assert calendar("DE", "BY", kind=LIMITATION).categories == ("public",)
    default = calendar("DE")
    assert default.subdivision == "BE" and default.default_subdivision and default.name == "DE-BE"
    iceland = calendar("IS")
    assert iceland.name == "IS" and iceland.subdivision is None and not iceland.default_subdivision


def test_a_country_file_names_the_holiday_calendar_it_uses(monkeypatch):
    monkeypatch.setitem(jurisdiction("IS").data["holidays"], "country", "NO")
    assert calendar("IS").country == "NO"


def test_a_country_without_a_file_uses_its_own_holiday_calendar():
    andorra = calendar("AD")
    assert (andorra.country, andorra.subdivision, andorra.categories) == ("AD", None, ("public",))
    # no recorded rules: no minimum, an estimate, and its holidays (Our Lady of Meritxell, Tue 8 Sep 2026)
    result = due("AD", date(2026, 9, 1), 7)
    assert result.due_on == date(2026, 9, 9) and result.estimate and result.moved_by == (HOLIDAYS,)
    zero = due("AD", date(2026, 9, 1), 0)
    assert zero.due_on == date(2026, 9, 1) and zero.days == 0 and zero.moved_by == ()


def test_a_day_off_only_for_the_kinds_of_day_given():
    cal = calendar("DE", "BE")
    assert cal.day_off(date(2026, 5, 17)) == "a Sunday"
    assert cal.day_off(date(2026, 5, 16)) == "a Saturday"
    assert cal.day_off(date(2026, 5, 17), ("holiday",)) is None
    assert cal.day_off(date(2026, 5, 16), ("sunday", "holiday")) is None
    assert cal.day_off(date(2026, 5, 14), ("saturday", "sunday")) is None
    assert cal.day_off(date(2026, 5, 14)) == "Ascension Day, a public holiday in DE-BE"
    assert cal.day_off(date(2026, 5, 13)) is None


def test_a_one_day_quiet_period():
    assert in_quiet_period(date(2026, 12, 24), ((12, 24), (12, 24)))
    assert not in_quiet_period(date(2026, 12, 25), ((12, 24), (12, 24)))
    assert not in_quiet_period(date(2026, 6, 1), ((12, 24), (12, 24)))


# --- the country file's own words, and what it leaves out ----------------------------------------------

def test_a_period_rule_without_its_estimate_flag_is_an_estimate(monkeypatch):
    monkeypatch.delitem(jurisdiction("DE").data["deadlines"], "period_estimate")
    assert due("DE", date(2026, 5, 4), 14, "BE").estimate is True


def test_no_period_rule_recorded_is_an_estimate_whatever_the_flag(monkeypatch):
    monkeypatch.setitem(jurisdiction("FI").data["deadlines"], "period_estimate", False)
    assert due("FI", date(2026, 5, 4), 14).estimate is True


def test_a_legal_minimum_without_its_source_names_the_data(monkeypatch):
    monkeypatch.delitem(jurisdiction("DE").data["deadlines"], "source")
    assert due("DE", date(2026, 5, 4), 6, "BE").reasons[1] == ("6 days are fewer than the 7 days DE letters give at "
                                                              "least (jurisdiction data): 7 days count.")


# --- the app's settings ---------------------------------------------------------------------------------

def test_the_settings_of_the_running_app_decide():
    from flask import Flask

    app = Flask("settings")
    app.config.update(CASEAPP_FIRM_CALENDAR=("DE", "NW"), CASEAPP_QUIET_PERIOD=((12, 24), (1, 6)))
    with app.app_context():
        # Thu 4 June 2026 is Corpus Christi in North Rhine-Westphalia
        assert working_days(date(2026, 6, 3), 1).due_on == date(2026, 6, 5)
        # 11-23 Dec count (13 days), 24 Dec - 6 Jan do not: Thu 7 Jan 2027 (from 20 Dec: Mon 11 Jan)
        assert deadline("DE", start=date(2026, 12, 10), days=14, subdivision="BE").due_on == date(2027, 1, 7)


def test_an_app_without_the_settings_uses_berlin_and_the_christmas_quiet_period():
    from flask import Flask

    with Flask("defaults").app_context():
        result = working_days(date(2026, 6, 3), 1)
        assert result.due_on == date(2026, 6, 4) and result.calendar == "DE-BE"
        assert deadline("DE", start=date(2025, 12, 6), days=14, subdivision="BE").due_on == date(2026, 1, 7)


def test_public_holidays_always_count_for_letters_whatever_else_the_file_adds(monkeypatch):
    monkeypatch.setitem(jurisdiction("DE").data["holidays"], "categories", ["catholic"])
    assert calendar("DE", "BY").categories == ("catholic", "public")
    assert due("DE", date(2026, 4, 30), 14, "BY").due_on == date(2026, 5, 15)      # Ascension Day, a public one


def test_an_unknown_country_or_region_is_refused_naming_every_known_one():
    import holidays

    with pytest.raises(InvalidInput) as error:
        calendar("QQ")
    assert str(error.value) == f"'QQ' is not a country in the holiday calendar; use one of: " \
                               f"{', '.join(supported_countries())}."
    with pytest.raises(InvalidInput) as error:
        calendar("DE", "XX")
    assert str(error.value) == ("'XX' is not a state or region of DE in the holiday calendar; use one of: "
                                f"{', '.join(holidays.country_holidays('DE').subdivisions)}.")


def test_a_region_of_a_country_without_regions_is_refused():
    with pytest.raises(InvalidInput) as error:
        calendar("IS", "X")
    assert str(error.value) == "'X' is not a state or region of IS in the holiday calendar; it has none: leave it out."


def test_the_countries_the_holiday_calendar_knows():
    known = supported_countries()
    assert "DE" in known and "US" in known and known == sorted(known)
    assert all(len(code) == 2 for code in known)
