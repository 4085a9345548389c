"""What every domain shares: model base and mixins, money, audit trail, file
store, security (roles and permissions as data), errors, formatting. It declares the
pages every role shares (home, stored files, the audit trail, one's own account) and the
commands for users, roles and API tokens."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, PEOPLE

AUDIT_LOG = "AuditLog"
FILE = "File"

DOMAIN = Domain(
    name="core",
    description="Home, stored files, the audit trail, users, roles and API tokens.",
    permissions=(
        permission(AUDIT_LOG, "read", "Read the audit trail", LAWYER, ACCOUNTANT),
        permission(FILE, "read", "See stored images and documents", HANDLER, LAWYER, ACCOUNTANT),
        # Every person's own account (Flask-AppBuilder's pages): see it, change name and password.
        *(permission(resource, action, description, *PEOPLE) for resource, action, description in (
            ("UserDBModelView", "userinfo", "See one's own account"),
            ("UserInfoEditView", "this_form_get", "Open the form to change one's own name"),
            ("UserInfoEditView", "this_form_post", "Change one's own name"),
            ("ResetMyPasswordView", "this_form_get", "Open the form to change one's own password"),
            ("ResetMyPasswordView", "this_form_post", "Change one's own password"),
        )),
    ),
    menu=(MenuEntry("Audit trail", AUDIT_LOG, "read", "/audit/", "fa-history", order=90, category="Records"),),
    models="caseapp.core.tables",
    views="caseapp.core.views",
    cli="caseapp.core.cli_commands",
)
