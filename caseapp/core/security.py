"""Roles and permissions as data: the one permission matrix of caseapp.

A permission is (action, resource), e.g. ("change_stage", "Case"); FAB stores
it as "can_change_stage" on view-menu "Case". Views declare the resource with
`class_permission_name` and map each endpoint to an action with
`method_permission_name`. `sync_roles` makes the database match this matrix
exactly; docs/permissions.md is rendered from it; tests/core/test_permissions.py
walks every role x every endpoint against it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_appbuilder.security.sqla.manager import SecurityManager

HANDLER = "CaseHandler"
LAWYER = "Lawyer"
ACCOUNTANT = "Accountant"
ADMIN = "Admin"
AUDITOR = "Auditor"
CRAWLER = "Crawler"
ROLES = (HANDLER, LAWYER, ACCOUNTANT, ADMIN, AUDITOR, CRAWLER)
PEOPLE = (HANDLER, LAWYER, ACCOUNTANT, AUDITOR)   # (and Admin): every role but the machines'

ROLE_DESCRIPTIONS = {
    HANDLER: "Works the case queue: checks, letters, negotiation, stage changes.",
    LAWYER: "Takes cases to court: reads the whole file, moves legal and court stages.",
    ACCOUNTANT: "Money: payments, payout batches, client bank details.",
    ADMIN: "Everything, including users, roles and reference data.",
    AUDITOR: "Reads everything, changes nothing.",
    CRAWLER: "A machine account: sends sightings to the REST endpoint with an API token, nothing else.",
}

# Actions that only read. The Auditor holds every one of them and nothing else.
READ_ACTIONS = frozenset({"read"})
# Where a permission is checked: by a page's endpoint (FAB), by a REST endpoint that machines
# call with an API token, or inside an action a page endpoint allows (e.g. undoing another
# person's decision is an undo, checked further).
PAGE, TOKEN, IN_ACTION = "page", "token", "in action"


@dataclass(frozen=True)
class Permission:
    resource: str
    action: str
    description: str
    roles: frozenset[str]
    checked_by: str = PAGE

    @property
    def fab_name(self) -> str:
        return f"can_{self.action}"


def _p(resource: str, action: str, description: str, *roles: str, checked_by: str = PAGE) -> Permission:
    granted = set(roles) | {ADMIN}
    if action in READ_ACTIONS:
        granted.add(AUDITOR)
    return Permission(resource, action, description, frozenset(granted), checked_by)


# The matrix. Admin holds everything; Auditor every read action.
MATRIX: tuple[Permission, ...] = (
    _p("CaseQueue", "read", "See the case queue", HANDLER, LAWYER),
    _p("CaseQueue", "take", "Take the next unassigned case", HANDLER),
    _p("Hits", "read", "See the triage page: hits, their sightings and works", HANDLER, LAWYER),
    _p("Hits", "decide", "Decide hits, one or thousands at once; whitelist a domain; undo", HANDLER),
    _p("Hits", "undo_others", "Undo another person's triage decision", checked_by=IN_ACTION),
    _p("Hits", "ingest", "Send sightings to POST /api/v1/sightings (with an API token)", CRAWLER, checked_by=TOKEN),
    _p("Case", "read", "Open a case: overview, items, timeline, notes", HANDLER, LAWYER, ACCOUNTANT),
    _p("Case", "change_stage", "Move a case along its lifecycle, close it", HANDLER, LAWYER),
    _p("Case", "assign", "Assign a case to oneself or release it", HANDLER, LAWYER),
    _p("Case", "edit", "Edit a case's claim and next due date", HANDLER, LAWYER),
    _p("Case", "note", "Add a note to a case", HANDLER, LAWYER, ACCOUNTANT),
    _p("Client", "read", "See clients (rights holders)", HANDLER, LAWYER, ACCOUNTANT),
    _p("Client", "write", "Add and edit clients", ACCOUNTANT),
    _p("Work", "read", "See clients' works", HANDLER, LAWYER, ACCOUNTANT),
    _p("Work", "write", "Edit works' titles", HANDLER),
    _p("Infringer", "read", "See parties (infringers)", HANDLER, LAWYER, ACCOUNTANT),
    _p("Infringer", "write", "Add and edit parties and their addresses", HANDLER, LAWYER),
    _p("AuditLog", "read", "Read the audit trail", LAWYER, ACCOUNTANT),
    _p("File", "read", "See stored images and documents", HANDLER, LAWYER, ACCOUNTANT),
    # Every person's own account (Flask-AppBuilder's pages): see it, change name and password.
    *(_p(resource, action, description, *PEOPLE) for resource, action, description in (
        ("UserDBModelView", "userinfo", "See one's own account"),
        ("UserInfoEditView", "this_form_get", "Open the form to change one's own name"),
        ("UserInfoEditView", "this_form_post", "Change one's own name"),
        ("ResetMyPasswordView", "this_form_get", "Open the form to change one's own password"),
        ("ResetMyPasswordView", "this_form_post", "Change one's own password"),
    )),
)
# Flask-AppBuilder's security administration (users, roles, permissions): Admin only, by design.
# Every other view's resource must be in MATRIX (tests/core/test_permissions.py).
FAB_ADMIN_RESOURCES = frozenset({
    "UserDBModelView", "RoleModelView", "UserGroupModelView", "UserStatsChartView", "PermissionModelView",
    "ViewMenuModelView", "PermissionViewModelView", "ResetPasswordView", "MenuApi", "SecurityApi"})
SELF_SERVICE_RESOURCES = frozenset({"UserDBModelView", "UserInfoEditView", "ResetMyPasswordView"})

# Menu entries: shown to whoever may read what they open. A category shows
# when any of its entries does. FAB stores these as "menu_access" on the name.
MENU: dict[str, tuple[str, str]] = {
    "Queue": ("CaseQueue", "read"),
    "Triage": ("Hits", "read"),
    "Clients": ("Client", "read"),
    "Works": ("Work", "read"),
    "Parties": ("Infringer", "read"),
    "Audit trail": ("AuditLog", "read"),
    "Whitelists": ("Hits", "read"),
}
MENU_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Records": ("Clients", "Works", "Parties", "Whitelists", "Audit trail"),
}


def menu_roles(entry: str) -> frozenset[str]:
    """Who sees menu entry or category `entry`."""
    if entry in MENU_CATEGORIES:
        return frozenset().union(*(menu_roles(child) for child in MENU_CATEGORIES[entry]))
    permission = permission_for(*MENU[entry])
    return permission.roles if permission else frozenset({ADMIN})


def granted(role: str) -> set[tuple[str, str]]:
    """Every (view menu, FAB permission) that `role` holds by the matrix (Admin: all there is)."""
    held = {(p.resource, p.fab_name) for p in MATRIX if role in p.roles}
    held |= {(entry, "menu_access") for entry in [*MENU, *MENU_CATEGORIES] if role in menu_roles(entry)}
    return held


def permission_for(resource: str, action: str) -> Permission | None:
    for permission in MATRIX:
        if permission.resource == resource and permission.action == action:
            return permission
    return None


def roles_allowed(resource: str, fab_permission: str) -> frozenset[str]:
    """Who may do `fab_permission` (e.g. 'can_read') on `resource`."""
    action = fab_permission.removeprefix("can_")
    permission = permission_for(resource, action)
    if permission is None:
        return frozenset({ADMIN})
    return permission.roles


def render_markdown() -> str:
    lines = [
        "# Who may do what",
        "",
        "Generated from `caseapp/core/security.py` (`caseapp roles matrix > docs/permissions.md`);",
        "a test keeps this page and the code in step.",
        "",
        "## Roles",
        "",
    ]
    lines += [f"- **{role}**: {ROLE_DESCRIPTIONS[role]}" for role in ROLES]
    lines += ["", "## The matrix", "", "| what | resource | " + " | ".join(ROLES) + " |",
              "|---|---|" + "---|" * len(ROLES)]
    for p in MATRIX:
        marks = " | ".join("yes" if role in p.roles else "—" for role in ROLES)
        lines.append(f"| {p.description} | {p.resource} `{p.fab_name}` | {marks} |")
    lines += ["", "## The menu", "", "| menu entry | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    for entry in [*MENU, *MENU_CATEGORIES]:
        marks = " | ".join("yes" if role in menu_roles(entry) else "—" for role in ROLES)
        lines.append(f"| {entry} | {marks} |")
    lines += ["", "Users, roles and permissions pages (Flask-AppBuilder's security views) are for Admin only.", ""]
    return "\n".join(lines)


class CaseappSecurityManager(SecurityManager):
    """FAB's security manager, with roles synced from MATRIX."""

    def sync_permissions(self) -> None:
        """Register every view's permissions, then make the roles match MATRIX."""
        for role in ROLES:  # roles first: FAB grants every new permission to Admin
            self.add_role(role)
        self.appbuilder.add_permissions(update_perms=True)
        self.sync_roles()

    def ensure_user(self, login: str, role: str, first: str, last: str, password: str) -> bool:
        """Add a user with one role unless the login exists; True when added."""
        if self.find_user(username=login):
            return False
        role_obj = self.find_role(role)
        if role_obj is None:
            raise LookupError(f"Role {role} does not exist: run `caseapp db upgrade` first.")
        if not self.add_user(login, first, last, f"{login}@caseapp.example", [role_obj], password):
            raise RuntimeError(f"Could not create user {login}.")
        return True

    def sync_roles(self) -> None:
        """Make every role's permissions match MATRIX exactly (Admin: all)."""
        from sqlalchemy import select

        session = self.session
        self.add_role(self.auth_role_public)
        for permission in MATRIX:   # token-only permissions have no view that registers them
            self.add_permission_view_menu(permission.fab_name, permission.resource)
        for role_name in ROLES:
            role = self.find_role(role_name) or self.add_role(role_name)
            if role_name == ADMIN:
                role.permissions = list(session.scalars(select(self.permissionview_model)))
            else:
                role.permissions = [self.add_permission_view_menu(permission, view)
                                    for view, permission in sorted(granted(role_name))]
        public = self.find_role(self.auth_role_public)
        public.permissions = []
        session.commit()
