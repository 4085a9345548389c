"""A client's VAT: the VAT ID (checked with python-stdnum) and how the payout statement treats
VAT (`vat_treatment`), with the legal basis it cites.

The firm is in Germany. Its commission is a service to the client; the client's share is
what the client earns (a self-billed credit note). The client's share carries no VAT for any
client: damages for an infringement, licence analogy included, are not consideration for a
supply (BGH, 26 March 2009, I ZR 42/06; BFH, 10 December 1998, V R 58/97). (The costs of a
warning letter recovered from an infringer are: BFH, 13 February 2019, XI R 1/17 — they are the
firm's costs here, not the client's share.) Who the client is decides the VAT on our commission:

- outside the EU: no German VAT (the place of supply is the client's country);
- a small business that opted out of VAT (§ 19 UStG in Germany; the EU's SME scheme elsewhere):
  nothing on its side of the credit note shows VAT; the commission it buys from us still carries
  German VAT (its exemption covers its own sales, not what it buys);
- a private person: no VAT on the client's side; German VAT on our commission;
- a business in Germany: German VAT on our commission, 19% (§ 12(1) UStG);
- a business in another EU member state with a valid VAT ID: reverse charge (Art. 196 VAT
  Directive 2006/112/EC): no German VAT, the client accounts for it;
- a business in another EU member state without a VAT ID: German VAT until it gives one."""
from __future__ import annotations

from flask_babel import lazy_gettext
from dataclasses import dataclass

from caseapp.core.errors import InvalidInput
from caseapp.core.money import shown

# The EU member states (ISO 3166-1 alpha-2; Greece is GR here and EL in VAT IDs).
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})
HOME_COUNTRY = "DE"
GERMAN_VAT_BP = 1900   # 19% (§ 12(1) UStG)

REVERSE_CHARGE, SMALL_BUSINESS, PRIVATE, GERMAN_VAT, NON_EU = (
    "reverse_charge", "small_business", "private", "german_vat", "non_eu")

# A VAT treatment in a few words (the batch page; the statement says it in full).
VAT_CODE_WORDS = {REVERSE_CHARGE: "reverse charge, no German VAT", SMALL_BUSINESS: "small business, 19% on our commission",
                  PRIVATE: "private person, 19% on our commission", GERMAN_VAT: "19% German VAT on our commission",
                  NON_EU: "outside the EU, no German VAT"}

TAX_STATUS_WORDS = {"private": lazy_gettext("private person (no VAT)"),
                    "small_business": lazy_gettext("small business (exempt from VAT)"),
                    "standard": lazy_gettext("business charging VAT")}


def vat_prefix(country: str) -> str:
    """The prefix of a VAT ID of `country`: its ISO code, except Greece (EL)."""
    return "EL" if country == "GR" else country


def clean_vat_id(value, country: str) -> str | None:
    """A VAT ID as typed ('de 136 695 976') -> compact ('DE136695976'), or None when empty.
    Refused, naming the field: a number python-stdnum finds invalid, a number of another
    country than the client's, and any VAT ID for a client outside the EU (only EU VAT IDs
    can be checked, and only they change the VAT treatment)."""
    from stdnum.eu import vat
    from stdnum.exceptions import ValidationError

    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if len(text) > 40 or not text.isprintable():
        raise InvalidInput(f"VAT ID: {shown(text)} is not a VAT ID: write the country prefix and the number, "
                           "e.g. DE136695976.")
    if country not in EU_MEMBER_STATES:
        raise InvalidInput(f"VAT ID: the client is in {country}, outside the EU; only EU VAT IDs are recorded "
                           "(leave the field empty).")
    try:
        compact = vat.compact(text)
    except ValidationError:
        compact = text.upper()
    prefix = vat_prefix(country)
    if compact[:2] != prefix:
        greek = " (Greek VAT IDs start with EL, not GR)" if compact[:2] == "GR" or country == "GR" else ""
        raise InvalidInput(f"VAT ID: {shown(text)} does not start with {prefix}, the prefix of the client's "
                           f"country {country}{greek}. Check the number or the client's country.")
    if not vat.is_valid(compact):
        raise InvalidInput(f"VAT ID: {shown(text)} is not a valid {prefix} VAT ID (its check digits or length "
                           "are wrong). Copy it from the client's invoice or the VIES check.")
    return compact


@dataclass(frozen=True)
class VatTreatment:
    """How VAT is treated on the client's payout statement: `code` (one of REVERSE_CHARGE,
    SMALL_BUSINESS, PRIVATE, GERMAN_VAT, NON_EU), in `words`, on the legal `basis` cited,
    and the German VAT rate on our commission in basis points (0: none)."""
    code: str
    words: str
    basis: str
    commission_vat_bp: int

    def as_data(self) -> dict:
        return {"code": self.code, "words": self.words, "basis": self.basis,
                "commission_vat_percent": self.commission_vat_bp / 100}


def vat_treatment(client) -> VatTreatment:
    """The VAT treatment of a client (anything with country, tax_status and vat_id)."""
    country, status, vat_id = client.country, client.tax_status, client.vat_id
    if country not in EU_MEMBER_STATES:
        return VatTreatment(NON_EU, f"Outside the EU ({country}): no German VAT on our commission; the client "
                                    "accounts for any tax in its own country.",
                            "§ 3a(2) and (4) UStG (place of supply: the client's country)", 0)
    if status == "small_business":
        basis = "§ 19 UStG" if country == HOME_COUNTRY else \
            "Art. 284 VAT Directive 2006/112/EC (SME scheme, Directive (EU) 2020/285)"
        return VatTreatment(SMALL_BUSINESS, "Small business: no VAT on the client's share; German VAT of 19% "
                                            "on our commission.", basis, GERMAN_VAT_BP)
    if status == "private":
        return VatTreatment(PRIVATE, "Private person: no VAT on the client's share; German VAT of 19% on our "
                                     "commission.", "§ 2 UStG (not a business); § 12(1) UStG", GERMAN_VAT_BP)
    if country == HOME_COUNTRY:
        return VatTreatment(GERMAN_VAT, "German business: German VAT of 19% on our commission; none on the "
                                        "client's share (damages for an infringement are not a taxable supply).",
                            "§ 12(1) UStG; damages not taxable: BGH I ZR 42/06, BFH V R 58/97", GERMAN_VAT_BP)
    if vat_id:
        return VatTreatment(REVERSE_CHARGE, f"Reverse charge: a business in {country} with VAT ID {vat_id}; no "
                                            "German VAT, the client accounts for it.",
                            "Art. 196 VAT Directive 2006/112/EC", 0)
    return VatTreatment(GERMAN_VAT, f"A business in {country} without a VAT ID: German VAT of 19% on our "
                                    "commission until it gives one (reverse charge needs a valid VAT ID).",
                        "§ 12(1) UStG; Art. 196 VAT Directive 2006/112/EC needs a VAT ID", GERMAN_VAT_BP)
