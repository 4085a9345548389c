import re
from fractions import Fraction

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money


def eur(text):
    return Money.parse(text, "EUR")


def test_parse_to_minor_units():
    assert eur("450.00") == Money(45000, "EUR")
    assert eur("0.01") == Money(1, "EUR")
    assert Money.parse("1500", "JPY") == Money(1500, "JPY")
    assert Money.parse("1.234", "KWD") == Money(1234, "KWD")


@pytest.mark.parametrize("text", ["4.505", "abc", "", "NaN", "1e400000"])
def test_parse_refuses_what_is_not_an_amount(text):
    with pytest.raises(InvalidInput):
        eur(text)


def test_parse_refuses_fractional_yen():
    with pytest.raises(InvalidInput, match="0 decimal places"):
        Money.parse("10.5", "JPY")


def test_no_float_ever():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")
    with pytest.raises(TypeError):
        eur("10.00") * 0.7


def test_arithmetic_and_currency_mismatch():
    assert eur("1.10") + eur("2.20") == eur("3.30")
    assert eur("5.00") - eur("0.01") == eur("4.99")
    assert eur("10.00") * Fraction(7, 10) == eur("7.00")
    assert eur("0.05") * Fraction(1, 2) == eur("0.03")  # half away from zero
    with pytest.raises(InvalidInput, match="EUR and USD"):
        eur("1.00") + Money.parse("1.00", "USD")


def test_allocation_keeps_every_cent():
    assert eur("100.01").allocate([70, 30]) == [eur("70.01"), eur("30.00")]
    assert eur("100.00").allocate([1, 1, 1]) == [eur("33.34"), eur("33.33"), eur("33.33")]
    assert eur("0.01").allocate([50, 50]) == [eur("0.01"), eur("0.00")]
    assert eur("-100.01").allocate([70, 30]) == [eur("-70.01"), eur("-30.00")]


@pytest.mark.parametrize("minor", [0, 1, 2, 99, 10001, 123457, 999999999])
@pytest.mark.parametrize("ratios", [[70, 30], [50, 50], [55, 45], [1, 1, 1], [3, 0, 7], [Fraction(1, 3), Fraction(2, 3)]])
def test_allocation_sums_to_the_whole(minor, ratios):
    parts = Money(minor, "EUR").allocate(ratios)
    assert sum(p.minor for p in parts) == minor
    total = sum(Fraction(r) for r in ratios)
    for part, ratio in zip(parts, ratios):
        exact = Fraction(minor) * Fraction(ratio) / total
        assert abs(part.minor - exact) < 1  # each part within a cent of its exact share


def test_whole_number_ratios_split_as_fractions_do():
    """Whole-number ratios take an integer path (fast): the same parts as the Fraction one."""
    import random

    rng = random.Random(7)
    for _ in range(3000):
        ratios = [rng.choice([0, 1, 3, 50, 4500, 5500, 7000, 10000, rng.randint(0, 10**6)])
                  for _ in range(rng.randint(1, 5))]
        if not any(ratios):
            continue
        amount = Money(rng.randint(-10**9, 10**9), "EUR")
        assert amount.allocate(ratios) == amount.allocate([Fraction(r) for r in ratios]), (amount, ratios)


def test_allocation_refuses_nonsense():
    with pytest.raises(InvalidInput):
        eur("1.00").allocate([])
    with pytest.raises(InvalidInput):
        eur("1.00").allocate([0, 0])
    with pytest.raises(InvalidInput):
        eur("1.00").allocate([-1, 2])


def test_formatting_by_locale():
    assert eur("1234.50").format("en") == "€1,234.50"
    assert eur("1234.50").format("de").replace("\xa0", " ") == "1.234,50 €"
    assert Money.parse("1500", "JPY").amount_text() == "1500"
    assert str(eur("450.00")) == "450.00 EUR"


def test_currency_code_checked():
    with pytest.raises(InvalidInput):
        Money(1, "euro")


# --- amounts people type ------------------------------------------------------------------------
# The command line takes one plain form; a comma is never a thousands separator there ('450,00'
# was read as 45,000: a claim a hundred times too high).

@pytest.mark.parametrize("text, currency, minor", [
    ("450", "EUR", 45000), ("450.5", "EUR", 45050), ("450.00", "EUR", 45000), ("0.01", "EUR", 1),
    ("1500", "JPY", 1500), ("1.234", "KWD", 1234), ("450.00", "eur", 45000),
    ("999999999999.99", "EUR", 99999999999999),
])
def test_plain_amounts_are_read_exactly(text, currency, minor):
    assert Money.parse_plain(text, currency) == Money(minor, currency.upper())


@pytest.mark.parametrize("text, currency", [
    ("450,00", "EUR"), ("1,234.50", "EUR"), ("-5", "EUR"), ("+5", "EUR"), ("450.005", "EUR"),  # EUR: 2 decimals
    ("10.5", "JPY"), ("1.2345", "KWD"), ("", "EUR"), (" 450", "EUR"), ("450 ", "EUR"), ("4 500", "EUR"),
    ("450.", "EUR"), (".50", "EUR"), ("1e5", "EUR"), ("nan", "EUR"), ("inf", "EUR"), ("١٢٣", "EUR"),
    ("４５０", "EUR"), ("1_000", "EUR"), ("0x10", "EUR"), ("1\n2", "EUR"), ("9" * 200, "EUR"),
])
def test_plain_amounts_refuse_everything_else_with_the_accepted_form(text, currency):
    with pytest.raises(InvalidInput) as refused:
        Money.parse_plain(text, currency)
    message = str(refused.value)
    assert "\n" not in message and len(message) < 200
    assert f"is not an amount in {currency.upper()}" in message
    digits = {"EUR": "at most 2 decimals, e.g. 450.00", "JPY": "digits only (no decimals), e.g. 450",
              "KWD": "at most 3 decimals, e.g. 450.000"}[currency]
    assert digits in message


def test_plain_amounts_too_large_are_refused():
    with pytest.raises(InvalidInput, match="too large"):
        Money.parse_plain("1000000000000", "EUR")


@pytest.mark.parametrize("code", ["XYZ", "EU", "EURO", "", "€", "ЕUR"])
def test_an_unknown_currency_is_one_clear_line(code):
    with pytest.raises(InvalidInput, match="is not a currency: use an ISO 4217 code"):
        Money.parse_plain("450", code)


def test_data_amounts_never_read_a_comma_as_a_separator():
    """Money.parse is for our own files; a comma there is an error too, never ignored."""
    with pytest.raises(InvalidInput):
        Money.parse("450,00", "EUR")
    assert Money.parse("1.234", "KWD") == Money(1234, "KWD")


# On the pages amounts are typed in the user's locale (Babel, strict).

@pytest.mark.parametrize("text, locale, minor", [
    ("1.234,50", "de", 123450), ("1234,50", "de", 123450), ("1.234", "de", 123400), ("450", "de", 45000),
    ("0,01", "de", 1), (" 450,00 ", "de", 45000), ("1.234.567,89", "de", 123456789),
    ("1,234.50", "en", 123450), ("1234.50", "en", 123450), ("1,234", "en", 123400), ("0.01", "en", 1),
])
def test_page_amounts_are_read_in_the_locale(text, locale, minor):
    assert Money.parse_local(text, "EUR", locale) == Money(minor, "EUR")


@pytest.mark.parametrize("text, locale", [
    ("1.23450", "de"),      # never 1.23450 nor 123,450: the group separator in the wrong place
    ("450.00", "de"), ("1,234.50", "de"), ("1.234,505", "de"), ("12.34", "de"),
    ("1,5", "en"), ("1234,50", "en"), ("1.234,50", "en"), ("1,234.505", "en"),
    ("-5", "de"), ("-5", "en"), ("+5", "en"), ("1e5", "en"), ("nan", "en"), ("١٢٣", "de"), ("", "de"), ("   ", "en"),
    ("9" * 200, "en"), ("1\n2", "en"),
])
def test_page_amounts_refuse_what_the_locale_does_not_write(text, locale):
    example = {"de": "1.234,50", "en": "1,234.50"}[locale]
    with pytest.raises(InvalidInput, match=f"is not an amount in EUR: write it like {re.escape(example)}"):
        Money.parse_local(text, "EUR", locale)


def test_page_amounts_in_a_currency_without_decimals():
    assert Money.parse_local("1.234", "JPY", "de") == Money(1234, "JPY")
    with pytest.raises(InvalidInput, match=r"write it like 1,234 \(no decimals"):
        Money.parse_local("1,234.5", "JPY", "en")
