"""The payouts domain's audit events in words (see core.audit_words)."""
from flask_babel import lazy_gettext

from caseapp.payouts.models import APPROVED, CONFIRMED, DRAFT, EXPORTED

_STATES = {DRAFT: lazy_gettext("Draft"), APPROVED: lazy_gettext("Approved"),
           EXPORTED: lazy_gettext("Exported (SEPA file)"), CONFIRMED: lazy_gettext("Confirmed by the bank")}
EVENTS = {
    "payout.drafted": lazy_gettext("Payout batch drafted"),
    f"payout.{APPROVED}": lazy_gettext("Payout batch approved"),
    f"payout.{EXPORTED}": lazy_gettext("Payout batch exported"),
    f"payout.{CONFIRMED}": lazy_gettext("Payout batch confirmed"),
    "reconciliation.signed_off": lazy_gettext("Client money reconciliation signed off"),
}
STATES = {code: _STATES for code in EVENTS}
