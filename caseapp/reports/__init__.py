"""Reports: the dashboards for management and the accountants (issue 20). Cases by stage over
time, closure reasons, the collection rate, what was collected and paid out, and how long cases
take (hit to first letter, first letter to payout), per country and per client: each a chart
drawn on the server as SVG (pygal, shipped with the app: no CDN, no script) with its table
beneath and a CSV download. The figures are aggregated in SQL by `services.py` from the other
domains' `reporting` selections; `caseapp reports show` prints the same tables."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, MANAGER

REPORTS = "Reports"

DOMAIN = Domain(
    name="reports",
    description="Dashboards for management and the accountants: charts with their tables and CSV.",
    permissions=(
        permission(REPORTS, "read", N_("See the dashboards and download their tables"), MANAGER, ACCOUNTANT),
    ),
    # The manager's home (core.views.HomeView: the first menu entry a person may open); after the
    # accountant's Payouts (15), so that the accountant's home stays the open batch.
    menu=(MenuEntry(N_("Dashboards"), REPORTS, "read", "/reports/", "fa-bar-chart", order=16),),
    views="caseapp.reports.views",
    warm="caseapp.reports.views:warm",
    cli="caseapp.reports.cli",
)
