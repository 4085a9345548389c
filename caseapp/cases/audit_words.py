"""The case's audit events in words (collected by caseapp.domains.audit_catalogue): the audit
trail page, the case timeline and `caseapp audit list` read them. Stages read as
`lifecycle.STAGE_LABELS` say them. Words are core.i18n.Words / gettext (core serialises them): the reader's language on
pages, English (CASEAPP_LOCALE) on the command line."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.core.i18n import Words
from caseapp.core.i18n import N_
from caseapp.cases.models import Case

REPLY = "case.reply_received"   # (escalation.REPLY)

EVENTS = {
    "case.opened": Words(N_("Case opened")),
    "case.items_added": Words(N_("Items added to the case")),
    "case.stage_changed": Words(N_("Stage changed")),
    "case.assigned": Words(N_("Case assigned")),
    "case.released": Words(N_("Released to the queue")),
    "case.note_added": Words(N_("Note added")),
    "case.edited": Words(N_("Case edited")),
    "case.escalated": Words(N_("Escalated after a missed deadline")),
    REPLY: Words(N_("Reply received")),
    "case.licence_defence_recorded": Words(N_("Licence shown by the recipient")),
    "case.licence_defence_accepted": Words(N_("Licence accepted")),
    "case.licence_defence_rejected": Words(N_("Licence rejected")),
    "case.client_informed": Words(N_("Client informed")),
    "case.reopened": Words(N_("Case reopened")),
}

_STAGES = dict(lifecycle.STAGE_LABELS)
STATES = {code: _STAGES for code in ("case.opened", "case.stage_changed", "case.escalated", "case.reopened")}

ACTORS = {"escalation": Words(N_("Daily escalation run"))}


def _edited(details: dict, words) -> str:
    from caseapp.core.audit_words import humanise, value_in_words

    return gettext("Edited: %(changes)s", changes=", ".join(
        f"{humanise(key).lower()} {value_in_words(change)}" for key, change in details.items()))


SENTENCES = {
    "case.assigned": lambda d, w: gettext("Assigned to %(who)s", who=d["assignee"]),
    "case.client_informed": lambda d, w: gettext("Client informed: %(text)s", text=d["text"]),
    REPLY: lambda d, w: gettext("Reply received: escalation waits for the next step"),
    "case.escalated": lambda d, w: gettext("Escalated: %(stage)s deadline of %(missed)s passed",
                                           stage=_STAGES.get(d["stage"], d["stage"]), missed=d["missed"]),
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
