"""Claim amounts, line by line, by the evidence of the photographer's licensing, with worked
examples from the calibration set (benchmarks/calibration/decisions.toml): the court's award is
in each test's comment; caseapp is held to its own rules, not to one decision."""
from __future__ import annotations

from datetime import date

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.feasibility import services
from caseapp.feasibility.rules import jurisdiction
from caseapp.feasibility.services import claim_amount


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


# --- the evidence decides the rate ------------------------------------------------------------------

def test_without_proof_of_licensing_the_rate_courts_give_then():
    # AG München 142 C 1511/21: web use, the table rate not proven: €100 (courts give €100–180)
    result = claim_amount("DE", usage="web-commercial", days=365)
    assert result.total == eur("150.00") and result.evidence == "none"
    assert "without proof" in result.lines[0].label and "AG München 142 C 1511/21" in result.lines[0].basis
    assert claim_amount("DE", usage="web-commercial", days=365, evidence="none") == result


def test_with_proof_of_professional_work_the_rate_courts_accept_for_professionals():
    # LG Köln 14 O 15/20: a professional's photo on a commercial site: €1,500
    result = claim_amount("DE", usage="web-commercial", days=365, evidence="professional")
    assert result.total == eur("1300.00") and "LG Köln 14 O 15/20" in result.lines[0].basis
    # a country without its courts' figure for professionals: the fee table at its price level
    france = claim_amount("FR", usage="web-commercial", days=365, evidence="professional")
    assert france.total == eur("342.00") and "MFM-style" in france.lines[0].basis     # €360 x 0.95


def test_documented_sales_decide():
    # Trib. Napoli 1617/2025: the claimant's own tariff, €1,615; nothing for the missing credit
    result = claim_amount("IT", usage="web-commercial", days=365, documented_fee=eur("1615.00"),
                          credit_missing=True)
    assert result.total == eur("1615.00") and result.evidence == "sales" and not result.estimate
    assert len(result.lines) == 1                      # Italy: no credit surcharge of its own
    with pytest.raises(InvalidInput, match="documented fee"):
        claim_amount("DE", usage="web-commercial", days=365, evidence="sales")


def test_the_clients_sales_history_overrides_the_rates(monkeypatch):
    from caseapp.clients import services as clients

    monkeypatch.setattr(clients, "documented_fee", lambda session, work_id: eur("780.00"))
    result = claim_amount("DE", usage="web-commercial", months=14, session=object(), work_id=7)
    assert result.lines[0].amount == eur("780.00") and "sales" in result.lines[0].label
    assert not result.estimate and result.evidence == "sales"
    assert services.sales_history_fee(None, 7) is None


def test_a_private_persons_use_is_priced_as_courts_price_it():
    # OLG Braunschweig 2 U 7/11: four photos in a private eBay listing, €20 each, no credit surcharge
    result = claim_amount("DE", usage="ecommerce-product", days=10, images=4, private=True, credit_missing=True)
    assert result.total == eur("80.00") and len(result.lines) == 1
    assert "OLG Braunschweig 2 U 7/11" in result.lines[0].basis
    # a country without such a decision: an estimate, said so
    austria = claim_amount("AT", usage="web-commercial", days=365, private=True)
    assert austria.estimate and "estimate" in austria.lines[0].basis and austria.total == eur("30.00")


def test_an_amateurs_photo_gets_the_courts_amateur_rate():
    # BGH I ZR 187/17: an amateur's photo on an event site, no credit: €100 + €100
    result = claim_amount("DE", usage="web-commercial", days=365, credit_missing=True, amateur=True)
    assert [l.amount for l in result.lines] == [eur("100.00"), eur("50.00")]   # +50%: nothing proven
    assert "BGH I ZR 187/17" in result.lines[0].basis


# --- surcharges, each as data with its range and source ---------------------------------------------

def test_the_missing_credit_surcharge_by_evidence():
    professional = claim_amount("DE", usage="web-commercial", days=365, evidence="professional", credit_missing=True)
    assert [l.amount for l in professional.lines] == [eur("1300.00"), eur("1300.00")]
    assert "+100%" in professional.lines[1].label and "courts give 0%" in professional.lines[1].basis
    unproven = claim_amount("DE", usage="web-commercial", days=365, credit_missing=True)
    assert [l.amount for l in unproven.lines] == [eur("150.00"), eur("75.00")]
    # ECLI:NL:RBMNE:2021:5887: €360 + 25% for the missing credit
    dutch = claim_amount("NL", usage="web-commercial", days=365, evidence="professional", credit_missing=True)
    assert [l.amount for l in dutch.lines] == [eur("360.00"), eur("90.00")]


def test_austria_doubles_for_fault_not_for_the_credit():
    culpable = claim_amount("AT", usage="web-commercial", days=365, credit_missing=True)
    assert [l.amount for l in culpable.lines] == [eur("150.00"), eur("150.00")]
    assert "culpable" in culpable.lines[1].label and "§ 87(3) UrhG" in culpable.lines[1].basis
    assert claim_amount("AT", usage="web-commercial", days=365, fault=False).total == eur("150.00")


def test_flagrancy_adds_additional_damages_in_the_uk():
    # Webb v VA Events (IPEC IP14S01982): his uncredited rate £300, notices removed: £300 + £1,500
    webb = claim_amount("GB", usage="web-commercial", days=365, documented_fee=Money.parse("300.00", "GBP"),
                        flagrant=True, credit_missing=True)
    assert [l.amount.amount_text() for l in webb.lines] == ["300.00", "1200.00"] and webb.total.currency == "GBP"
    assert "s.97(2) CDPA" in webb.lines[1].basis
    assert claim_amount("GB", usage="web-commercial", days=365, documented_fee=Money.parse("300.00", "GBP")) \
        .total == Money.parse("300.00", "GBP")
    assert claim_amount("DE", usage="web-commercial", days=365, flagrant=True).total == eur("150.00")  # no such rule


def test_us_statutory_damages_for_a_registered_work():
    # Corjulo v. Mandrell (CCB 2023): three registered photos, the minimum $750 each
    corjulo = claim_amount("US", usage="web-commercial", days=365, images=3, registered=True)
    assert corjulo.total == Money.parse("2250.00", "USD") and "Statutory damages" in corjulo.lines[0].label
    # McNeil v. Blackbelt TV (CCB 2024): about eight years on Facebook: $500 fee x 3 = $1,500
    mcneil = claim_amount("US", usage="social-media", days=3100, evidence="professional", registered=True)
    unregistered = claim_amount("US", usage="social-media", days=3100, evidence="professional")
    assert mcneil.total == unregistered.total * 3 == Money.parse("1603.80", "USD")
    assert "17 U.S.C. § 504(c)" in mcneil.lines[0].basis


# --- duration, images, notes ------------------------------------------------------------------------

def test_a_week_is_priced_as_a_week():
    week = claim_amount("DE", usage="web-commercial", days=7)
    assert week.total == eur("37.50") and "up to 1 week" in week.lines[0].label and week.days == 7
    assert claim_amount("DE", usage="web-commercial", days=8).total == eur("58.33")      # up to a month
    # ECLI:NL:RBDHA:2019:1044: a week on a site, €199 a photo; Dutch courts price short uses near a year's
    dutch = claim_amount("NL", usage="web-editorial", days=7, images=2)
    assert dutch.total == eur("269.50") and claim_amount("NL", usage="web-editorial", days=365).total == eur("245.00")


def test_many_images_in_one_use(monkeypatch):
    three = claim_amount("DE", usage="web-commercial", days=365, images=3)
    assert three.total == eur("450.00") and "x 3 images" in three.lines[0].label   # German courts: each in full
    monkeypatch.setitem(jurisdiction("DE").data["fees"], "extra_image_percent", 50)
    fewer = claim_amount("DE", usage="web-commercial", days=365, images=3)
    assert fewer.total == eur("300.00") and "each after the first at 50%" in fewer.lines[0].label


def test_where_courts_refuse_ordinary_photos_a_note_not_a_price():
    # TJ Paris 22/05592: a stock photo on a municipal site, not original: €0
    france = claim_amount("FR", usage="web-editorial", days=365)
    assert france.notes and "originality" in france.notes[0].lower() and "22/05592" in france.notes[0]
    assert france.total.minor > 0 and france.as_dict()["notes"] == france.notes
    assert claim_amount("DE", usage="web-editorial", days=365).notes == []


def test_duration_size_and_another_currency():
    social = claim_amount("DE", usage="social-media", months=1, size="small", evidence="professional")
    assert social.total == eur("252.78")          # €1,300 x 100/360 x 0.70
    us = claim_amount("US", usage="web-commercial", months=14)
    assert us.total.currency == "USD" and "USD per EUR" not in us.lines[0].basis


def test_a_hit_is_priced_from_its_first_to_its_last_sighting():
    amount, _ = services.first_estimate("DE", found_on=date(2026, 11, 1), last_seen_on=date(2026, 11, 7),
                                        today=date(2026, 11, 23), address=True)
    assert amount.days == 7 and amount.total == eur("37.50")        # a week's use, not until today
    year, _ = services.first_estimate("DE", found_on=date(2025, 11, 2), last_seen_on=date(2026, 11, 1),
                                      today=date(2026, 11, 23), evidence="professional")
    assert year.days == 365 and year.total == eur("1300.00")
    registered, _ = services.first_estimate("US", found_on=date(2026, 1, 1), last_seen_on=date(2026, 1, 1),
                                            today=date(2026, 11, 23), us_registered_on=date(2025, 6, 1))
    assert registered.total == Money.parse("750.00", "USD")
    late, _ = services.first_estimate("US", found_on=date(2026, 1, 1), last_seen_on=date(2026, 1, 1),
                                      today=date(2026, 11, 23), us_registered_on=date(2026, 6, 1))
    assert late.total < registered.total                             # registered after the use began


@pytest.mark.parametrize("kwargs, message", [
    (dict(usage="billboard", months=3), "Unknown usage 'billboard'"),
    (dict(usage="print", months=0), "at least a month"),
    (dict(usage="print", days=0), "at least a day"),
    (dict(usage="print"), "--months or --days"),
    (dict(usage="print", months=1, days=30), "--months or --days"),
    (dict(usage="print", months=3, size="huge"), "Unknown size"),
    (dict(usage="print", months=3, evidence="rumour"), "Evidence: 'rumour'"),
    (dict(usage="print", months=3, images=0), "one image or more"),
    (dict(usage="print", months=3, documented_fee=Money(0, "EUR")), "more than 0"),
])
def test_bad_input_says_what_to_give(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        claim_amount("DE", **kwargs)
