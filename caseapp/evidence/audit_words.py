"""The evidence domain's audit events in words (see core.audit_words); translated where shown."""
from datetime import date

from flask_babel import gettext, lazy_gettext

EVENTS = {
    "evidence.captured": lazy_gettext("Page captured as evidence"),
    "evidence.capture_failed": lazy_gettext("Capture failed"),
    "evidence.image_gone": lazy_gettext("Image no longer online"),
    "evidence.image_back": lazy_gettext("Image online again"),
    "evidence.report_made": lazy_gettext("Evidence report made"),
}


def _day(text: str) -> str:
    from caseapp.core.formatting import day

    try:
        return day(date.fromisoformat(text))
    except (TypeError, ValueError):
        return str(text)


SENTENCES = {
    "evidence.captured": lambda d, w: gettext("Page captured as evidence: %(url)s (status %(status)s)",
                                              url=d.get("final_url") or d.get("url"), status=d.get("status")),
    "evidence.capture_failed": lambda d, w: gettext("Capture of %(url)s failed", url=d.get("url")),
    "evidence.image_gone": lambda d, w: gettext("Image no longer online, checked on %(date)s", date=_day(d["date"])),
    "evidence.image_back": lambda d, w: gettext("Image online again, checked on %(date)s", date=_day(d["date"])),
}
ACTORS = {
    "evidence check-due": lazy_gettext("Command line: take-down checks"),
    "evidence capture": lazy_gettext("Automatic capture"),
}
