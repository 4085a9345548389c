"""The court domain's audit events in words (see core.audit_words); translated where shown."""
from flask_babel import lazy_gettext

EVENTS = {
    "court.case_recorded": lazy_gettext("Court case recorded"),
    "court.case_edited": lazy_gettext("Court case changed"),
    "court.case_ended": lazy_gettext("Court case ended"),
    "court.cost_advanced": lazy_gettext("Court costs advanced"),
    "court.hearing_set": lazy_gettext("Hearing set"),
    "court.deadline_set": lazy_gettext("Court deadline set"),
    "court.date_moved": lazy_gettext("Court date moved"),
    "court.date_cancelled": lazy_gettext("Court date cancelled"),
    "court.decided": lazy_gettext("Court decision recorded"),
    "court.enforcement_step": lazy_gettext("Enforcement step recorded"),
}
