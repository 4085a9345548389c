"""Who may do what, stated a second time: by hand, from the roles' intent in words.

The app's matrix is assembled from the domains' declarations (`caseapp/<domain>/__init__.py`);
tests that read their expectations from that same matrix pass whatever it grants. This table is
typed out instead, from what each role is for (docs/security.md, the role descriptions in
caseapp/core/security.py), and tests/core/test_permission_table.py holds the matrix to it in both
directions. Do not generate it from the code: a new or changed grant is to be written here too,
by someone who asked whether the role should have it.

Each entry is (resource, Flask-AppBuilder permission), as docs/permissions.md lists them.
"""
from __future__ import annotations

# --- what every person holds (not the Crawler, a machine): their own account ---------------------
# Seeing one's profile and changing one's own language, time zone and password are the only changes
# the Auditor may make: they change nothing of the firm's records. (Flask-AppBuilder's own account
# pages, which set a password without the current one, are Admin's with the rest of its security.)
OWN_ACCOUNT = frozenset({
    ("Profile", "can_read"),
    ("Profile", "can_write"),
    # The progress of the background work one started (an import, an index rebuild), polled by the
    # page that started it; a job someone else started stays unseen (core.jobs.visible_to).
    ("Job", "can_read"),
})

CASE_HANDLER = OWN_ACCOUNT | {
    # Works the case queue: sees it, takes the next case, and does everything a case's life needs.
    ("CaseQueue", "can_read"), ("CaseQueue", "can_take"),
    ("Case", "can_read"), ("Case", "can_change_stage"), ("Case", "can_assign"), ("Case", "can_edit"),
    ("Case", "can_note"),
    # Closes cases, so may reopen one (a closure made by mistake, a payment the bank took back).
    ("Case", "can_reopen"),
    # Checks a case before the first letter: the client, the work, its ownership, the stored images.
    ("Client", "can_read"), ("Work", "can_read"), ("File", "can_read"),
    ("Work", "can_write"), ("Work", "can_upload"), ("Work", "can_verify"),
    # Triages the crawler's hits (their own decisions and rules; others' are Admin's).
    ("Hits", "can_read"), ("Hits", "can_decide"), ("Hits", "can_import"),
    # Letters and negotiation: issues and sends letters, records offers and settlements.
    ("Letter", "can_read"), ("Letter", "can_write"),
    ("Settlement", "can_read"), ("Settlement", "can_write"),
    # Knows who the infringers are and where to write: adds and edits parties (deleting is Admin's).
    ("Party", "can_read"), ("Party", "can_write"),
    # Finds the address behind a site (look up), merges duplicate parties, marks one cleared when it
    # showed a licence (issue 18).
    ("Party", "can_lookup"), ("Party", "can_merge"), ("Party", "can_clear"),
    # Sees whether the infringer paid (to negotiate), but books nothing: payments are the accountant's.
    ("Payment", "can_read"),
    # Proves the use: sees the captures of a page and captures one now, checks whether an image is gone.
    ("Evidence", "can_read"), ("Evidence", "can_capture"),
    # Sees which court routes are open to a case and the filings made, to prepare the lawyer's file;
    # generating a filing is the lawyer's.
    ("Filing", "can_read"),
    # Hands cases to the lawyer and answers the party: sees a case's court record and the court
    # calendar, but records nothing of it (the lawyer's work) and keeps the queue as home (no desk).
    ("Court", "can_read"),
}

LAWYER = OWN_ACCOUNT | {
    # Reads the whole file: the case, its client, works, images, hits, letters, offers, payments, audit.
    ("CaseQueue", "can_read"), ("Case", "can_read"), ("Client", "can_read"), ("Work", "can_read"),
    ("File", "can_read"), ("Hits", "can_read"), ("Letter", "can_read"), ("Settlement", "can_read"),
    ("Party", "can_read"), ("Payment", "can_read"), ("AuditLog", "can_read"),
    # Moves legal and court stages, takes a case on (assign), corrects its claim, notes what happened.
    # (The matrix cannot tell a legal stage from another: Case.change_stage is the whole lifecycle.)
    ("Case", "can_change_stage"), ("Case", "can_assign"), ("Case", "can_edit"), ("Case", "can_note"),
    # Closes cases too (a lost court case), so may reopen one (an appeal won, a closure by mistake).
    ("Case", "can_reopen"),
    # Writes to the infringer and settles in court: letters, offers and settlements, the parties.
    ("Letter", "can_write"), ("Settlement", "can_write"), ("Party", "can_write"),
    # The party's address and identity before and in court: looks up, merges duplicates, clears.
    ("Party", "can_lookup"), ("Party", "can_merge"), ("Party", "can_clear"),
    # Proves the use in court: the captures, a fresh capture or take-down check before filing.
    ("Evidence", "can_read"), ("Evidence", "can_capture"),
    # Files in court: sees the routes open to a case and generates the filing (Form A, Mahnantrag, ...).
    ("Filing", "can_read"), ("Filing", "can_write"),
    # Takes cases to court (issue 19): records the court case, costs advanced, hearings, deadlines, the
    # decision and enforcement; the lawyer's desk is the lawyer's home.
    ("Court", "can_read"), ("Court", "can_write"), ("Court", "can_desk"),
    # Not: taking from the queue, triaging hits, the works' records, clients, money (not a lawyer's work).
}

ACCOUNTANT = OWN_ACCOUNT | {
    # Money: payments in (import, match, refund), payouts out (draft, export, approve another's batch),
    # the ledger.
    ("Payment", "can_read"), ("Payment", "can_write"),
    ("Payout", "can_read"), ("Payout", "can_write"), ("Payout", "can_approve"),
    ("Ledger", "can_read"),
    # Clients are the accountant's: onboarding, the contract (shares, floor), bank details under four
    # eyes (request, and confirm one someone else asked for).
    ("Client", "can_read"), ("Client", "can_write"), ("Contract", "can_write"),
    ("BankAccount", "can_request"), ("BankAccount", "can_confirm"),
    # A client's catalogue comes with the onboarding: upload, retitle, record licence sales (the
    # evidence of the rate), and delete works nobody claims on. Verifying ownership is the handler's.
    ("Work", "can_read"), ("Work", "can_write"), ("Work", "can_upload"), ("Work", "can_delete"),
    # Reads a case and its letters, offers and the audit trail to match money to it; may note on it
    # ("paid by cheque"), but does not change a case's stage, claim, letters or negotiation.
    ("Case", "can_read"), ("Case", "can_note"), ("Letter", "can_read"), ("Settlement", "can_read"),
    ("Party", "can_read"), ("File", "can_read"), ("AuditLog", "can_read"),
    # The dashboards (issue 20): collection rate, collected and paid out, how long cases take.
    ("Reports", "can_read"),
}

MANAGER = OWN_ACCOUNT | {
    # Management: the dashboards are the manager's home; the manager reads the case file behind
    # them (the case, its client and works, letters, offers, payments, evidence, filings, court
    # record, the audit trail) and changes nothing. Not the queue (the manager takes no case), not
    # triage, not the books (ledger, payout batches: the accountant's).
    ("Reports", "can_read"),
    ("Case", "can_read"), ("Client", "can_read"), ("Work", "can_read"), ("File", "can_read"),
    ("Party", "can_read"), ("Letter", "can_read"), ("Settlement", "can_read"), ("Payment", "can_read"),
    ("Evidence", "can_read"), ("Filing", "can_read"), ("Court", "can_read"), ("AuditLog", "can_read"),
}

AUDITOR = OWN_ACCOUNT | {
    # Reads everything, changes nothing: every read of the firm's records, no other action.
    ("CaseQueue", "can_read"), ("Case", "can_read"), ("Client", "can_read"), ("Work", "can_read"),
    ("AuditLog", "can_read"), ("File", "can_read"), ("Hits", "can_read"), ("Ledger", "can_read"),
    ("Letter", "can_read"), ("Party", "can_read"), ("Payment", "can_read"), ("Payout", "can_read"),
    ("Settlement", "can_read"), ("Evidence", "can_read"), ("Filing", "can_read"), ("Court", "can_read"),
    ("Reports", "can_read"),
}

CRAWLER = frozenset({
    # A machine: only posts sightings to the REST endpoint with its token. No pages, no account.
    ("Hits", "can_ingest"),
})

ADMIN = CASE_HANDLER | LAWYER | ACCOUNTANT | MANAGER | AUDITOR | CRAWLER | {
    # Everything; and what nobody else may do: delete reference records (refused while in use), act
    # on other people's triage (undo their decision, remove their rule).
    ("Client", "can_delete"), ("Party", "can_delete"),
    ("Hits", "can_undo_others"), ("Hits", "can_remove_others_rules"),
    # Personal data (GDPR): exporting everything held on a person and purging what is past retention
    # are the data-protection officer's work, done by an administrator; an export is no "read" of one
    # record, so the Auditor does not get it either.
    ("PersonalData", "can_export"), ("PersonalData", "can_purge"),
}

TABLE: dict[str, frozenset[tuple[str, str]]] = {
    "CaseHandler": frozenset(CASE_HANDLER),
    "Lawyer": frozenset(LAWYER),
    "Accountant": frozenset(ACCOUNTANT),
    "Manager": frozenset(MANAGER),
    "Admin": frozenset(ADMIN),
    "Auditor": frozenset(AUDITOR),
    "Crawler": frozenset(CRAWLER),
}


def may(role: str | None, resource: str, permission: str) -> bool:
    """Whether the table lets `role` do `permission` on `resource`. What the table does not state
    (Flask-AppBuilder's security administration: users, roles, permissions) is Admin's alone."""
    if role is None:
        return False
    if not any((resource, permission) in held for held in TABLE.values()):
        return role == "Admin"
    return (resource, permission) in TABLE[role]
