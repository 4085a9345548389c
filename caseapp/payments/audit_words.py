"""The payments domain's audit events in words (see core.audit_words)."""
EVENTS = {
    "payment_import.imported": "Bank statement imported",
    "payment.applied": "Payment applied to a case",
    "payment.assigned": "Payment matched to a case by hand",
    "payment.returned": "Payment returned by the bank",
    "payment.refunded": "Payment refunded",
    "payment.debit_booked": "Bank debit booked",
}
ACTORS = {"payments import": "Command line: payments import"}
