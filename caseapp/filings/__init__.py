"""Filings: court filings generated from a case for the routes the country's rules name
(jurisdictions/<CC>.toml [[routes]]): the European Small Claims Procedure's Form A, the German
Mahnantrag, the US Copyright Claims Board claim pack, the IPEC small claims particulars of claim
and a general complaint draft (DOCX) with its evidence annex. Each only where its conditions hold;
otherwise the lawyer is told exactly what is missing."""
from caseapp.core.domain import Domain, permission
from caseapp.core.i18n import N_
from caseapp.core.security import HANDLER, LAWYER, MANAGER

FILING = "Filing"

DOMAIN = Domain(
    name="filings",
    description="Court filings generated from a case: Form A, Mahnantrag, CCB claim, IPEC particulars, complaint.",
    permissions=(
        permission(FILING, "read", N_("See which court routes are open to a case and its filings"), LAWYER, HANDLER, MANAGER),
        permission(FILING, "write", N_("Generate a court filing on a case"), LAWYER),
    ),
    models="caseapp.filings.models",
    views="caseapp.filings.views",
    cli="caseapp.filings.cli",
    demo="caseapp.filings.demo",
    demo_order=70,
    audit_words="caseapp.filings.audit_words",
    personal_data="caseapp.filings.personal_data",
)
