"""The letters domain's audit events in words (see core.audit_words)."""
from caseapp.letters.models import DRAFT, SENT

EVENTS = {"letter.issued": "Letter issued", "letter.sent": "Letter sent"}
_STATES = {DRAFT: "Draft", SENT: "Sent"}
STATES = {"letter.issued": _STATES, "letter.sent": _STATES}


def _kind(details: dict) -> str:
    return str(details["kind"]).replace("_", " ")


SENTENCES = {
    "letter.issued": lambda d, w: f"Letter issued: {_kind(d)} ({d['language']})",
    "letter.sent": lambda d, w: f"Letter sent by {d['channel']}: {_kind(d)} to {d['to']}",
}
