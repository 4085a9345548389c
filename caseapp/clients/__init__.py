"""Our clients (rights holders), their works, and later contracts and ownership evidence."""
from caseapp.core.domain import IN_ACTION, Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, MANAGER

CLIENT = "Client"
WORK = "Work"
CONTRACT = "Contract"
BANK_ACCOUNT = "BankAccount"

DOMAIN = Domain(
    name="clients",
    description="Clients and their works (the images we enforce), imported and indexed for matching.",
    permissions=(
        permission(CLIENT, "read", N_("See clients (rights holders)"), HANDLER, LAWYER, ACCOUNTANT, MANAGER),
        permission(CLIENT, "write", N_("Add and edit clients; upload a client's signed mandate"), ACCOUNTANT),
        permission(CONTRACT, "write", N_("Change a client's contract (shares, minimum payout, settlement floor)"),
                   ACCOUNTANT),
        permission(BANK_ACCOUNT, "request", N_("Ask for a client's new payout bank account (pending until confirmed)"),
                   ACCOUNTANT),
        permission(BANK_ACCOUNT, "confirm", N_("Confirm or reject a pending bank account someone else asked for"),
                   ACCOUNTANT),
        permission(CLIENT, "delete", N_("Delete a client (refused while in use)")),
        permission(WORK, "read", N_("See clients' works"), HANDLER, LAWYER, ACCOUNTANT, MANAGER),
        permission(WORK, "write", N_("Edit works' titles (one or many at once), record their ownership evidence and "
                   "licence sales"), HANDLER, ACCOUNTANT),
        permission(WORK, "upload", N_("Add works: upload images on a client's page (the same import as "
                   "`caseapp works import`)"), HANDLER, ACCOUNTANT),
        permission(WORK, "delete", N_("Delete works, many at once (a work a case names or with hits is kept)"),
                   ACCOUNTANT, checked_by=IN_ACTION),
        permission(WORK, "verify", N_("Verify or dispute a work's ownership, resolve a conflict between clients"), HANDLER),
    ),
    menu=(MenuEntry(N_("Clients"), CLIENT, "read", "/clients/list/", "fa-camera", order=40, category=N_("Records")),
          MenuEntry(N_("Works"), WORK, "read", "/works/list/", "fa-image", order=45, category=N_("Records"))),
    models="caseapp.clients.models",
    demo="caseapp.clients.demo",
    demo_order=10,
    views="caseapp.clients.views",
    cli="caseapp.clients.cli",
    tasks="caseapp.clients.tasks",
    audit_words="caseapp.clients.audit_words",
)
