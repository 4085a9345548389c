"""The filings domain's audit events in words (see core.audit_words); translated where shown."""
from flask_babel import gettext, lazy_gettext

EVENTS = {
    "filing.generated": lazy_gettext("Court filing generated"),
}

SENTENCES = {
    "filing.generated": lambda d, w: gettext("Court filing generated: %(route)s (%(files)s files)",
                                             route=d.get("route_name") or d.get("route"), files=d.get("files")),
}
