"""The other party: site owners, their addresses and commercial signals."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, MANAGER

PARTY = "Party"

DOMAIN = Domain(
    name="parties",
    description="Parties we claim against: who runs a site, where they are.",
    permissions=(
        permission(PARTY, "read", N_("See parties"), HANDLER, LAWYER, ACCOUNTANT, MANAGER),
        permission(PARTY, "write", N_("Add and edit parties and their addresses"), HANDLER, LAWYER),
        permission(PARTY, "delete", N_("Delete a party (refused while a case names it)")),
        permission(PARTY, "lookup", N_("Look a party's site up: address candidates, numbers, commercial check"),
                   HANDLER, LAWYER),
        permission(PARTY, "merge", N_("Merge a duplicate party into another (same VAT ID, register number or "
                                      "address)"), HANDLER, LAWYER),
        permission(PARTY, "clear", N_("Mark a party cleared (it showed a licence), or take the mark back"),
                   HANDLER, LAWYER),
    ),
    menu=(MenuEntry(N_("Parties"), PARTY, "read", "/parties/list/", "fa-building", order=50, category=N_("Records")),),
    models="caseapp.parties.models",
    demo="caseapp.parties.demo",
    demo_order=20,
    views="caseapp.parties.views",
    cli="caseapp.parties.cli",
    audit_words="caseapp.parties.audit_words",
    tasks="caseapp.parties.tasks",
    personal_data="caseapp.parties.personal_data",
)
