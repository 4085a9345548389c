"""Is the site commercial? Weighted signals, each kept as a reason a person can read:

| signal | weight | what counts |
|---|---|---|
| vat_id | +40 | a valid VAT ID on the site |
| register_number | +40 | a valid company register number |
| legal_form | +30 | a legal form in the provider's name (GmbH, Ltd, SARL, S.L., …) |
| shop | +30 | a cart or checkout, prices with a currency, schema.org Product/Offer |
| business_listing | +20 | schema.org LocalBusiness (or a kind of it) |
| ads | +20 | an ad network's script (AdSense, DoubleClick, Amazon ads, Taboola, …) |
| affiliate | +15 | affiliate links (Amazon `tag=`, AWIN, Tradedoubler, …) |
| private_site | -20 | the site calls itself private, personal or a hobby |

Verdict: a score of 50 or more is commercial; 10 or less with a sign of a private site is
private; anything else unknown (the handler checks)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

COMMERCIAL, PRIVATE, UNKNOWN = "commercial", "private", "unknown"
VERDICTS = (COMMERCIAL, PRIVATE, UNKNOWN)
COMMERCIAL_FROM = 50   # score >= this: commercial
PRIVATE_UP_TO = 10     # score <= this, with a sign of a private site: private

WEIGHTS = {"vat_id": 40, "register_number": 40, "legal_form": 30, "shop": 30, "business_listing": 20, "ads": 20,
           "affiliate": 15, "private_site": -20}

AD_HOSTS = ("googlesyndication.com", "doubleclick.net", "adservice.google.", "googletagservices.com",
            "amazon-adsystem.com", "taboola.com", "outbrain.com", "criteo.com", "criteo.net", "adnxs.com",
            "media.net", "pubmatic.com", "rubiconproject.com", "ezoic.net", "adform.net", "smartadserver.com")
AFFILIATE_HOSTS = ("awin1.com", "tradedoubler.com", "webgains.com", "partners.webmasterplan.com", "shareasale.com",
                   "clickbank.net", "linksynergy.com", "digistore24.com", "financeads.net", "belboon.com")
SHOP_WORDS = ("warenkorb", "in den warenkorb", "zur kasse", "add to cart", "add to basket", "checkout", "panier",
              "ajouter au panier", "carrito", "añadir al carrito", "carrello", "aggiungi al carrello",
              "winkelwagen", "koszyk", "carrinho", "varukorg", "kurv")
_PRICE = re.compile(r"(?:€|EUR|\$|USD|£|GBP|CHF|zł|PLN)\s?\d{1,6}(?:[.,]\d{2})\b|\b\d{1,6}[.,]\d{2}\s?(?:€|EUR|\$|USD|£|GBP|CHF|zł|PLN)")
PRIVATE_WORDS = ("privater blog", "private blog", "persönlicher blog", "personal blog", "mein blog", "my blog",
                 "hobby", "privat betrieben", "rein privat", "non-commercial", "nicht kommerziell", "blog personnel",
                 "site personnel", "blog personal", "sito personale", "persoonlijke blog")


@dataclass
class Verdict:
    verdict: str
    score: int
    reasons: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"verdict": self.verdict, "score": self.score, "reasons": self.reasons}


def decide(score: int, private_sign: bool) -> str:
    if score >= COMMERCIAL_FROM:
        return COMMERCIAL
    if score <= PRIVATE_UP_TO and private_sign:
        return PRIVATE
    return UNKNOWN


def assess(*, vat_ids=(), register_numbers=(), names=(), html_pages=(), texts=(), types=frozenset()) -> Verdict:
    """The signals in what the lookup found: numbers, the providers' names, the pages' HTML and
    text, the schema.org types declared."""
    from caseapp.parties.lookup.notice import LEGAL_FORMS

    reasons: list[dict] = []

    def add(signal: str, detail: str):
        reasons.append({"signal": signal, "weight": WEIGHTS[signal], "detail": detail})

    if vat_ids:
        add("vat_id", ", ".join(vat_ids))
    if register_numbers:
        add("register_number", ", ".join(register_numbers))
    for name in names:
        form = LEGAL_FORMS.search(name or "")
        if form:
            add("legal_form", f"{form.group(0)} ({name})")
            break
    text = " ".join(" ".join((t or "").casefold().split()) for t in texts)
    shop = []
    words = [w for w in SHOP_WORDS if w in text]
    if words:
        shop.append(words[0])
    prices = _PRICE.findall(" ".join(texts))
    if prices:
        shop.append(f"prices ({prices[0]})")
    if {"Product", "Offer", "AggregateOffer"} & set(types):
        shop.append("schema.org " + "/".join(sorted({"Product", "Offer", "AggregateOffer"} & set(types))))
    if words or len(shop) >= 2 or any(s.startswith("schema.org") for s in shop):
        add("shop", "; ".join(shop))
    from caseapp.parties.lookup.structured import BUSINESS_LISTING

    listing = BUSINESS_LISTING & set(types)
    if listing:
        add("business_listing", "schema.org " + ", ".join(sorted(listing)))
    scripts, hrefs = _scripts_and_links(html_pages)
    ads = sorted({host for src in scripts for host in AD_HOSTS if host in (urlparse(src).hostname or "") + "/"
                  or host in src})
    if ads:
        add("ads", ", ".join(ads))
    affiliates = sorted({_affiliate(href) for href in hrefs} - {None})
    if affiliates:
        add("affiliate", ", ".join(affiliates))
    private = [w for w in PRIVATE_WORDS if w in text]
    if private:
        add("private_site", f"“{private[0]}”")
    score = sum(reason["weight"] for reason in reasons)
    return Verdict(decide(score, bool(private)), score, reasons)


def _affiliate(href: str) -> str | None:
    parsed = urlparse(href)
    host = (parsed.hostname or "").lower()
    if re.search(r"(^|\.)amazon\.[a-z.]+$|(^|\.)amzn\.to$", host) and ("tag" in parse_qs(parsed.query) or "amzn.to" in host):
        return host
    return next((h for h in AFFILIATE_HOSTS if host == h or host.endswith("." + h)), None)


def _scripts_and_links(pages) -> tuple[list[str], list[str]]:
    import lxml.html

    scripts, hrefs = [], []
    for html in pages:
        try:
            tree = lxml.html.fromstring(html or "<html/>")
        except Exception:   # noqa: BLE001
            continue
        scripts += [s.get("src") for s in tree.iterfind(".//script[@src]")]
        scripts += [s.get("src") for s in tree.iterfind(".//iframe[@src]")]
        hrefs += [a.get("href") for a in tree.iterfind(".//a[@href]")]
    return scripts, hrefs
