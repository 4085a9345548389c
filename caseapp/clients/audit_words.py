"""The clients domain's audit events in words: clients, their works and bank accounts (see
core.audit_words)."""
from flask_babel import lazy_gettext

from caseapp.clients.models import ACTIVE, DISPUTED, PENDING, REJECTED, REPLACED, UNVERIFIED, VERIFIED

EVENTS = {
    "client.added": lazy_gettext("Client added"),
    "client.edited": lazy_gettext("Client edited"),
    "client.deleted": lazy_gettext("Client deleted"),
    "client.contract_changed": lazy_gettext("Client contract changed"),
    "client.mandate_recorded": lazy_gettext("Client mandate recorded"),
    "work.added": lazy_gettext("Work added"),
    "work.edited": lazy_gettext("Work edited"),
    "work.deleted": lazy_gettext("Work deleted"),
    "work.evidence_recorded": lazy_gettext("Ownership evidence recorded"),
    "work.original_added": lazy_gettext("Original file added to a work"),
    "work.sale_added": lazy_gettext("Licence sale added to a work"),
    f"work.{VERIFIED}": lazy_gettext("Work's ownership verified"),
    f"work.{DISPUTED}": lazy_gettext("Work's ownership disputed"),
    f"work.{UNVERIFIED}": lazy_gettext("Work's ownership back to unverified"),
    "work.noted": lazy_gettext("Work's record marked"),
    "work.conflict_resolved": lazy_gettext("Ownership conflict resolved"),
    "bank_account.requested": lazy_gettext("Bank account change requested"),
    "bank_account.confirmed": lazy_gettext("Bank account confirmed"),
    "bank_account.rejected": lazy_gettext("Bank account rejected"),
    "bank_account.replaced": lazy_gettext("Bank account replaced"),
}
_WORK = {UNVERIFIED: lazy_gettext("Unverified"), VERIFIED: lazy_gettext("Verified"), DISPUTED: lazy_gettext("Disputed")}
_ACCOUNT = {PENDING: lazy_gettext("Pending confirmation"), ACTIVE: lazy_gettext("Active"), REPLACED: lazy_gettext("Replaced"), REJECTED: lazy_gettext("Rejected")}
STATES = {**{code: _WORK for code in EVENTS if code.startswith("work.")},
          **{code: _ACCOUNT for code in EVENTS if code.startswith("bank_account.")}}
ACTORS = {"conflict check": lazy_gettext("Ownership conflict check"), "works import": lazy_gettext("Command line: works import"),
          "works delete": lazy_gettext("Command line: works delete"), "works edit": lazy_gettext("Command line: works edit"),
          "clients add": lazy_gettext("Command line: clients add"), "clients contract": lazy_gettext("Command line: clients contract"),
          "clients mandate": lazy_gettext("Command line: clients mandate")}
