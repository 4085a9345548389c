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
ROLES = (HANDLER, LAWYER, ACCOUNTANT, ADMIN, AUDITOR)

ROLE_DESCRIPTIONS = {
    HANDLER: "Works the case queue: checks, letters, negotiation, stage changes.",
    LAWYER: "Takes cases to court: reads the whole file, moves legal and court stages.",
    ACCOUNTANT: "Money: payments, payout batches, client bank details.",
    ADMIN: "Everything, including users, roles and reference data.",
    AUDITOR: "Reads everything, changes nothing.",
}

# Actions that only read. The Auditor holds every one of them and nothing else.
READ_ACTIONS = frozenset({"read"})


@dataclass(frozen=True)
class Permission:
    resource: str
    action: str
    description: str
    roles: frozenset[str]

    @property
    def fab_name(self) -> str:
        return f"can_{self.action}"


def _p(resource: str, action: str, description: str, *roles: str) -> Permission:
    granted = set(roles) | {ADMIN}
    if action in READ_ACTIONS:
        granted.add(AUDITOR)
    return Permission(resource, action, description, frozenset(granted))


# The matrix. Admin holds everything; Auditor every read action.
MATRIX: tuple[Permission, ...] = (
    _p("Queue", "read", "See the case queue", HANDLER, LAWYER),
    _p("Queue", "take", "Take the next unassigned case", HANDLER),
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
)

# FAB's own views (users, roles, permissions...) not named in MATRIX are Admin's alone.
ADMIN_ONLY_DEFAULT = True


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
    lines += ["", "Users, roles and permissions pages (Flask-AppBuilder's security views) are for Admin only.", ""]
    return "\n".join(lines)


class CaseappSecurityManager(SecurityManager):
    """FAB's security manager, with roles synced from MATRIX."""

    def sync_roles(self) -> None:
        """Make every role's permissions match MATRIX exactly (Admin: all)."""
        session = self.session
        self.add_role(self.auth_role_public)
        wanted: dict[str, list] = {role: [] for role in ROLES}
        for permission in MATRIX:
            pvm = self.add_permission_view_menu(permission.fab_name, permission.resource)
            for role in permission.roles:
                wanted[role].append(pvm)
        all_pvms = list(session.scalars(self.permissionview_model.__table__.select().with_only_columns(
            self.permissionview_model.__table__.c.id)))
        for role_name in ROLES:
            role = self.find_role(role_name) or self.add_role(role_name)
            if role_name == ADMIN:
                role.permissions = [session.get(self.permissionview_model, pid) for pid in all_pvms]
            else:
                role.permissions = wanted[role_name]
        public = self.find_role(self.auth_role_public)
        public.permissions = []
        session.commit()
