"""Court: the court case of a case (court, route, file number, filing date), the costs the firm
advances for it (posted to the ledger), hearings and court deadlines, the decision and the
enforcement steps; the lawyer's desk and the court calendar (.ics)."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import HANDLER, LAWYER, MANAGER

COURT = "Court"

# Who may do what (docs/lawyer-guide.md):
# - read: the lawyer, and the handler who hands cases to the lawyer and answers the party, sees a
#   case's court record and the court calendar; the Auditor reads it as every record.
# - write: only the lawyer records court cases, costs advanced, hearings, decisions, enforcement.
# - desk: the lawyer's desk is the lawyer's home page; handlers and accountants keep theirs (the
#   queue, the payouts), so it is an action of its own that only the lawyer holds (and Admin).
DOMAIN = Domain(
    name="court",
    description="Court cases, costs advanced, hearings and deadlines, decisions, enforcement; the lawyer's desk.",
    permissions=(
        permission(COURT, "read", N_("See a case's court record and the court calendar (and export it as .ics)"),
                   HANDLER, LAWYER, MANAGER),
        permission(COURT, "write", N_("Record a court case, costs advanced, hearings, court deadlines, the "
                                      "decision and enforcement steps"), LAWYER),
        permission(COURT, "desk", N_("Work at the lawyer's desk: cases with the lawyer, in court and in "
                                     "enforcement, by their next court date"), LAWYER),
    ),
    menu=(MenuEntry(N_("Lawyer's desk"), COURT, "desk", "/court/", "fa-gavel", order=5),
          MenuEntry(N_("Court calendar"), COURT, "read", "/court/calendar", "fa-calendar", order=25)),
    models="caseapp.court.models",
    views="caseapp.court.views",
    cli="caseapp.court.cli",
    demo="caseapp.court.demo",
    demo_order=80,
    audit_words="caseapp.court.audit_words",
    personal_data="caseapp.court.personal_data",
)
