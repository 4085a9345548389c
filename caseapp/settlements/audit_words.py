"""The settlements domain's audit events in words (see core.audit_words)."""
from flask_babel import lazy_gettext

EVENTS = {
    "settlement.offer_made": lazy_gettext("Settlement offer made"),
    "settlement.offer_accepted": lazy_gettext("Settlement offer accepted"),
    "settlement.offer_rejected": lazy_gettext("Settlement offer rejected"),
    "settlement.recorded": lazy_gettext("Settlement recorded"),
    "settlement.cancelled": lazy_gettext("Settlement cancelled"),
}
