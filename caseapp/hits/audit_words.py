"""The hits domain's audit events in words (see core.audit_words); translated where shown."""
from flask_babel import lazy_gettext

from caseapp.hits.models import STATUS_LABELS

EVENTS = {
    "hits.decided": lazy_gettext("Hit decided"),
    "hits.undone": lazy_gettext("Hit decision undone"),
    "hits.site_cleared": lazy_gettext("Site cleared for a work"),
    "hits.rule_removed": lazy_gettext("Site rule removed"),
}
STATES = {"hits.decided": dict(STATUS_LABELS), "hits.undone": dict(STATUS_LABELS)}
ACTORS = {"hits apply-rules": lazy_gettext("Command line: hits apply-rules"),
          "hits whitelist": lazy_gettext("Command line: hits whitelist"), "crawler": lazy_gettext("Crawler")}
