"""Claim amounts, line by line: the fee table, the surcharge, amateurs, currencies, the
client's sales history, the floor."""
from __future__ import annotations

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.feasibility import services
from caseapp.feasibility.services import claim_amount


def test_german_commercial_web_use_with_the_credit_missing():
    result = claim_amount("DE", usage="web-commercial", months=14, credit_missing=True)
    assert [l.amount for l in result.lines] == [Money.parse("505.00", "EUR"), Money.parse("505.00", "EUR")]
    assert "up to 2 years" in result.lines[0].label and "+100%" in result.lines[1].label
    assert result.total == Money.parse("1010.00", "EUR") and result.floor == Money.parse("606.00", "EUR")
    assert result.estimate


def test_amateurs_get_the_courts_rate():
    result = claim_amount("DE", usage="web-commercial", months=14, credit_missing=True, amateur=True)
    assert result.total == Money.parse("200.00", "EUR")        # BGH I ZR 187/17: €100 + €100
    assert "BGH I ZR 187/17" in result.lines[0].basis


def test_duration_size_images_and_another_currency():
    week = claim_amount("DE", usage="social-media", months=1, size="small")
    assert week.total == Money.parse("70.00", "EUR")            # €100 x 0.70
    forever = claim_amount("DE", usage="advertising", months=120, images=2)
    assert forever.total == Money.parse("4800.00", "EUR") and "x 2 images" in forever.lines[0].label
    us = claim_amount("US", usage="web-commercial", months=14)
    assert us.total.currency == "USD" and us.total == Money.parse("599.94", "USD")   # 505 x 1.10 x 1.08
    assert "price level" in us.lines[0].basis and "USD per EUR" in us.lines[0].basis


def test_the_clients_sales_history_overrides_the_table(monkeypatch):
    from caseapp.clients import services as clients

    monkeypatch.setattr(clients, "documented_fee", lambda session, work_id: Money.parse("780.00", "EUR"))
    result = claim_amount("DE", usage="web-commercial", months=14, session=object(), work_id=7)
    assert result.lines[0].amount == Money.parse("780.00", "EUR") and "sales" in result.lines[0].label
    assert not result.estimate


def test_no_sales_history_yet_means_the_table():
    assert services.sales_history_fee(None, 7) is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(usage="billboard", months=3), "Unknown usage 'billboard'"),
    (dict(usage="print", months=0), "at least a month"),
    (dict(usage="print", months=3, size="huge"), "Unknown size"),
])
def test_bad_input_says_what_to_give(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        claim_amount("DE", **kwargs)
