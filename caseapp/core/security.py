"""Roles, and the one permission matrix of caseapp, assembled from the domains' declarations.

Each domain declares its slice (`caseapp/<domain>/__init__.py`: permissions and menu
entries); `caseapp.domains.access_matrix()` joins them into an `AccessMatrix`. `db upgrade`
makes the roles in the database match it exactly; docs/permissions.md is rendered from it;
tests/core/test_permissions.py walks every role x every endpoint against it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, has_request_context, redirect, request, session as flask_session
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.views import AuthDBView
from flask_login import login_user

from caseapp.core.domain import ADMIN, AUDITOR, IN_ACTION, PAGE, TOKEN, MenuEntry, Permission  # noqa: F401

HANDLER = "CaseHandler"
LAWYER = "Lawyer"
ACCOUNTANT = "Accountant"
MANAGER = "Manager"
CRAWLER = "Crawler"
ROLES = (HANDLER, LAWYER, ACCOUNTANT, MANAGER, ADMIN, AUDITOR, CRAWLER)
PEOPLE = (HANDLER, LAWYER, ACCOUNTANT, MANAGER, AUDITOR)   # (and Admin): every role but the machines'
MACHINES = frozenset({CRAWLER})   # accounts for the REST endpoint (API tokens), never for the pages

ROLE_DESCRIPTIONS = {
    HANDLER: "Works the case queue: checks, letters, negotiation, stage changes.",
    LAWYER: "Takes cases to court: reads the whole file, moves legal and court stages.",
    ACCOUNTANT: "Money: payments, payout batches, client bank details.",
    MANAGER: "Management: the dashboards (its home) and the case file, read only; changes nothing.",
    ADMIN: "Everything, including users, roles and reference data.",
    AUDITOR: "Reads everything, changes nothing.",
    CRAWLER: "A machine account: sends sightings to the REST endpoint with an API token, nothing else.",
}


def role_words(role: str) -> str:
    """A role as people say it ('Case handler' for CaseHandler), in the reader's language."""
    from flask_babel import gettext

    words = {HANDLER: gettext("Case handler"), LAWYER: gettext("Lawyer"), ACCOUNTANT: gettext("Accountant"),
             MANAGER: gettext("Manager"),
             ADMIN: gettext("Admin"), AUDITOR: gettext("Auditor"), CRAWLER: gettext("Crawler (machine account)")}
    return words.get(role, role)


# Flask-AppBuilder's security administration (users, roles, permissions): Admin only, by design.
# Every other view's resource must be in the matrix (tests/core/test_permissions.py).
# (Its own account pages too: ResetMyPasswordView sets a password without asking for the current one.)
FAB_ADMIN_RESOURCES = frozenset({
    "UserDBModelView", "RoleModelView", "UserGroupModelView", "PermissionModelView", "UserInfoEditView",
    "ResetMyPasswordView", "ViewMenuModelView", "PermissionViewModelView", "ResetPasswordView", "MenuApi",
    "SecurityApi"})
# A person's own account (the Profile page, core.profile): every person may see it and change their
# language, time zone and password, the Auditor too.
SELF_SERVICE_RESOURCES = frozenset({"Profile"})


@dataclass(frozen=True)
class AccessMatrix:
    """Every permission and menu entry of every domain, and who holds them."""

    permissions: tuple[Permission, ...]
    menu: tuple[MenuEntry, ...]

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        """Menu categories and their entries, in menu order."""
        found: dict[str, list[str]] = {}
        for entry in self.menu:
            if entry.category:
                found.setdefault(entry.category, []).append(entry.name)
        return {name: tuple(entries) for name, entries in found.items()}

    def permission_for(self, resource: str, action: str) -> Permission | None:
        for permission in self.permissions:
            if permission.resource == resource and permission.action == action:
                return permission
        return None

    def roles_allowed(self, resource: str, fab_permission: str) -> frozenset[str]:
        """Who may do `fab_permission` (e.g. 'can_read') on `resource` (undeclared: Admin)."""
        permission = self.permission_for(resource, fab_permission.removeprefix("can_"))
        return permission.roles if permission else frozenset({ADMIN})

    def menu_roles(self, name: str) -> frozenset[str]:
        """Who sees menu entry or category `name`."""
        categories = self.categories
        if name in categories:
            return frozenset().union(*(self.menu_roles(child) for child in categories[name]))
        entry = next(e for e in self.menu if e.name == name)
        return self.roles_allowed(entry.resource, f"can_{entry.action}")

    def granted(self, role: str) -> set[tuple[str, str]]:
        """Every (view menu, FAB permission) that `role` holds (Admin: all there is)."""
        held = {(p.resource, p.fab_name) for p in self.permissions if role in p.roles}
        names = [e.name for e in self.menu] + list(self.categories)
        held |= {(name, "menu_access") for name in names if role in self.menu_roles(name)}
        return held

    def render_markdown(self) -> str:
        lines = [
            "# Who may do what",
            "",
            "Generated from the domains' declarations (`caseapp/<domain>/__init__.py`) by",
            "`caseapp roles matrix > docs/permissions.md`; a test keeps this page and the code in step.",
            "",
            "## Roles",
            "",
        ]
        lines += [f"- **{role}**: {ROLE_DESCRIPTIONS[role]}" for role in ROLES]
        lines += ["", "## The matrix", "", "| what | resource | " + " | ".join(ROLES) + " |",
                  "|---|---|" + "---|" * len(ROLES)]
        for p in self.permissions:
            marks = " | ".join("yes" if role in p.roles else "—" for role in ROLES)
            lines.append(f"| {p.description} | {p.resource} `{p.fab_name}` | {marks} |")
        lines += ["", "## The menu", "", "| menu entry | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
        for name in [e.name for e in self.menu] + list(self.categories):
            marks = " | ".join("yes" if role in self.menu_roles(name) else "—" for role in ROLES)
            lines.append(f"| {name} | {marks} |")
        lines += ["", "Users, roles and permissions pages (Flask-AppBuilder's security views) are for Admin only.", ""]
        return "\n".join(lines)


def access_matrix_of(app) -> AccessMatrix:
    return app.extensions["caseapp_access"]


def is_machine(user) -> bool:
    """A machine account (the crawler's): it holds machine roles only."""
    roles = {role.name for role in (user.roles or [])}
    return bool(roles) and roles <= MACHINES


MACHINE_LOGIN_REFUSED = ("This is a machine account: it sends sightings to the REST endpoint with an API "
                         "token and cannot log in to the pages. Log in with your own account.")
# The session cookie names the audited login it began with; a logout (or an admin ending a
# person's sessions) after that login ends it on the server, whatever the browser keeps.
SESSION_LOGIN_KEY = "_caseapp_login"
SESSION_ENDED = ("user.logged_out", "user.sessions_ended")


class LoginView(AuthDBView):
    """Flask-AppBuilder's login page, with where it goes next (`?next=`) checked by
    core.web.safe_target (one of our own pages, else the home page), machine accounts refused
    (they use API tokens), and each login audited and named in the session (so that a logout
    ends the session on the server). Attempts are throttled per address (AUTH_RATE_LIMIT)."""

    def _get_safe_next_url(self) -> str:
        from caseapp.core.web import safe_target

        return safe_target(request.args.get("next"), self.appbuilder.get_url_for_index)

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        next_url = self._get_safe_next_url()
        if g.user is not None and g.user.is_authenticated:
            return redirect(next_url)
        form = LoginForm_db()
        if form.validate_on_submit():
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(str(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            if is_machine(user):
                flash(MACHINE_LOGIN_REFUSED, "danger")
                return redirect(self.appbuilder.get_url_for_login)
            login_user(user, remember=False)
            self.appbuilder.sm.begin_web_session(flask_session, user)
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)


class NoSecurityApi(SecurityApi):
    """Flask-AppBuilder's JWT login (/api/v1/security/login and /refresh), switched off: the
    pages use the login form, the crawler's REST endpoint API tokens (core.tokens)."""

    include_route_methods: set[str] = set()


class CaseappSecurityManager(SecurityManager):
    """FAB's security manager, with roles synced from the app's access matrix, our login page,
    sessions ended on the server at logout, and machine accounts kept off the pages."""

    authdbview = LoginView
    security_api = NoSecurityApi
    # Flask-AppBuilder's "User's Statistics" chart loads its chart library from the internet (the
    # app works offline): not registered.
    userstatschartview = None

    # --- sessions -----------------------------------------------------------------------------

    def begin_web_session(self, session_data, user) -> int:
        """A person logged in: audit it ("user.logged_in") and name the session by that event."""
        from caseapp.core import audit
        from caseapp.core.uow import unit_of_work

        with unit_of_work(self.session) as session:
            event = audit.record(session, audit.Actor.of(user), "user.logged_in", "user", user.id)
            session.flush()
            started = event.id
        session_data[SESSION_LOGIN_KEY] = started
        return started

    def end_web_sessions(self, user, action: str = "user.logged_out", actor=None) -> None:
        """End every session of `user` begun before now, on the server (at logout; an admin may
        end a person's sessions with action "user.sessions_ended")."""
        from caseapp.core import audit
        from caseapp.core.uow import unit_of_work

        with unit_of_work(self.session) as session:
            audit.record(session, actor or audit.Actor.of(user), action, "user", user.id)

    def web_session_current(self, user, session_data) -> bool:
        """Whether the session began with a login of `user` that no logout has ended since."""
        from sqlalchemy import select

        from caseapp.core.audit import AuditEvent

        started = session_data.get(SESSION_LOGIN_KEY)
        if not isinstance(started, int):
            return False
        ended = self.session.scalar(select(AuditEvent.id).where(
            AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id,
            AuditEvent.action.in_(SESSION_ENDED), AuditEvent.id > started).limit(1))
        return ended is None

    def load_user(self, pk):
        """The user of a session cookie, unless it is a machine account or its session ended."""
        user = super().load_user(pk)
        if user is None or is_machine(user) or not self.web_session_current(user, flask_session):
            return None
        return user

    def on_user_logout(self, user) -> None:
        self.end_web_sessions(user)
        flask_session.pop(SESSION_LOGIN_KEY, None)

    # --- permission checks ----------------------------------------------------------------------

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids) -> bool:
        """FAB asks this (one query each) for the page's own access, every menu entry and every
        key and button a page offers: 18 to 40 queries a page, the largest share of a fast page's
        time. Here the roles' permissions are read in one query the first time a request asks,
        and every later question of that request is answered from them. Kept on the request
        object only, so a change of a role's permissions shows on the next request."""
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        current = request._get_current_object()
        held = current.__dict__.setdefault("_caseapp_permissions", {})
        roles = tuple(sorted(role_ids))
        if roles not in held:
            held[roles] = self._permissions_of_roles(roles)
        return (view_name, permission_name) in held[roles]

    def _permissions_of_roles(self, role_ids) -> frozenset[tuple[str, str]]:
        """Every (view or menu, permission) pair the roles hold, in one query."""
        from flask_appbuilder.security.sqla.models import assoc_permissionview_role
        from sqlalchemy import select

        pv = self.permissionview_model
        rows = self.session.execute(
            select(self.viewmenu_model.name, self.permission_model.name)
            .select_from(pv)
            .join(assoc_permissionview_role, pv.id == assoc_permissionview_role.c.permission_view_id)
            .join(self.permission_model, self.permission_model.id == pv.permission_id)
            .join(self.viewmenu_model, self.viewmenu_model.id == pv.view_menu_id)
            .where(assoc_permissionview_role.c.role_id.in_(list(role_ids)))).all()
        return frozenset((view, permission) for view, permission in rows)

    @property
    def matrix(self) -> AccessMatrix:
        return access_matrix_of(self.appbuilder.app)

    def sync_permissions(self) -> None:
        """Register every view's permissions, then make the roles match the matrix."""
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
        """Make every role's permissions match the matrix exactly (Admin: all)."""
        from sqlalchemy import select

        from caseapp.core.uow import unit_of_work

        with unit_of_work(self.session) as session:
            self._sync_roles(session, select)

    def _sync_roles(self, session, select) -> None:
        self.add_role(self.auth_role_public)
        for permission in self.matrix.permissions:   # token-only permissions have no view that registers them
            self.add_permission_view_menu(permission.fab_name, permission.resource)
        for role_name in ROLES:
            role = self.find_role(role_name) or self.add_role(role_name)
            if role_name == ADMIN:
                role.permissions = list(session.scalars(select(self.permissionview_model)))
            else:
                role.permissions = [self.add_permission_view_menu(permission, view)
                                    for view, permission in sorted(self.matrix.granted(role_name))]
        public = self.find_role(self.auth_role_public)
        public.permissions = []
