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
