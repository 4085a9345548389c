"""Settlements: negotiation on a case (offers and counter-offers, the client's floor and
consent), the settlement agreed and its instalment plan, and the case's money card (claimed,
settled, paid, outstanding, paid out, read from the ledger)."""
from caseapp.core.domain import Domain, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, MANAGER

SETTLEMENT = "Settlement"

DOMAIN = Domain(
    name="settlements",
    description="Offers, the settlement and its instalments, and the case's money card.",
    permissions=(
        permission(SETTLEMENT, "read", N_("See a case's offers, settlement, instalments and money card"), HANDLER, LAWYER,
                   ACCOUNTANT, MANAGER),
        permission(SETTLEMENT, "write", N_("Record offers, accept or reject them, record a settlement"), HANDLER, LAWYER),
    ),
    models="caseapp.settlements.models",
    views="caseapp.settlements.views",
    cli="caseapp.settlements.cli",
    demo="caseapp.settlements.demo",
    demo_order=35,
    audit_words="caseapp.settlements.audit_words",
    personal_data="caseapp.settlements.personal_data",
)
