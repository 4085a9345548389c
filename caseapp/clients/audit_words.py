"""The clients domain's audit events in words: clients, their works and bank accounts (see
core.audit_words)."""
from caseapp.clients.models import ACTIVE, DISPUTED, PENDING, REJECTED, REPLACED, UNVERIFIED, VERIFIED

EVENTS = {
    "client.added": "Client added",
    "client.edited": "Client edited",
    "client.deleted": "Client deleted",
    "client.contract_changed": "Client contract changed",
    "client.mandate_recorded": "Client mandate recorded",
    "work.added": "Work added",
    "work.edited": "Work edited",
    "work.deleted": "Work deleted",
    "work.evidence_recorded": "Ownership evidence recorded",
    "work.original_added": "Original file added to a work",
    "work.sale_added": "Licence sale added to a work",
    f"work.{VERIFIED}": "Work's ownership verified",
    f"work.{DISPUTED}": "Work's ownership disputed",
    f"work.{UNVERIFIED}": "Work's ownership back to unverified",
    "work.noted": "Work's record marked",
    "work.conflict_resolved": "Ownership conflict resolved",
    "bank_account.requested": "Bank account change requested",
    "bank_account.confirmed": "Bank account confirmed",
    "bank_account.rejected": "Bank account rejected",
    "bank_account.replaced": "Bank account replaced",
}
_WORK = {UNVERIFIED: "Unverified", VERIFIED: "Verified", DISPUTED: "Disputed"}
_ACCOUNT = {PENDING: "Pending confirmation", ACTIVE: "Active", REPLACED: "Replaced", REJECTED: "Rejected"}
STATES = {**{code: _WORK for code in EVENTS if code.startswith("work.")},
          **{code: _ACCOUNT for code in EVENTS if code.startswith("bank_account.")}}
ACTORS = {"conflict check": "Ownership conflict check", "works import": "Command line: works import",
          "works delete": "Command line: works delete", "works edit": "Command line: works edit",
          "clients add": "Command line: clients add", "clients contract": "Command line: clients contract",
          "clients mandate": "Command line: clients mandate"}
