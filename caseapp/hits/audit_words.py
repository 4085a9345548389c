"""The hits domain's audit events in words (see core.audit_words)."""
from caseapp.hits.models import STATUS_LABELS

EVENTS = {
    "hits.decided": "Hit decided",
    "hits.undone": "Hit decision undone",
    "hits.site_cleared": "Site cleared for a work",
    "hits.rule_removed": "Site rule removed",
}
STATES = {"hits.decided": dict(STATUS_LABELS), "hits.undone": dict(STATUS_LABELS)}
ACTORS = {"hits apply-rules": "Command line: hits apply-rules", "hits whitelist": "Command line: hits whitelist",
          "crawler": "Crawler"}
