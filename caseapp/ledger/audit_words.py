"""The ledger's audit events in words (see core.audit_words)."""
from flask_babel import lazy_gettext

EVENTS = {"ledger.posted": lazy_gettext("Ledger entry posted")}
