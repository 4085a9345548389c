"""How the pages and commands word feasibility's findings. The assessment returns codes
with parameters (`services.Finding`); this is the one place they become sentences: in the
reader's language on pages (gettext; the {placeholders} are str.format's), English on the command
line (CASEAPP_LOCALE)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext

from caseapp.core.i18n import N_
from caseapp.core.money import Money

TEXTS = {
    # reasons a claim is not feasible
    "no_rules": N_("no rules for country {country}: caseapp does not know how to enforce there; find the site "
                "owner's country, or add jurisdictions/<CC>.toml"),
    "not_enforceable": N_("not enforceable in {country}: {note}"),
    "no_address": N_("no postal address for the site owner: letters and courts need one; find it first"),
    "private_not_pursued": N_("a private, non-commercial recipient: the client's policy is not to pursue private "
                           "users (a setting of the client's contract)"),
    "below_minimum": N_("below the minimum claim in {country}: {amount} is under {minimum}"),
    "time_barred": N_("time-barred: the {years}-year limitation ended on {ended} ({source})"),
    "time_barred_long_stop": N_("time-barred: the {years}-year long-stop from the day of use ended on {ended}, "
                             "whatever anyone knew ({source})"),
    "reach_back_barred": N_("no claimable use: damages reach back only {years} years before the claim is brought, "
                         "to {since}, and the use ended before ({source})"),
    "not_registered": N_("{country} work not registered: federal court needs registration and the Copyright "
                      "Claims Board at least an application ({source}); register the work first"),
    "costs_outweigh": N_("the expected value is {expected}: the costs outweigh what is likely collected"),
    # notes
    "partly_time_barred": N_("a continuing use: the days before {before} are time-barred ({years}-year limitation, "
                          "{source}); {days} of {of} days can be claimed, {value} (pro rata, an estimate)"),
    "reach_back": N_("damages reach back only {years} years, to {before} ({source}): {days} of {of} days count, "
                  "{value} (pro rata, an estimate)"),
    "residual_claim": N_("residual claim: for {days} days from {since} the damages are time-barred, but the saved "
                      "licence fee stays claimable for {years} years from each day ({source}): at most {value}, "
                      "without surcharges (an estimate)"),
    "private_recipient": N_("a private recipient: {note} ({source})"),
    "originality": N_("originality in {country}: {note} ({source})"),
    "work_country_unknown": N_("the work's country of first publication is not known: treated as a work of "
                            "{country}, which must be registered before suing"),
    "foreign_unregistered": N_("a work first published outside {country} ({work_country}) may be claimed "
                            "unregistered (17 U.S.C. § 411(a) binds {country} works only), but without "
                            "registration before the use there are no statutory damages or attorney's fees "
                            "(§ 412): actual damages, the licence fee"),
    "application_pending": N_("a registration application is pending: the Copyright Claims Board accepts it and "
                           "decides once the Office registers the work ({source})"),
    "needs_application": N_("{route}: needs a registration or at least a pending application, for a foreign work too "
                         "(17 U.S.C. § 1505(a)); applying opens it"),
    "cross_border_unknown": N_("{route}: only for a cross-border case; give the client's country to check it"),
    "not_cross_border": N_("{route}: not open, the case is not cross-border between EU member states other than "
                        "Denmark (client {client}, party {country}; Reg. 861/2007 arts. 2(3), 3)"),
    "agreed_debt_only": N_("{route}: only for a fixed debt the party acknowledged (e.g. a signed settlement it did "
                        "not pay), not for damages"),
    "filed_by": N_("{route}: filed by {who}; the cost is in the figures"),
    "address_unchecked": N_("the site owner's address is not looked up yet"),
    "commercial_unchecked": N_("commercial use not checked yet"),
    "registered_late": N_("registered after the infringement began: no statutory damages or attorney's fees in "
                       "federal court (17 U.S.C. § 412), lower caps at the Copyright Claims Board"),
    "registered_late_grace": N_("registered after the infringement began: no statutory damages or attorney's fees "
                             "in federal court (17 U.S.C. § 412), lower caps at the Copyright Claims Board "
                             "(unless registered within {months} months of first publication)"),
    "route_limit": N_("{route}: only up to {limit}"),
    "letters_only": N_("no court route fits: letters only"),
    "capped": N_("capped at {cap} at the {route}"),
}


# Fixed words the assessment gives its figures, routes and sources (services.py): kept in English on
# the Assessment (the command line and its JSON print them), translated where a page shows them.
FIXED = frozenset({
    N_("holiday calendar for deadlines"), N_("limitation"), N_("claimable share of the use"),
    N_("residual claim: the saved licence fee for the barred days (at most)"), N_("minimum economic claim"),
    N_("probability of collecting"), N_("out-of-court costs (letters, handling)"),
    N_("probability the case goes to court"),
    N_("expected value = recoverable x collecting - costs - court costs x going to court"),
    N_("caseapp's formula"), N_("the amount pro rata by days of use"), N_("letters only, no court route"), N_("none"),
})


def shown(words: str | None) -> str:
    """One of the FIXED words in the reader's language; anything else (a route's name, a source
    from a country file) as it is."""
    if not words:
        return ""
    return gettext(words) if words in FIXED else words


def text(code: str, params: dict) -> str:
    """The sentence for a finding; money and dates as the app formats them."""
    return gettext(TEXTS[code]).format(**{key: _shown(value) for key, value in params.items()})


def _shown(value):
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, date):
        return value.isoformat()
    return value
