"""Money at its edges: each rule of caseapp/core/money.py on both sides of its threshold, and the
refusals a person reads (they name what was typed and the form that is accepted)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.core.money import MAX_TYPED, Money, shown


def eur(minor):
    return Money(minor, "EUR")


def refusal(call, *args, error=InvalidInput):
    with pytest.raises(error) as refused:
        call(*args)
    return str(refused.value)


# --- constructing ---------------------------------------------------------------------------------

def test_zero_is_no_money_in_that_currency():
    assert Money.zero("EUR") == Money(0, "EUR")
    assert Money.zero("JPY").currency == "JPY"
    assert not Money.zero("EUR")


@pytest.mark.parametrize("code", ["eur", "Eur", "EURO", "EU", ""])
def test_money_refuses_a_currency_that_is_not_three_capitals_naming_it(code):
    assert refusal(Money, 1, code) == f"'{code}' is not an ISO 4217 currency code (e.g. EUR, USD)."


@pytest.mark.parametrize("minor", [1.5, "100", Decimal("1"), True, None])
def test_money_refuses_minor_units_that_are_not_an_integer_naming_them(minor):
    assert refusal(Money, minor, "EUR", error=TypeError) == f"Money needs integer minor units, got {minor!r}"


# --- amounts from our own data: Money.parse -----------------------------------------------------

@pytest.mark.parametrize("text", ["abc", "4,50", "1e400000000000000000000"])
def test_parse_refuses_what_is_not_a_number_naming_it(text):
    assert refusal(Money.parse, text, "EUR") == f"'{text}' is not an amount; write it like 450.00."


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_parse_refuses_what_is_not_a_finite_number_naming_it(text):
    assert refusal(Money.parse, text, "EUR") == f"'{text}' is not an amount; write it like 450.00."


def test_parse_takes_up_to_just_under_a_trillion_either_way():
    assert Money.parse("999999999999.99", "EUR") == eur(99999999999999)
    assert Money.parse("-999999999999.99", "EUR") == eur(-99999999999999)
    for text in ("1000000000000", "-1000000000000", "1000000000000.00"):
        assert refusal(Money.parse, text, "EUR") == f"'{text}' is too large for an amount; check the figure."


def test_parse_takes_a_decimal_and_an_int_as_they_are():
    assert Money.parse(Decimal("12.30"), "EUR") == eur(1230)
    assert Money.parse(Decimal("-0.01"), "EUR") == eur(-1)
    assert Money.parse(7, "JPY") == Money(7, "JPY")
    assert refusal(Money.parse, Decimal("0.001"), "EUR") == "EUR amounts have 2 decimal places; '0.001' has more."


def test_parse_allows_the_currencys_decimals_and_not_one_more():
    assert Money.parse("1.001", "KWD") == Money(1001, "KWD")
    assert refusal(Money.parse, "1.0001", "KWD") == "KWD amounts have 3 decimal places; '1.0001' has more."
    assert Money.parse("4.50", "EUR") == eur(450)
    assert Money.parse("4.500", "EUR") == eur(450)   # a trailing zero is no cent lost


# --- amounts typed on the command line: Money.parse_plain -------------------------------------

def test_plain_refusal_names_the_typed_text_and_ends_with_the_example():
    message = refusal(Money.parse_plain, "450,00", "EUR")
    assert message == ("'450,00' is not an amount in EUR: write digits with an optional dot and at most 2 "
                       "decimals, e.g. 450.00")
    assert refusal(Money.parse_plain, "10.5", "JPY") == \
        "'10.5' is not an amount in JPY: write digits only (no decimals), e.g. 450"
    assert refusal(Money.parse_plain, "1.2345", "KWD").endswith("at most 3 decimals, e.g. 450.000")


def test_plain_typed_text_is_read_up_to_64_characters():
    """64 characters are read (here: a figure too large), 65 are refused unread (a paste gone wrong)."""
    assert MAX_TYPED == 64
    assert Money.parse_plain("0" * 58 + "450.00", "EUR") == eur(45000)
    assert refusal(Money.parse_plain, "9" * 64, "EUR") == \
        f"{shown('9' * 64)} is too large for an amount in EUR; check the figure."
    assert refusal(Money.parse_plain, "0" * 59 + "450.00", "EUR").startswith(
        f"{shown('0' * 59)} is not an amount in EUR: write digits")


def test_plain_amounts_take_up_to_just_under_a_trillion():
    assert Money.parse_plain("999999999999.99", "EUR") == eur(99999999999999)
    assert refusal(Money.parse_plain, "1000000000000", "EUR") == \
        "'1000000000000' is too large for an amount in EUR; check the figure."


@pytest.mark.parametrize("code, named", [("XYZ", "'XYZ'"), ("€", "'€'"), ("E\tR", "'E\\tR'"), (None, "'None'"),
                                         ("", "''")])
def test_an_unknown_currency_is_refused_naming_it(code, named):
    assert refusal(Money.parse_plain, "450", code) == \
        f"{named} is not a currency: use an ISO 4217 code, e.g. EUR, USD, CHF, JPY."


def test_a_currency_is_read_whatever_its_case_and_spaces():
    assert Money.parse_plain("1", " jpy ") == Money(1, "JPY")


# --- how a refusal shows what was typed -------------------------------------------------------

def test_shown_quotes_up_to_30_characters_and_marks_a_cut():
    assert shown("a" * 30) == "'" + "a" * 30 + "'"
    assert shown("a" * 31) == "'" + "a" * 30 + "'…"
    assert shown("abc", limit=2) == "'ab'…"
    assert shown("") == "''"
    assert shown(450) == "'450'"


def test_shown_escapes_control_characters_but_not_printable_ones():
    assert shown("1\n2") == "'1\\n2'"
    assert shown("\x1b[31m") == "'\\x1b[31m'"
    assert shown("12,50 €") == "'12,50 €'"
    assert shown("١٢٣") == "'١٢٣'"


def test_a_refusal_stays_on_one_line():
    assert refusal(Money.parse_plain, "1\n2", "EUR").startswith("'1\\n2' is not an amount in EUR")


# --- amounts typed on the pages: Money.parse_local --------------------------------------------

@pytest.mark.parametrize("text, minor", [("5", 500), ("0", 0), ("0,00", 0), ("0,01", 1)])
def test_page_amounts_from_one_digit_and_from_zero(text, minor):
    assert Money.parse_local(text, "EUR", "de") == eur(minor)


@pytest.mark.parametrize("text", ["1 234,50", "1\u202f234,50", "1\xa0234,50", " 1 234,50 "])
def test_page_amounts_in_french_take_a_typed_space_as_the_group(text):
    """French groups with a narrow no-break space, which nobody types: a space does."""
    assert Money.parse_local(text, "EUR", "fr") == eur(123450)


def test_page_amounts_in_german_refuse_a_space():
    assert "is not an amount in EUR" in refusal(Money.parse_local, "1 234,50", "EUR", "de")


def test_page_refusal_names_the_text_the_example_and_the_rule():
    assert refusal(Money.parse_local, "1,234.505", "EUR", "en") == \
        "'1,234.505' is not an amount in EUR: write it like 1,234.50 (at most 2 decimals, no sign)."
    assert refusal(Money.parse_local, "1,5", "JPY", "de") == \
        "'1,5' is not an amount in JPY: write it like 1.234 (no decimals, no sign)."
    assert refusal(Money.parse_local, "1.2345", "KWD", "en") == \
        "'1.2345' is not an amount in KWD: write it like 1,234.500 (at most 3 decimals, no sign)."
    assert Money.parse_local("1.234", "KWD", "en") == Money(1234, "KWD")


def test_page_typed_text_is_read_up_to_64_characters():
    assert Money.parse_local("0" * 61 + "450", "EUR", "en") == eur(45000)
    assert refusal(Money.parse_local, "9" * 64, "EUR", "en") == \
        f"{shown('9' * 64)} is too large for an amount in EUR; check the figure."
    assert refusal(Money.parse_local, "9" * 65, "EUR", "en").startswith(f"{shown('9' * 65)} is not an amount in EUR")


def test_page_amounts_take_up_to_just_under_a_trillion():
    assert Money.parse_local("999.999.999.999,99", "EUR", "de") == eur(99999999999999)
    assert refusal(Money.parse_local, "1.000.000.000.000", "EUR", "de") == \
        "'1.000.000.000.000' is too large for an amount in EUR; check the figure."


# --- arithmetic and comparison ----------------------------------------------------------------

def test_negation_flips_the_sign_and_keeps_the_currency():
    assert -eur(150) == eur(-150)
    assert -Money(-3, "JPY") == Money(3, "JPY")


def test_comparisons_on_both_sides_of_equality():
    assert eur(99) < eur(100) and not eur(100) < eur(100) and not eur(101) < eur(100)
    assert eur(99) <= eur(100) and eur(100) <= eur(100) and not eur(101) <= eur(100)
    assert eur(101) > eur(100) and not eur(100) > eur(100) and not eur(99) > eur(100)
    assert eur(101) >= eur(100) and eur(100) >= eur(100) and not eur(99) >= eur(100)


@pytest.mark.parametrize("compare", [lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b,
                                     lambda a, b: a >= b])
def test_comparing_amounts_in_two_currencies_is_refused(compare):
    with pytest.raises(InvalidInput, match="cannot combine EUR and USD amounts"):
        compare(eur(1), Money(1, "USD"))
    with pytest.raises(TypeError, match="cannot combine Money with int"):
        compare(eur(1), 1)


def test_combining_money_with_a_number_is_refused_naming_its_type():
    assert refusal(lambda: eur(1) + 1, error=TypeError) == "cannot combine Money with int"
    assert refusal(lambda: eur(1) - Decimal(1), error=TypeError) == "cannot combine Money with Decimal"


def test_only_zero_is_false():
    assert not eur(0)
    assert eur(1) and eur(-1)


def test_sum_adds_in_the_currency_and_refuses_another():
    assert Money.sum([], "EUR") == eur(0)
    assert Money.sum([], "JPY") == Money(0, "JPY")
    assert Money.sum([eur(150), eur(250), eur(-50)], "EUR") == eur(350)
    with pytest.raises(InvalidInput, match="cannot combine USD and EUR amounts"):
        Money.sum([eur(1)], "USD")


def test_multiplying_by_a_float_is_refused_with_the_reason():
    assert refusal(lambda: eur(1000) * 0.7, error=TypeError) == "multiply Money by an int or a Fraction, never a float"
    assert refusal(lambda: eur(1000) * True, error=TypeError) == "multiply Money by an int or a Fraction, never a float"
    assert 3 * eur(5) == eur(15)


@pytest.mark.parametrize("minor, factor, expected", [
    (1, Fraction(2, 5), 0),     # 0.4 cent: down
    (1, Fraction(1, 2), 1),     # 0.5: away from zero
    (1, Fraction(3, 5), 1),     # 0.6: up
    (5, Fraction(1, 3), 2),     # 1.67
    (5, Fraction(1, 2), 3),     # 2.5
    (-1, Fraction(2, 5), 0),
    (-1, Fraction(1, 2), -1),   # -0.5: away from zero
    (-1, Fraction(3, 5), -1),
    (-5, Fraction(1, 2), -3),   # -2.5
    (-7, Fraction(1, 1), -7),
    (0, Fraction(1, 2), 0),
])
def test_multiplying_rounds_half_away_from_zero(minor, factor, expected):
    assert eur(minor) * factor == eur(expected)


# --- splitting --------------------------------------------------------------------------------

@pytest.mark.parametrize("ratios", [[], ()])
def test_allocate_needs_a_ratio(ratios):
    assert refusal(eur(100).allocate, ratios) == "allocate needs at least one ratio"


@pytest.mark.parametrize("ratios", [[1, -1, 2], [Fraction(1, 2), Fraction(-1, 4)]])
def test_allocate_refuses_a_negative_ratio(ratios):
    assert refusal(eur(100).allocate, ratios) == "ratios cannot be negative"


@pytest.mark.parametrize("ratios", [[0], [0, 0], [Fraction(0), Fraction(0)]])
def test_allocate_refuses_ratios_that_are_all_zero(ratios):
    assert refusal(eur(100).allocate, ratios) == "ratios cannot all be zero"


def test_allocate_takes_percentages_as_decimals_exactly():
    """A share read from a file as a Decimal splits like the same Fraction, to the cent."""
    assert eur(1001).allocate([Decimal("0.7"), Decimal("0.3")]) == [eur(701), eur(300)]
    assert eur(-1001).allocate([Decimal("0.7"), Decimal("0.3")]) == [eur(-701), eur(-300)]


def test_allocating_nothing_gives_nothing_to_everyone():
    assert eur(0).allocate([70, 30]) == [eur(0), eur(0)]
    assert eur(0).allocate([Fraction(1, 3), Fraction(2, 3)]) == [eur(0), eur(0)]


# --- display ----------------------------------------------------------------------------------

def test_format_is_english_unless_told():
    assert eur(123450).format() == "€1,234.50"
    assert Money(-5, "USD").format() == "-$0.05"
    assert Money(1500, "JPY").format() == "¥1,500"


def test_amount_text_has_the_currencys_decimals():
    assert eur(5).amount_text() == "0.05"
    assert eur(-5).amount_text() == "-0.05"
    assert Money(1, "KWD").amount_text() == "0.001"
    assert str(Money(1500, "JPY")) == "1500 JPY"
