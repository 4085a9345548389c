"""The payments domain's audit events in words (see core.audit_words)."""
from flask_babel import lazy_gettext

EVENTS = {
    "payment_import.imported": lazy_gettext("Bank statement imported"),
    "payment.applied": lazy_gettext("Payment applied to a case"),
    "payment.assigned": lazy_gettext("Payment matched to a case by hand"),
    "payment.returned": lazy_gettext("Payment returned by the bank"),
    "payment.refunded": lazy_gettext("Payment refunded"),
    "payment.debit_booked": lazy_gettext("Bank debit booked"),
}
ACTORS = {"payments import": lazy_gettext("Command line: payments import")}
