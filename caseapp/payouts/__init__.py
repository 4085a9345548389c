"""Payouts: the accountant's month-end. Payout batches split what was collected between each
client and the firm (the case's contract, in or out of court, VAT on the commission by the
client's tax status, a minimum payout), post the split to the ledger, need a second accountant's
approval, and are exported as one SEPA credit-transfer file (pain.001.001.09) and a self-billed
credit note per client. The month's three-way reconciliation of client money is signed off here."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT

PAYOUT = "Payout"

DOMAIN = Domain(
    name="payouts",
    description="Payout batches (split, VAT, SEPA file, statements, four eyes) and the three-way reconciliation.",
    permissions=(
        permission(PAYOUT, "read", N_("See payout batches, their files and the reconciliation"), ACCOUNTANT),
        permission(PAYOUT, "write", N_("Draft, export and confirm payout batches; sign a month's reconciliation off"),
                   ACCOUNTANT),
        permission(PAYOUT, "approve", N_("Approve a payout batch another accountant drafted (four eyes)"), ACCOUNTANT),
    ),
    # The accountant's home: the first menu entry an accountant may open (core.views.HomeView).
    menu=(MenuEntry(N_("Payouts"), PAYOUT, "read", "/payouts/", "fa-money", order=15, category=N_("Money")),),
    models="caseapp.payouts.models",
    views="caseapp.payouts.views",
    cli="caseapp.payouts.cli",
    audit_words="caseapp.payouts.audit_words",
)
