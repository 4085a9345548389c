"""The parties domain's audit events in words (see core.audit_words); translated where shown."""
from flask_babel import lazy_gettext

EVENTS = {"party.added": lazy_gettext("Party added"), "party.edited": lazy_gettext("Party edited"),
          "party.deleted": lazy_gettext("Party deleted")}
