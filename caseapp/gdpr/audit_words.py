"""The gdpr domain's audit events in words (see core.audit_words). Their details hold counts,
never the personal data itself."""
from flask_babel import gettext, lazy_gettext

EVENTS = {
    "personal_data.exported": lazy_gettext("Personal data exported"),
    "personal_data.purged": lazy_gettext("Personal data past retention purged"),
}


def _exported(details: dict, words) -> str:
    return gettext("%(records)s records exported", records=sum((details.get("records") or {}).values()))


def _purged(details: dict, words) -> str:
    counts = details.get("counts") or {}
    return gettext("%(records)s records purged", records=sum(n for actions in counts.values() for n in actions.values()))


SENTENCES = {"personal_data.exported": _exported, "personal_data.purged": _purged}
