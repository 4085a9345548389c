"""The payouts domain's audit events in words (see core.audit_words)."""
from caseapp.payouts.models import APPROVED, CONFIRMED, DRAFT, EXPORTED

_STATES = {DRAFT: "Draft", APPROVED: "Approved", EXPORTED: "Exported (SEPA file)", CONFIRMED: "Confirmed by the bank"}
EVENTS = {
    "payout.drafted": "Payout batch drafted",
    f"payout.{APPROVED}": "Payout batch approved",
    f"payout.{EXPORTED}": "Payout batch exported",
    f"payout.{CONFIRMED}": "Payout batch confirmed",
    "reconciliation.signed_off": "Client money reconciliation signed off",
}
STATES = {code: _STATES for code in EVENTS}
