"""Cases: the claim against one party, its items, its lifecycle and the handler's queue."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, MANAGER

QUEUE = "CaseQueue"   # (not "Queue": FAB prunes a view-menu named like a menu entry)
CASE = "Case"

DOMAIN = Domain(
    name="cases",
    description="The case: its items, stages, notes, and the handler's queue.",
    permissions=(
        permission(QUEUE, "read", N_("See the case queue"), HANDLER, LAWYER),
        permission(QUEUE, "take", N_("Take the next unassigned case"), HANDLER),
        permission(CASE, "read", N_("Open a case: overview, items, timeline, notes"), HANDLER, LAWYER, ACCOUNTANT,
                   MANAGER),
        permission(CASE, "change_stage", N_("Move a case along its lifecycle, close it"), HANDLER, LAWYER),
        # Whoever may close a case may reopen one: a closure made by mistake is undone by the
        # person who made it (docs/handler-guide.md, "Reopening a case").
        permission(CASE, "reopen", N_("Reopen a closed case, with a reason"), HANDLER, LAWYER),
        permission(CASE, "assign", N_("Assign a case to oneself or release it"), HANDLER, LAWYER),
        permission(CASE, "edit", N_("Edit a case's claim and next due date"), HANDLER, LAWYER),
        permission(CASE, "note", N_("Add a note to a case"), HANDLER, LAWYER, ACCOUNTANT),
    ),
    menu=(MenuEntry(N_("Queue"), QUEUE, "read", "/queue/", "fa-inbox", order=10),),
    models="caseapp.cases.models",
    demo="caseapp.cases.demo",
    demo_order=30,
    views="caseapp.cases.views",
    cli="caseapp.cases.cli",
    tasks="caseapp.cases.tasks",
    audit_words="caseapp.cases.audit_words",
    personal_data="caseapp.cases.personal_data",
)
