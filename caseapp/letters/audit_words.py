"""The letters domain's audit events in words (see core.audit_words)."""
from flask_babel import gettext, lazy_gettext

from caseapp.letters.models import DRAFT, SENT

EVENTS = {"letter.issued": lazy_gettext("Letter issued"), "letter.sent": lazy_gettext("Letter sent")}
_STATES = {DRAFT: lazy_gettext("Draft"), SENT: lazy_gettext("Sent")}
STATES = {"letter.issued": _STATES, "letter.sent": _STATES}


def _kind(details: dict) -> str:
    return str(details["kind"]).replace("_", " ")


SENTENCES = {
    "letter.issued": lambda d, w: gettext("Letter issued: %(kind)s (%(language)s)", kind=_kind(d),
                                          language=d["language"]),
    "letter.sent": lambda d, w: gettext("Letter sent by %(channel)s: %(kind)s to %(to)s", channel=d["channel"],
                                        kind=_kind(d), to=d["to"]),
}
