"""The parties domain's audit events in words (see core.audit_words); translated where shown."""
from flask_babel import lazy_gettext

EVENTS = {"party.added": lazy_gettext("Party added"), "party.edited": lazy_gettext("Party edited"),
          "party.deleted": lazy_gettext("Party deleted"),
          "party.address_found": lazy_gettext("Party's address found by the lookup"),
          "party.address_chosen": lazy_gettext("Party's address chosen from the candidates"),
          "party.address_corrected": lazy_gettext("Party's address corrected by hand"),
          "party.commercial_checked": lazy_gettext("Party's site checked: commercial or private"),
          "party.merged": lazy_gettext("Duplicate party merged into this one"),
          "party.merged_into": lazy_gettext("Party merged into another (a duplicate)"),
          "party.case_moved": lazy_gettext("Case moved to the party it was merged into"),
          "party.cleared": lazy_gettext("Party cleared: showed a licence"),
          "party.uncleared": lazy_gettext("Party's clearance taken back")}
_VERDICTS = {"commercial": lazy_gettext("Commercial"), "private": lazy_gettext("Private"),
             "unknown": lazy_gettext("Not known")}
STATES = {"party.commercial_checked": _VERDICTS}
ACTORS = {"parties lookup": lazy_gettext("Command line: parties lookup"),
          "parties lookup-due": lazy_gettext("Command line: parties lookup-due"),
          "parties merge": lazy_gettext("Command line: parties merge")}
