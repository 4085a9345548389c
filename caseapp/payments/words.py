"""The payments pages' words for stored codes (a payment's status, an import row's result, how it
was matched, a refund's state): the codes stay in the database and in the import's result; the
pages show these (in the page's language)."""
from flask_babel import lazy_gettext

STATUS_WORDS = {
    "matched": lazy_gettext("matched"),
    "unmatched": lazy_gettext("unmatched"),
    "returned": lazy_gettext("returned"),
    "return": lazy_gettext("return"),
    "other_debit": lazy_gettext("other debit"),
    "duplicate": lazy_gettext("imported before"),
}
MATCHED_BY_WORDS = {
    "reference": lazy_gettext("by reference"),
    "amount_name": lazy_gettext("by amount and name"),
    "manual": lazy_gettext("by hand"),
}
REFUND_STATE_WORDS = {
    "to_transfer": lazy_gettext("to transfer"),
    "transferred": lazy_gettext("transferred"),
}


class Words:
    status = STATUS_WORDS
    matched_by = MATCHED_BY_WORDS
    refund_state = REFUND_STATE_WORDS
