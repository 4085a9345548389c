"""The commercial check signal by signal, each on both sides: what counts, what does not, the
reason a person reads (its signal, weight and detail), and the verdict's edges."""
from __future__ import annotations

import pytest

from caseapp.parties.lookup.commercial import (COMMERCIAL, PRIVATE, UNKNOWN, Verdict, WEIGHTS, _affiliate,
                                               _scripts_and_links, assess, decide)


def only(verdict: Verdict) -> dict:
    """{signal: (weight, detail)} of a verdict's reasons."""
    return {r["signal"]: (r["weight"], r["detail"]) for r in verdict.reasons}


def test_nothing_found_is_unknown_with_no_reasons():
    verdict = assess()
    assert (verdict.verdict, verdict.score, verdict.reasons) == (UNKNOWN, 0, [])
    assert verdict.as_dict() == {"verdict": UNKNOWN, "score": 0, "reasons": []}


def test_numbers_each_count_once_with_all_of_them_named():
    verdict = assess(vat_ids=["DE136695976", "ATU12345678"], register_numbers=["HRB 44343"])
    assert only(verdict) == {"vat_id": (40, "DE136695976, ATU12345678"), "register_number": (40, "HRB 44343")}
    assert (verdict.score, verdict.verdict) == (80, COMMERCIAL)
    assert verdict.as_dict() == {"verdict": COMMERCIAL, "score": 80, "reasons": verdict.reasons}


@pytest.mark.parametrize("names, detail", [
    (["Foto Müller GmbH"], "GmbH (Foto Müller GmbH)"),
    ([None, "Atelier Dupont SARL", "Other Ltd"], "SARL (Atelier Dupont SARL)"),     # the first with a form, once
    (["Anna Müller", "Kiwi sp. z o.o."], "sp. z o.o. (Kiwi sp. z o.o.)"),
])
def test_a_legal_form_in_a_providers_name(names, detail):
    assert only(assess(names=names)) == {"legal_form": (30, detail)}


@pytest.mark.parametrize("names", [[], [None], ["Anna Müller"], ["Gmbhausen Reisen"], ["AGENDA"]])
def test_no_legal_form_no_reason(names):
    assert only(assess(names=names)) == {}


def test_a_shop_by_its_words_prices_or_offers():
    assert only(assess(texts=["Jetzt in den   WARENKORB legen"])) == {"shop": (30, "warenkorb")}
    assert only(assess(texts=["Unser Buch für 24,90 € und", "Poster 9,99 EUR"])) == {}   # prices alone: no shop
    assert only(assess(texts=["Unser Buch für 24,90 €"], types={"Product"})) == \
        {"shop": (30, "prices (24,90 €); schema.org Product")}
    assert only(assess(types={"Offer", "Product", "Person"})) == {"shop": (30, "schema.org Offer/Product")}
    assert only(assess(texts=["add to cart"], types={"AggregateOffer"})) == \
        {"shop": (30, "add to cart; schema.org AggregateOffer")}


def test_a_price_alone_is_no_shop():
    assert only(assess(texts=["Der Eintritt kostet 5,00 €"])) == {}
    assert only(assess(texts=["Kapitel 12,5 und 3.14"])) == {}


def test_a_business_listing():
    assert only(assess(types={"LocalBusiness"})) == {"business_listing": (20, "schema.org LocalBusiness")}
    assert only(assess(types={"Person", "WebSite"})) == {}


AD_PAGE = """<html><head><script src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>
<script src="/local.js"></script><iframe src="https://ad.doubleclick.net/x"></iframe></head>
<body><a href="https://www.amazon.de/dp/B0?tag=kiwi-21">Buch</a><a href="https://www.amazon.de/dp/B1">ohne</a>
<a href="https://www.awin1.com/cread.php?x=1">Partner</a><a href="https://example.org/">x</a></body></html>"""


def test_ads_and_affiliate_links_from_the_pages_html():
    verdict = assess(html_pages=[AD_PAGE])
    assert only(verdict) == {"ads": (20, "doubleclick.net, googlesyndication.com"),
                             "affiliate": (15, "awin1.com, www.amazon.de")}
    assert verdict.score == 35 and verdict.verdict == UNKNOWN


def test_pages_without_ads_or_affiliates_or_broken():
    assert only(assess(html_pages=["<html><script src='/app.js'></script><a href='/impressum'>x</a></html>",
                                   "", None])) == {}


def test_scripts_iframes_and_links_are_read_from_every_page():
    scripts, hrefs = _scripts_and_links([AD_PAGE, "<p><a href='/two'>2</a><script src='s.js'></script></p>", None])
    assert scripts == ["https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js", "/local.js",
                       "https://ad.doubleclick.net/x", "s.js"]     # a page's scripts, its frames, the next page's
    assert hrefs == ["https://www.amazon.de/dp/B0?tag=kiwi-21", "https://www.amazon.de/dp/B1",
                     "https://www.awin1.com/cread.php?x=1", "https://example.org/", "/two"]


@pytest.mark.parametrize("href, found", [
    ("https://www.amazon.de/dp/B0?tag=kiwi-21", "www.amazon.de"),
    ("https://amazon.co.uk/dp/B0?ref=x&tag=k-21", "amazon.co.uk"),
    ("https://amzn.to/3abc", "amzn.to"),
    ("https://www.amazon.de/dp/B0", None),                 # no partner tag: a plain link
    ("https://notamazon.de/?tag=x", None),
    ("https://www.awin1.com/cread.php", "awin1.com"),
    ("https://clk.tradedoubler.com/click?p=1", "tradedoubler.com"),
    ("https://evil-awin1.com/", None),
    ("/relative/link", None),
])
def test_what_is_an_affiliate_link(href, found):
    assert _affiliate(href) == found


def test_a_site_that_calls_itself_private():
    verdict = assess(texts=["Das ist mein   privater Blog über Wanderungen"])
    assert only(verdict) == {"private_site": (-20, "“privater blog”")}
    assert (verdict.score, verdict.verdict) == (-20, PRIVATE)


def test_the_weights_are_the_documented_ones():
    assert WEIGHTS == {"vat_id": 40, "register_number": 40, "legal_form": 30, "shop": 30, "business_listing": 20,
                       "ads": 20, "affiliate": 15, "private_site": -20}


@pytest.mark.parametrize("score, private_sign, verdict", [
    (50, False, COMMERCIAL), (49, False, UNKNOWN), (50, True, COMMERCIAL),
    (10, True, PRIVATE), (11, True, UNKNOWN), (10, False, UNKNOWN), (-20, True, PRIVATE), (-20, False, UNKNOWN),
])
def test_the_verdicts_edges(score, private_sign, verdict):
    assert decide(score, private_sign) == verdict


def test_signals_add_up_and_a_private_word_does_not_make_a_company_private():
    verdict = assess(vat_ids=["DE136695976"], names=["Foto Müller GmbH"], texts=["Mein Blog. Warenkorb"])
    assert [r["signal"] for r in verdict.reasons] == ["vat_id", "legal_form", "shop", "private_site"]
    assert (verdict.score, verdict.verdict) == (40 + 30 + 30 - 20, COMMERCIAL)


def test_details_name_everything_found_in_their_order():
    verdict = assess(register_numbers=["HRB 1", "HRB 2"], types={"LocalBusiness", "Store"})
    assert only(verdict) == {"register_number": (40, "HRB 1, HRB 2"),
                             "business_listing": (20, "schema.org LocalBusiness, Store")}


def test_an_offer_alone_is_a_shop_and_a_price_may_span_two_texts():
    assert only(assess(types={"Offer"})) == {"shop": (30, "schema.org Offer")}
    assert only(assess(texts=["Preis: 24,90", "€"], types={"Product"})) == \
        {"shop": (30, "prices (24,90 €); schema.org Product")}


def test_an_ad_script_behind_a_proxy_counts_by_its_address():
    page = '<script src="/proxy?u=https://pagead2.googlesyndication.com/tag.js"></script>'
    assert only(assess(html_pages=[page])) == {"ads": (20, "googlesyndication.com")}


def test_a_page_that_cannot_be_read_does_not_hide_the_next():
    scripts, hrefs = _scripts_and_links(["   ", AD_PAGE])      # lxml: "Document is empty"
    assert "/local.js" in scripts and "https://www.awin1.com/cread.php?x=1" in hrefs
