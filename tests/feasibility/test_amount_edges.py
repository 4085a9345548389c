"""The edges of a claim amount, each on both sides: the duration bands (a week, a month, a year,
five years) and the whole months a use is counted in, statutory damages at their minimum and
their cap and one cent beyond, the surcharges each evidence tier gets, and the estimates where
a country's courts have no figure on file (said on the line)."""
from __future__ import annotations

import pytest

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.feasibility.amounts import claim_amount, sales_history_fee
from caseapp.feasibility.rules import jurisdiction


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def usd(text: str) -> Money:
    return Money.parse(text, "USD")


# --- duration: the band edges and the whole months ----------------------------------------------------

@pytest.mark.parametrize("length, band, total, months, days", [
    (dict(days=1), "up to 1 week", "37.50", 1, 1),
    (dict(days=7), "up to 1 week", "37.50", 1, 7),
    (dict(days=8), "up to 1 month", "58.33", 1, 8),
    (dict(days=30), "up to 1 month", "58.33", 1, 30),
    (dict(months=1), "up to 1 month", "58.33", 1, 30),        # exactly one month: still the month's band
    (dict(days=31), "up to 3 months", "85.42", 2, 31),        # a day over a month: the next band, 2 months
    (dict(months=2), "up to 3 months", "85.42", 2, 61),
    (dict(days=365), "up to 1 year", "150.00", 12, 365),
    (dict(days=366), "up to 2 years", "210.42", 13, 366),
    (dict(months=60), "up to 5 years", "341.67", 60, 1825),
    (dict(months=61), "longer than 5 years", "416.67", 61, 1855),
])
def test_a_use_is_priced_by_its_duration_band(length, band, total, months, days):
    # a year of commercial web use without proof: €150 (DE), other durations in the table's proportions
    result = claim_amount("DE", usage="web-commercial", **length)
    assert result.total == eur(total) and f", {band}, medium" in result.lines[0].label
    assert (result.months, result.days) == (months, days)


def test_a_year_is_priced_without_a_proportion_other_lengths_say_theirs():
    year = claim_amount("DE", usage="web-commercial", days=365)
    assert year.lines[0].basis.endswith("; €150.00 a year of commercial web use")
    week = claim_amount("DE", usage="web-commercial", days=7)
    assert week.lines[0].basis.endswith("; €150.00 a year of commercial web use x 0.25 for this use and duration "
                                        "(the fee table's proportions)")


def test_dutch_courts_price_a_short_use_close_to_a_year():
    # NL: never below 55% of a year of the same use (short_use_min_percent)
    week = claim_amount("NL", usage="web-editorial", days=7)
    assert week.total == eur("134.75")                         # €245 x 55%, not €60
    small = claim_amount("NL", usage="web-editorial", days=365, size="small")
    assert small.total == eur("171.50")                        # €245 x 0.70


def test_without_the_dutch_rule_a_week_is_the_tables_week(monkeypatch):
    monkeypatch.delitem(jurisdiction("NL").data["fees"], "short_use_min_percent")
    assert claim_amount("NL", usage="web-editorial", days=7).total == eur("60.00")


# --- statutory damages (US): the minimum and the cap per work --------------------------------------------

@pytest.mark.parametrize("fee, damages", [
    ("249.99", "750.00"),       # 3 x $249.99 = $749.97: the minimum
    ("250.00", "750.00"),       # 3 x $250 is the minimum exactly
    ("250.01", "750.03"),       # above it: three times the fee
    ("4999.99", "14999.97"),
    ("5000.00", "15000.00"),    # the cap exactly
    ("5000.01", "15000.00"),    # capped
])
def test_statutory_damages_between_the_minimum_and_the_cap(fee, damages):
    result = claim_amount("US", usage="web-commercial", days=365, registered=True, documented_fee=usd(fee))
    assert result.total == usd(damages) and len(result.lines) == 1
    assert result.lines[0].label == (f"Statutory damages for a timely registered work: the larger of $750.00 and "
                                     f"3 x the licence fee of {usd(fee).format()}, at most $15,000.00 a work")
    assert result.lines[0].basis == (f"{jurisdiction('US').section('statutory')['source']} (instead of the licence "
                                     "fee: the client's invoices for this work (the median of its licence sales))")
    assert result.estimate         # the Board's practice of three times the fee is an estimate


def test_statutory_damages_per_work_for_many_images(monkeypatch):
    two = claim_amount("US", usage="web-commercial", days=365, registered=True, documented_fee=usd("5000.00"),
                       images=2)
    assert two.total == usd("30000.00") and two.lines[0].label.endswith("a work x 2 images")
    monkeypatch.setitem(jurisdiction("US").data["fees"], "extra_image_percent", 50)
    fewer = claim_amount("US", usage="web-commercial", days=365, registered=True, documented_fee=usd("5000.00"),
                         images=3)
    assert fewer.total == usd("30000.00")          # $15,000 + 2 x 50%
    assert fewer.lines[0].label.endswith(" x 3 images (each after the first at 50%)")
    assert fewer.lines[0].basis.endswith("; more images in one use: caseapp estimate)")


def test_no_statutory_damages_unregistered_or_outside_the_us():
    assert claim_amount("US", usage="web-commercial", days=365, documented_fee=usd("5000.00")).total == \
        usd("5000.00")
    assert claim_amount("DE", usage="web-commercial", days=365, registered=True).total == eur("150.00")


# --- the rates by evidence and who used the photo -------------------------------------------------------

def test_a_countrys_professional_rate_from_the_fee_table_with_size_level_and_currency():
    france = claim_amount("FR", usage="web-commercial", days=400, evidence="professional", size="large")
    assert france.total == eur("623.68") and france.months == 14        # €505 x 1.30 x 0.95
    assert france.lines[0].label == "Licence fee per image: commercial web page (company site, landing page), " \
                                    "up to 2 years, large"
    assert france.lines[0].basis == "MFM-style licence fees (estimates): €505.00 x size 1.30 x price level France 0.95"
    poland = claim_amount("PL", usage="web-commercial", days=365, evidence="professional")
    assert poland.total == Money.parse("851.40", "PLN")                  # €360 x 0.55 x 4.3
    assert poland.lines[0].basis == "MFM-style licence fees (estimates): €360.00 x price level Poland 0.55, at 4.3 " \
                                    "PLN per EUR"


def test_a_country_without_its_courts_unproven_fee_takes_germanys_ratio():
    poland = claim_amount("PL", usage="web-commercial", days=365)
    # €150 / €360 (Germany's courts to the table) x €360 x 0.55 = €82.50, at 4.3 PLN per EUR
    assert poland.total == Money.parse("354.75", "PLN") and poland.estimate
    assert poland.lines[0].basis == ("caseapp's estimate: no decision of Poland's courts on a fee without proof on "
                                     "file; the German courts' ratio to the table (0.42) at the price level 0.55; "
                                     "€82.50 a year of commercial web use")


def test_an_amateurs_photo_where_no_court_set_the_rate():
    france = claim_amount("FR", usage="web-commercial", days=365, amateur=True, credit_missing=True)
    assert [l.amount for l in france.lines] == [eur("95.00"), eur("47.50")]     # €100 x 0.95, +50%
    assert france.lines[0].label == "Licence fee per image at a lower rate for an amateur's photo"
    assert france.lines[0].basis == ("caseapp's estimate: no decision of France's courts on an amateur's fee on "
                                     "file; €100.00 scaled by the price level 0.95")
    assert france.estimate and france.lines[1].basis.endswith("; the rate without proof of licensing")


def test_a_private_persons_use_where_no_court_set_the_rate_is_a_fifth_of_the_unproven_fee():
    france = claim_amount("FR", usage="web-commercial", days=365, private=True, credit_missing=True)
    # a fifth of €142.50; France has no private rate for the credit: the unproven one, +50%
    assert [l.amount for l in france.lines] == [eur("28.50"), eur("14.25")]
    assert france.lines[0].label == "Licence fee per image for a private person's use"
    assert france.lines[1].basis.endswith("; the rate for a private person's use")
    assert france.lines[0].basis == ("caseapp's estimate: no decision of France's courts on a private person's use "
                                     "on file; a fifth of the fee courts give without proof of licensing")


def test_documented_sales_beat_the_amateur_rate_and_get_the_proven_credit_surcharge():
    result = claim_amount("DE", usage="web-commercial", days=365, documented_fee=eur("500.00"), amateur=True,
                          credit_missing=True)
    assert [l.amount for l in result.lines] == [eur("500.00"), eur("500.00")] and result.evidence == "sales"
    assert "; the rate with proven sales; courts give 0% (OLG Hamburg" in result.lines[1].basis
    assert not result.estimate


def test_a_private_person_pays_no_credit_surcharge_in_germany_whatever_the_evidence():
    result = claim_amount("DE", usage="web-commercial", days=365, private=True, amateur=True, credit_missing=True)
    assert result.total == eur("20.00") and len(result.lines) == 1


def test_the_professional_rate_gets_the_professional_credit_surcharge():
    result = claim_amount("FR", usage="web-commercial", days=365, evidence="professional", credit_missing=True)
    assert [l.amount for l in result.lines] == [eur("342.00"), eur("171.00")]
    assert result.lines[1].label == "Surcharge for the missing photo credit: +50%"
    assert result.lines[1].basis == (f"{jurisdiction('FR').section('surcharges')['source']}; the rate for a "
                                     "professional's photo")


def test_austria_doubles_for_fault_but_not_for_a_private_person_unless_at_fault():
    assert claim_amount("AT", usage="web-commercial", days=365, private=True).total == eur("30.00")
    at_fault = claim_amount("AT", usage="web-commercial", days=365, private=True, fault=True)
    assert [l.amount for l in at_fault.lines] == [eur("30.00"), eur("30.00")]
    assert at_fault.lines[1].label == "Surcharge for a culpable infringement: +100%"
    assert at_fault.lines[1].basis == jurisdiction("AT").section("surcharges")["fault_source"]


def test_flagrancy_on_the_professional_rate_in_the_uk():
    result = claim_amount("GB", usage="web-commercial", days=365, evidence="professional", flagrant=True)
    assert [l.amount for l in result.lines] == [Money.parse("340.00", "GBP"), Money.parse("1360.00", "GBP")]
    assert result.lines[1].label == ("Additional damages for a flagrant infringement (notices or watermark removed): "
                                     "+400%")
    assert result.lines[0].label == ("Licence fee per image for a professional's photo: commercial web page "
                                     "(company site, landing page), up to 1 year, medium")


# --- the floor, the record, the refusals ------------------------------------------------------------------

def test_the_floor_is_the_clients_lowest_share():
    assert claim_amount("DE", usage="web-commercial", days=365).floor == eur("90.00")       # 60% by default
    assert claim_amount("DE", usage="web-commercial", days=365, floor_percent=50).floor == eur("75.00")


def test_a_claim_amount_as_a_case_keeps_it():
    result = claim_amount("JP", usage="web-commercial", days=365)
    line = result.lines[0]
    assert result.as_dict() == {
        "country": "JP", "usage": "web-commercial", "months": 12, "days": 365, "evidence": "none",
        "currency": "JPY", "lines": [{"label": line.label, "amount": "22275", "basis": line.basis}], "notes": [],
        "total": "22275", "floor": "13365", "estimate": True}
    assert result.lines_as_data() == result.as_dict()["lines"]


def test_no_sales_history_without_a_session_or_a_work():
    assert sales_history_fee(None, 7) is None and sales_history_fee(object(), None) is None


@pytest.mark.parametrize("country, kwargs, message", [
    ("XX", dict(usage="print", months=3), "No rules for country XX: add jurisdictions/XX.toml."),
    ("de", dict(usage="print", months=3, evidence="a" * 30), "Evidence: 'aaaaaaaaaaaaaaaaaaaa' is not one of none, "
                                                             "professional, sales."),
    ("DE", dict(usage="print", months=1, days=30), "Give how long the image was used: --months or --days (one of "
                                                   "them)."),
    ("DE", dict(usage="print", days=0), "The use lasted at least a day; give --days 1 or more."),
    ("DE", dict(usage="print", months=0), "The use lasted at least a month; give --months 1 or more."),
    ("DE", dict(usage="print", months=3, images=0), "A claim is for one image or more."),
    ("DE", dict(usage="billboard", months=3), "Unknown usage 'billboard'; one of: web-editorial, web-commercial, "
                                              "ecommerce-product, social-media, advertising, print."),
    ("DE", dict(usage="print", months=3, size="huge"), "Unknown size 'huge'; one of: small, medium, large."),
    ("DE", dict(usage="print", months=3, documented_fee=eur("-1.00")), "Fee: a documented licence fee is more than "
                                                                       "0; leave it out if there is none."),
    ("DE", dict(usage="print", months=3, evidence="sales"), "Evidence sales: give the documented fee (--fee), or "
                                                            "record the work's licence sales."),
])
def test_a_refusal_says_what_to_give(country, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        claim_amount(country, **kwargs)
    assert str(error.value) == message


def test_the_smallest_accepted_use_and_fee():
    assert claim_amount("DE", usage="web-commercial", days=1, images=1).total == eur("37.50")
    assert claim_amount("DE", usage="web-commercial", days=1, documented_fee=eur("0.01")).total == eur("0.01")


def test_a_credit_surcharge_without_a_source_on_file_names_only_the_rate(monkeypatch):
    monkeypatch.delitem(jurisdiction("FR").data["surcharges"], "source")
    result = claim_amount("FR", usage="web-commercial", days=365, evidence="professional", credit_missing=True)
    assert result.lines[1].basis == "; the rate for a professional's photo"


def test_a_courts_unproven_fee_without_its_source_on_file(monkeypatch):
    monkeypatch.delitem(jurisdiction("NL").data["fees"], "unproven_source")
    result = claim_amount("NL", usage="web-commercial", days=365)
    assert result.lines[0].basis == "; €360.00 a year of commercial web use"


def _no_table_estimate(monkeypatch):
    from caseapp.feasibility.rules import fee_table

    monkeypatch.setitem(fee_table("mfm").data, "estimate", False)


def test_an_unproven_fee_from_a_courts_decision_is_not_an_estimate(monkeypatch):
    _no_table_estimate(monkeypatch)
    monkeypatch.setitem(jurisdiction("DE").data["fees"], "estimate", False)
    assert not claim_amount("DE", usage="web-commercial", days=365).estimate


def test_an_unproven_fee_without_its_estimate_flag_is_an_estimate(monkeypatch):
    _no_table_estimate(monkeypatch)
    monkeypatch.delitem(jurisdiction("DE").data["fees"], "estimate")
    assert claim_amount("DE", usage="web-commercial", days=365).estimate


def test_an_unproven_fee_from_germanys_ratio_is_an_estimate(monkeypatch):
    _no_table_estimate(monkeypatch)
    monkeypatch.setitem(jurisdiction("PL").data["fees"], "estimate", False)
    assert claim_amount("PL", usage="web-commercial", days=365).estimate
    assert not claim_amount("PL", usage="web-commercial", days=365, evidence="professional").estimate


def test_the_sales_history_is_asked_for_the_work_in_the_session(monkeypatch):
    from caseapp.clients import services as clients

    asked = []
    monkeypatch.setattr(clients, "documented_fee", lambda session, work_id: asked.append((session, work_id)) or
                        eur("780.00"))
    session = object()
    result = claim_amount("DE", usage="web-commercial", days=365, session=session, work_id=7)
    assert asked == [(session, 7)]
    assert result.lines[0].label == "Licence fee per image, from the client's documented sales of this work"
    assert result.estimate is False


def test_a_use_longer_than_every_band_is_priced_in_the_last(monkeypatch):
    from caseapp.feasibility.rules import fee_table

    monkeypatch.setitem(fee_table("mfm").data["bands"][-1], "months", 120)
    result = claim_amount("DE", usage="web-commercial", months=121, evidence="professional")
    assert ", longer than 5 years, medium" in result.lines[0].label


def test_a_size_of_several_words_is_named_in_full(monkeypatch):
    from caseapp.feasibility.rules import fee_table

    monkeypatch.setitem(fee_table("mfm").data["sizes"]["large"], "label", "full width (header or cover)")
    result = claim_amount("DE", usage="web-commercial", days=365, size="large", evidence="professional")
    assert result.lines[0].label.endswith(", up to 1 year, full width")


def test_an_amount_is_an_estimate_when_the_country_or_the_table_says_so(monkeypatch):
    from caseapp.feasibility.rules import fee_table

    monkeypatch.setitem(jurisdiction("DE").data["fees"], "estimate", False)
    assert claim_amount("DE", usage="web-commercial", days=365, evidence="professional").estimate is True  # table
    monkeypatch.setitem(fee_table("mfm").data, "estimate", False)
    assert claim_amount("DE", usage="web-commercial", days=365, evidence="professional").estimate is False
    monkeypatch.setitem(jurisdiction("DE").data["fees"], "estimate", True)
    assert claim_amount("DE", usage="web-commercial", days=365, evidence="professional").estimate is True  # country


# --- a country file's figures without their sources, and other figures --------------------------------------

@pytest.mark.parametrize("section, key, kwargs, line", [
    ("fees", "private_source", dict(private=True), 0),
    ("surcharges", "fault_source", dict(), 1),
])
def test_a_figure_without_its_source_on_file_has_an_empty_basis(monkeypatch, section, key, kwargs, line):
    country = "DE" if key == "private_source" else "AT"
    monkeypatch.delitem(jurisdiction(country).data[section], key)
    assert claim_amount(country, usage="web-commercial", days=365, **kwargs).lines[line].basis == ""


def test_flagrancy_without_its_source_on_file(monkeypatch):
    monkeypatch.delitem(jurisdiction("GB").data["surcharges"], "flagrant_source")
    result = claim_amount("GB", usage="web-commercial", days=365, evidence="professional", flagrant=True)
    assert result.lines[1].basis == ""


def test_a_professional_rate_without_its_source_on_file(monkeypatch):
    monkeypatch.delitem(jurisdiction("DE").data["fees"], "professional_source")
    week = claim_amount("DE", usage="web-commercial", days=7, evidence="professional")
    assert week.lines[0].basis == "; €1300.00 a year of commercial web use x 0.25 for this use and duration"


def test_originality_without_its_source_on_file(monkeypatch):
    monkeypatch.delitem(jurisdiction("FR").data["originality"], "source")
    note = claim_amount("FR", usage="web-editorial", days=365).notes[0]
    assert note == f"Originality: {jurisdiction('FR').section('originality')['note']} ()"


def test_a_countrys_own_amateur_rate(monkeypatch):
    monkeypatch.setitem(jurisdiction("DE").data["fees"], "amateur_base", "120.00")
    assert claim_amount("DE", usage="web-commercial", days=365, amateur=True).total == eur("120.00")


def test_the_table_rate_at_the_price_level_of_one_is_not_scaled_in_words(monkeypatch):
    monkeypatch.setitem(jurisdiction("FR").data["fees"], "price_level", "1.00")
    result = claim_amount("FR", usage="web-commercial", days=365, evidence="professional")
    assert result.total == eur("360.00") and result.lines[0].basis == "MFM-style licence fees (estimates): €360.00"


def test_an_unproven_rate_from_a_decision_in_an_estimated_table_is_an_estimate(monkeypatch):
    monkeypatch.setitem(jurisdiction("DE").data["fees"], "estimate", False)
    assert claim_amount("DE", usage="web-commercial", days=365).estimate is True


def test_the_rate_for_more_images_is_cited_only_where_it_is_not_in_full(monkeypatch):
    full = claim_amount("DE", usage="web-commercial", days=365, images=3)
    assert "more images in one use" not in full.lines[0].basis
    monkeypatch.setitem(jurisdiction("DE").data["fees"], "extra_image_percent", 50)
    half = claim_amount("DE", usage="web-commercial", days=365, images=3)
    source = jurisdiction("DE").section("fees")["extra_image_source"]
    assert half.lines[0].basis == f"{full.lines[0].basis}; more images in one use: {source}"
