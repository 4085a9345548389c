"""The settlements domain's audit events in words (see core.audit_words)."""
EVENTS = {
    "settlement.offer_made": "Settlement offer made",
    "settlement.offer_accepted": "Settlement offer accepted",
    "settlement.offer_rejected": "Settlement offer rejected",
    "settlement.recorded": "Settlement recorded",
    "settlement.cancelled": "Settlement cancelled",
}
