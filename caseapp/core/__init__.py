"""What every domain shares: model base and mixins, money, audit trail, file
store, security (roles and permissions as data), errors, formatting. It declares the
pages every role shares (home, stored files, the audit trail, one's own account) and the
commands for users, roles and API tokens."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, MANAGER, PEOPLE

AUDIT_LOG = "AuditLog"
FILE = "File"
PROFILE = "Profile"
JOB = "Job"

DOMAIN = Domain(
    name="core",
    description="Home, stored files, the audit trail, users, roles and API tokens.",
    permissions=(
        permission(AUDIT_LOG, "read", N_("Read the audit trail"), LAWYER, ACCOUNTANT, MANAGER),
        permission(FILE, "read", N_("See stored images and documents"), HANDLER, LAWYER, ACCOUNTANT, MANAGER),
        # Every person's own account (the Profile page, core.profile): see it; change one's own
        # language, time zone and password (the current password required). Flask-AppBuilder's own
        # account pages (which change a password without the current one) are Admin's.
        permission(PROFILE, "read", N_("See one's own profile: name, login, roles, preferences"), *PEOPLE),
        permission(PROFILE, "write", N_("Change one's own language, time zone and password"), *PEOPLE),
        # The progress of background work one started (an import, an index rebuild): the page that
        # started it polls /jobs/<id>; only the person who started a job sees it (and Admin).
        permission(JOB, "read", N_("See the progress and outcome of background jobs one started"), *PEOPLE),
    ),
    menu=(MenuEntry(N_("Audit trail"), AUDIT_LOG, "read", "/audit/", "fa-history", order=90, category=N_("Records")),),
    models="caseapp.core.tables",
    views="caseapp.core.views",   # (and core.profile, registered from there)
    cli="caseapp.core.cli_commands",
    tasks="caseapp.core.job_tasks",
)
