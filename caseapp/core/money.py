"""Money: integer minor units with an ISO 4217 currency. No float touches an amount.

    >>> Money.parse("100.01", "EUR").allocate([70, 30])
    [Money(7001, 'EUR'), Money(3000, 'EUR')]
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Iterable, Sequence

from babel.numbers import format_currency, get_currency_precision

from caseapp.core.errors import InvalidInput


# Larger amounts are typing errors, and would not fit a database BIGINT in minor units.
MAX_AMOUNT = Decimal(10) ** 12


def minor_digits(currency: str) -> int:
    """Digits after the decimal point of `currency` (EUR 2, JPY 0, KWD 3)."""
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money needs integer minor units, got {self.minor!r}")
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isupper()):
            raise InvalidInput(f"'{self.currency}' is not an ISO 4217 currency code (e.g. EUR, USD).")

    # construction ---------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str | Decimal | int, currency: str) -> "Money":
        """'450.00' EUR -> Money(45000, 'EUR'). Refuses more decimals than the currency has."""
        try:
            value = Decimal(str(text).strip().replace(",", "")) if not isinstance(text, Decimal) else text
        except InvalidOperation:
            raise InvalidInput(f"'{text}' is not an amount; write it like 450.00.") from None
        if not value.is_finite():
            raise InvalidInput(f"'{text}' is not an amount; write it like 450.00.")
        if abs(value) >= MAX_AMOUNT:
            raise InvalidInput(f"'{text}' is too large for an amount; check the figure.")
        digits = minor_digits(currency)
        scaled = value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise InvalidInput(f"{currency} amounts have {digits} decimal places; '{text}' has more.")
        return cls(int(scaled), currency)

    # arithmetic -------------------------------------------------------------
    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise InvalidInput(f"cannot combine {self.currency} and {other.currency} amounts")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: int | Fraction) -> "Money":
        """Multiply by an integer or an exact fraction; rounds half away from zero."""
        if isinstance(factor, bool) or not isinstance(factor, (int, Fraction)):
            raise TypeError("multiply Money by an int or a Fraction, never a float")
        return Money(_round_half_away(Fraction(self.minor) * factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    @staticmethod
    def sum(amounts: Iterable["Money"], currency: str) -> "Money":
        total = Money.zero(currency)
        for amount in amounts:
            total = total + amount
        return total

    # splitting ---------------------------------------------------------------
    def allocate(self, ratios: Sequence[int | Fraction]) -> list["Money"]:
        """Split by `ratios` with the largest-remainder method: the parts add up
        to exactly this amount. Ties go to the earlier part.

        €100.01 at 70/30 -> 70.01 / 30.00 (never 70.00 / 30.00 and a lost cent)."""
        if not ratios:
            raise InvalidInput("allocate needs at least one ratio")
        fractions = [Fraction(r) for r in ratios]
        if any(f < 0 for f in fractions):
            raise InvalidInput("ratios cannot be negative")
        total_ratio = sum(fractions)
        if total_ratio == 0:
            raise InvalidInput("ratios cannot all be zero")
        sign = -1 if self.minor < 0 else 1
        amount = abs(self.minor)
        exact = [Fraction(amount) * f / total_ratio for f in fractions]
        floors = [int(e) for e in exact]  # exact >= 0, so int() floors
        left = amount - sum(floors)
        order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:left]:
            floors[i] += 1
        return [Money(sign * part, self.currency) for part in floors]

    # display -------------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-minor_digits(self.currency))

    def amount_text(self) -> str:
        """'450.00': a plain decimal string for JSON and CSV."""
        digits = minor_digits(self.currency)
        return f"{self.to_decimal():.{digits}f}"

    def format(self, locale: str = "en") -> str:
        """'€450.00' (en), '450,00 €' (de)."""
        return format_currency(self.to_decimal(), self.currency, locale=locale)

    def __str__(self) -> str:
        return f"{self.amount_text()} {self.currency}"


def _round_half_away(value: Fraction) -> int:
    whole, rest = divmod(abs(value.numerator), value.denominator)
    if 2 * rest >= value.denominator:
        whole += 1
    return whole if value >= 0 else -whole
