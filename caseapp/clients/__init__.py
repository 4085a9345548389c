"""Our clients (rights holders), their works, and later contracts and ownership evidence."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER

CLIENT = "Client"
WORK = "Work"

DOMAIN = Domain(
    name="clients",
    description="Clients and their works (the images we enforce), imported and indexed for matching.",
    permissions=(
        permission(CLIENT, "read", "See clients (rights holders)", HANDLER, LAWYER, ACCOUNTANT),
        permission(CLIENT, "write", "Add and edit clients", ACCOUNTANT),
        permission(CLIENT, "delete", "Delete a client (refused while in use)"),
        permission(WORK, "read", "See clients' works", HANDLER, LAWYER, ACCOUNTANT),
        permission(WORK, "write", "Edit works' titles, record their ownership evidence and licence sales", HANDLER),
        permission(WORK, "verify", "Verify or dispute a work's ownership, resolve a conflict between clients", HANDLER),
    ),
    menu=(MenuEntry("Clients", CLIENT, "read", "/clients/list/", "fa-camera", order=40, category="Records"),
          MenuEntry("Works", WORK, "read", "/works/list/", "fa-image", order=45, category="Records")),
    models="caseapp.clients.models",
    demo="caseapp.clients.demo",
    demo_order=10,
    views="caseapp.clients.views",
    cli="caseapp.clients.cli",
)
