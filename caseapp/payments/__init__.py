"""Payments: bank statements in (camt.053 against its official schema, or our CSV layout), each
credit matched to a case and booked in the ledger (§ 367 BGB: costs, interest, then the claim),
the accountant's queue of unmatched payments, returns and refunds."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, MANAGER

PAYMENT = "Payment"

DOMAIN = Domain(
    name="payments",
    description="Bank statements imported, payments matched to cases and booked; unmatched queue; refunds.",
    permissions=(
        # The Lawyer reads the whole file: a case's payments too (what was paid when, for court).
        permission(PAYMENT, "read", N_("See payments: a case's payments, the unmatched queue, imports"), ACCOUNTANT,
                   HANDLER, LAWYER, MANAGER),
        permission(PAYMENT, "write", N_("Import bank statements, assign unmatched payments, refund overpayments"),
                   ACCOUNTANT),
    ),
    menu=(MenuEntry(N_("Unmatched payments"), PAYMENT, "read", "/payments/unmatched", "fa-question-circle",
                    order=78, category=N_("Money")),
          MenuEntry(N_("Import bank statement"), PAYMENT, "write", "/payments/import", "fa-upload",
                    order=79, category=N_("Money"))),
    models="caseapp.payments.models",
    views="caseapp.payments.views",
    cli="caseapp.payments.cli",
    tasks="caseapp.payments.tasks",
    demo="caseapp.payments.demo",
    demo_order=60,
    audit_words="caseapp.payments.audit_words",
    personal_data="caseapp.payments.personal_data",
)
