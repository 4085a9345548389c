"""The letters domain's audit events in words (see core.audit_words)."""
from flask_babel import gettext

from caseapp.core.i18n import Words
from caseapp.core.i18n import N_

from caseapp.letters.models import DRAFT, SENT

EVENTS = {"letter.issued": Words(N_("Letter issued")), "letter.sent": Words(N_("Letter sent"))}
_STATES = {DRAFT: Words(N_("Draft")), SENT: Words(N_("Sent"))}
STATES = {"letter.issued": _STATES, "letter.sent": _STATES}


def _kind(details: dict) -> str:
    return str(details["kind"]).replace("_", " ")


SENTENCES = {
    "letter.issued": lambda d, w: gettext("Letter issued: %(kind)s (%(language)s)", kind=_kind(d),
                                          language=d["language"]),
    "letter.sent": lambda d, w: gettext("Letter sent by %(channel)s: %(kind)s to %(to)s", channel=d["channel"],
                                        kind=_kind(d), to=d["to"]),
}
