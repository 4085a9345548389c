"""The case's audit events in words (collected by caseapp.domains.audit_catalogue): the audit
trail page, the case timeline and `caseapp audit list` read them. Stages read as
`lifecycle.STAGE_LABELS` say them."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.cases.models import Case

REPLY = "case.reply_received"   # (escalation.REPLY)

EVENTS = {
    "case.opened": "Case opened",
    "case.items_added": "Items added to the case",
    "case.stage_changed": "Stage changed",
    "case.assigned": "Case assigned",
    "case.released": "Released to the queue",
    "case.note_added": "Note added",
    "case.edited": "Case edited",
    "case.escalated": "Escalated after a missed deadline",
    REPLY: "Reply received",
    "case.licence_defence_recorded": "Licence shown by the recipient",
    "case.licence_defence_accepted": "Licence accepted",
    "case.licence_defence_rejected": "Licence rejected",
    "case.client_informed": "Client informed",
    "case.reopened": "Case reopened",
}

_STAGES = dict(lifecycle.STAGE_LABELS)
STATES = {code: _STAGES for code in ("case.opened", "case.stage_changed", "case.escalated", "case.reopened")}

ACTORS = {"escalation": "Daily escalation run"}


def _edited(details: dict, words) -> str:
    from caseapp.core.audit_words import humanise, value_in_words

    return "Edited: " + ", ".join(f"{humanise(key).lower()} {value_in_words(change)}" for key, change in details.items())


SENTENCES = {
    "case.assigned": lambda d, w: f"Assigned to {d['assignee']}",
    "case.client_informed": lambda d, w: f"Client informed: {d['text']}",
    REPLY: lambda d, w: "Reply received: escalation waits for the next step",
    "case.escalated": lambda d, w: f"Escalated: {_STAGES.get(d['stage'], d['stage'])} deadline of {d['missed']} passed",
    "case.edited": _edited,
}


def case_references(session, ids) -> dict[int, str]:
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return dict(session.execute(select(Case.id, Case.ref).where(Case.id.in_(ids))).all())


def case_id(session, reference: str) -> int | None:
    return session.scalar(select(Case.id).where(Case.ref == reference.strip().upper()))


CASE_REFERENCES = case_references
CASE_ID = case_id
