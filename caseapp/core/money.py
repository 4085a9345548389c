"""Money: integer minor units with an ISO 4217 currency. No float touches an amount.

    >>> Money.parse("100.01", "EUR").allocate([70, 30])
    [Money(7001, 'EUR'), Money(3000, 'EUR')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Iterable, Sequence

from babel.numbers import (NumberFormatError, format_currency, format_decimal, get_currency_precision,
                           get_decimal_symbol, get_group_symbol, list_currencies, parse_decimal)
from flask_babel import gettext, ngettext

from caseapp.core.errors import InvalidInput


# Larger amounts are typing errors, and would not fit a database BIGINT in minor units.
MAX_AMOUNT = Decimal(10) ** 12


# What a person types is at most this long (longer is a paste gone wrong; refused unread).
MAX_TYPED = 64

# On the command line: ASCII digits, an optional dot and decimals. Nothing else.
_PLAIN = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


def minor_digits(currency: str) -> int:
    """Digits after the decimal point of `currency` (EUR 2, JPY 0, KWD 3)."""
    return get_currency_precision(currency)


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_code(text: str) -> str:
    """A currency a person named ('eur', ' EUR') as its ISO 4217 code ('EUR'); an unknown
    code is refused (Babel would otherwise give 'XYZ' two decimals without a word)."""
    code = str(text or "").strip().upper()
    if not (code.isascii() and code.isalpha() and code in _currencies()):
        raise InvalidInput(f"{shown(text)} is not a currency: use an ISO 4217 code, e.g. EUR, USD, CHF, JPY.")
    return code


def shown(text, limit: int = 30) -> str:
    """`text` quoted for an error message on one line: control characters escaped, cut short."""
    text = str(text)
    cut = text[:limit]
    quoted = "'" + cut.encode("unicode_escape").decode("ascii") + "'" if not cut.isprintable() else f"'{cut}'"
    return quoted + ("…" if len(text) > limit else "")


def plain_example(currency: str) -> str:
    """'450.00' (EUR), '450' (JPY), '450.000' (KWD): an amount as the command line takes it."""
    digits = minor_digits(currency)
    return "450" + ("." + "0" * digits if digits else "")


def local_example(currency: str, locale: str) -> str:
    """'1,234.50' (en), '1.234,50' (de), '1,234' (JPY): an amount as a page in `locale` takes it."""
    digits = minor_digits(currency)
    return format_decimal(Decimal("1234.50").quantize(Decimal(1).scaleb(-digits)),
                          format="#,##0" + ("." + "0" * digits if digits else ""), locale=locale)


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
        """'450.00' EUR -> Money(45000, 'EUR'). Refuses more decimals than the currency has.

        For amounts from our own data (the jurisdiction files, the fee tables, claim lines
        kept as text) and from code. What a person typed goes through `parse_plain` (the
        command line) or `parse_local` (the pages): those refuse a comma, a sign, a
        thousands separator the locale does not use, unicode digits and the like."""
        try:
            value = Decimal(str(text).strip()) if not isinstance(text, Decimal) else text
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

    @classmethod
    def parse_plain(cls, text: str, currency: str) -> "Money":
        """An amount typed on the command line: ASCII digits with an optional dot and at most
        the currency's decimals ('450', '450.5', '450.00' in EUR; '450' in JPY). A comma, a
        sign, a space, a thousands separator, an exponent, 'nan', unicode digits, a third
        decimal for EUR are refused with the accepted form: '450,00' is never 45,000."""
        currency = currency_code(currency)
        digits = minor_digits(currency)
        match = _PLAIN.fullmatch(text) if isinstance(text, str) and len(text) <= MAX_TYPED else None
        if match is None or len(match.group(2) or "") > digits:
            raise InvalidInput(f"{shown(text)} is not an amount in {currency}: {_plain_rule(digits)}, "
                               f"e.g. {plain_example(currency)}")
        return cls._typed(Decimal(text), currency, text)

    @classmethod
    def parse_local(cls, text: str, currency: str, locale: str) -> "Money":
        """An amount typed on a page, in the user's locale (Babel, strict): '1.234,50' in German
        and '1,234.50' in English are 1234.50; German '1.23450' or English '1,5' (a separator
        in the wrong place) is refused, never read as another number. ASCII digits, the
        locale's group and decimal symbols and spaces only: no sign, no exponent, at most the
        currency's decimals."""
        currency = currency_code(currency)
        digits = minor_digits(currency)
        group, point = get_group_symbol(locale), get_decimal_symbol(locale)
        value = None
        if isinstance(text, str) and 0 < len(text.strip()) <= MAX_TYPED:
            typed = text.strip()
            if group.isspace():   # French and others group with a narrow no-break space; people type a space
                typed = re.sub(r"\s", group, typed)
            if all(c.isascii() and c.isdigit() or c in (group, point) for c in typed):
                try:
                    value = parse_decimal(typed, locale=locale, strict=True)
                except NumberFormatError:
                    value = None
        if value is None or not value.is_finite() or value < 0 or -value.as_tuple().exponent > digits:
            raise InvalidInput(gettext("%(typed)s is not an amount in %(currency)s: write it like %(example)s "
                                       "(%(rule)s).", typed=shown(text), currency=currency,
                                       example=local_example(currency, locale), rule=_local_rule(digits)))
        return cls._typed(value, currency, text)

    @classmethod
    def _typed(cls, value: Decimal, currency: str, text: str) -> "Money":
        if value >= MAX_AMOUNT:
            raise InvalidInput(gettext("%(typed)s is too large for an amount in %(currency)s; check the figure.",
                                       typed=shown(text), currency=currency))
        return cls(int(value.scaleb(minor_digits(currency))), currency)

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
        if all(type(r) is int for r in ratios):
            return self._allocate_int(ratios)
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

    def _allocate_int(self, ratios: Sequence[int]) -> list["Money"]:
        """`allocate` over whole-number ratios in integers (the same parts, ten times faster than
        with Fractions: a payout batch splits tens of thousands of amounts). Every exact part
        has the same denominator (the ratios' total), so remainders compare as numerators."""
        if any(r < 0 for r in ratios):
            raise InvalidInput("ratios cannot be negative")
        total_ratio = sum(ratios)
        if total_ratio == 0:
            raise InvalidInput("ratios cannot all be zero")
        sign = -1 if self.minor < 0 else 1
        amount = abs(self.minor)
        parts = [divmod(amount * r, total_ratio) for r in ratios]
        floors = [floor for floor, _ in parts]
        left = amount - sum(floors)
        if left:
            order = sorted(range(len(parts)), key=lambda i: (-parts[i][1], i))
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

    def format(self, locale: str | None = None) -> str:
        """'€450.00' (en), '450,00 €' (de); without a locale, the reader's (a page's person, else
        the firm's CASEAPP_LOCALE, else English: core.formatting.current_locale)."""
        if locale is None:
            from caseapp.core.formatting import current_locale

            locale = current_locale()
        return _formatted(self.minor, self.currency, locale)

    def __str__(self) -> str:
        return f"{self.amount_text()} {self.currency}"


@lru_cache(maxsize=8192)
def _formatted(minor: int, currency: str, locale: str) -> str:
    """Babel's formatting (a pattern parsed, a locale's symbols looked up: about half a millisecond
    an amount) made once per amount, currency and language: a queue page shows a hundred amounts,
    most of them the same few claims."""
    return format_currency(Decimal(minor).scaleb(-minor_digits(currency)), currency, locale=locale)


def _plain_rule(digits: int) -> str:
    if digits == 0:
        return "write digits only (no decimals)"
    return f"write digits with an optional dot and at most {digits} decimals"


def _local_rule(digits: int) -> str:
    if digits == 0:
        return gettext("no decimals, no sign")
    return ngettext("at most %(num)d decimal, no sign", "at most %(num)d decimals, no sign", digits)


def _round_half_away(value: Fraction) -> int:
    whole, rest = divmod(abs(value.numerator), value.denominator)
    if 2 * rest >= value.denominator:
        whole += 1
    return whole if value >= 0 else -whole
