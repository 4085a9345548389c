"""How the pages and commands word feasibility's findings. The assessment returns codes
with parameters (`services.Finding`); this is the one place they become sentences (and
where translations will hook in)."""
from __future__ import annotations

from datetime import date

from caseapp.core.money import Money

TEXTS = {
    # reasons a claim is not feasible
    "no_rules": "no rules for country {country}: caseapp does not know how to enforce there; find the site "
                "owner's country, or add jurisdictions/<CC>.toml",
    "not_enforceable": "not enforceable in {country}: {note}",
    "no_address": "no postal address for the site owner: letters and courts need one; find it first",
    "not_commercial": "not commercial: a private, non-commercial site; courts award little there "
                      "(BGH I ZR 187/17) and the claim does not pay for itself",
    "below_minimum": "below the minimum claim in {country}: {amount} is under {minimum}",
    "time_barred": "time-barred: the {years}-year limitation ended on {ended} ({source})",
    "not_registered": "{country} work not registered: federal court needs registration and the Copyright "
                      "Claims Board at least an application ({source}); register the work first",
    "costs_outweigh": "the expected value is {expected}: the costs outweigh what is likely collected",
    # notes
    "address_unchecked": "the site owner's address is not looked up yet",
    "commercial_unchecked": "commercial use not checked yet",
    "registered_late": "registered after the infringement began: no statutory damages or attorney's fees in "
                       "federal court (17 U.S.C. § 412), lower caps at the Copyright Claims Board",
    "registered_late_grace": "registered after the infringement began: no statutory damages or attorney's fees "
                             "in federal court (17 U.S.C. § 412), lower caps at the Copyright Claims Board "
                             "(unless registered within {months} months of first publication)",
    "route_limit": "{route}: only up to {limit}",
    "letters_only": "no court route fits: letters only",
    "capped": "capped at {cap} at the {route}",
}


def text(code: str, params: dict) -> str:
    """The sentence for a finding; money and dates as the app formats them."""
    return TEXTS[code].format(**{key: _shown(value) for key, value in params.items()})


def _shown(value):
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, date):
        return value.isoformat()
    return value
