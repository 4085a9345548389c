"""The ledger: every money movement as a double-entry transaction that balances to zero, per
currency. Posted entries never change; a correction is a reversing transaction. Payments
(settlements domain) and payout batches (payouts domain) post through `ledger.services`."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT

LEDGER = "Ledger"

DOMAIN = Domain(
    name="ledger",
    description="The double-entry ledger under payments and payouts: accounts, transactions, trial balance.",
    permissions=(
        permission(LEDGER, "read", N_("See the ledger and the trial balance"), ACCOUNTANT),
    ),
    menu=(MenuEntry(N_("Trial balance"), LEDGER, "read", "/ledger/", "fa-balance-scale", order=80, category=N_("Money")),),
    models="caseapp.ledger.models",
    views="caseapp.ledger.views",
    cli="caseapp.ledger.cli",
    audit_words="caseapp.ledger.audit_words",
    personal_data="caseapp.ledger.personal_data",
)
