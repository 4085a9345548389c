"""The rules of caseapp/core/security.py, each named by who and what: the matrix's look-ups (who may
do an action, who sees a menu entry, what a role is granted), the login page (machines refused,
`next` kept, each login audited), sessions ended on the server, users added, roles synced."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.domain import MenuEntry, Permission
from caseapp.core.security import (ACCOUNTANT, ADMIN, AUDITOR, CRAWLER, HANDLER, LAWYER, MACHINE_LOGIN_REFUSED, ROLES,
                                   SESSION_LOGIN_KEY, AccessMatrix, is_machine)
from caseapp.demo.setup import demo_password
from caseapp.domains import access_matrix

# --- the matrix's look-ups, on a small matrix stated here --------------------------------------

READ_CASES = Permission("Case", "read", "See cases", frozenset({HANDLER, LAWYER, ADMIN, AUDITOR}))
MOVE_CASES = Permission("Case", "change_stage", "Move a case", frozenset({HANDLER, ADMIN}))
APPROVE_PAYOUTS = Permission("Payout", "approve", "Approve a batch", frozenset({ACCOUNTANT, ADMIN}))
SMALL = AccessMatrix(
    permissions=(READ_CASES, MOVE_CASES, APPROVE_PAYOUTS),
    menu=(
        MenuEntry("Queue", "Case", "read", "/queue/", "fa-list", 1),
        MenuEntry("Payouts", "Payout", "approve", "/payouts/", "fa-euro", 2, "Money"),
        MenuEntry("Cases", "Case", "read", "/cases/", "fa-folder", 3, "Records"),
        MenuEntry("Ledger", "Ledger", "read", "/ledger/", "fa-book", 4, "Money"),   # undeclared: Admin's
    ))


def test_categories_list_their_entries_in_menu_order_and_leave_out_top_level_entries():
    assert SMALL.categories == {"Money": ("Payouts", "Ledger"), "Records": ("Cases",)}
    assert list(SMALL.categories) == ["Money", "Records"]


def test_permission_for_needs_both_the_resource_and_the_action():
    assert SMALL.permission_for("Case", "change_stage") is MOVE_CASES
    assert SMALL.permission_for("Payout", "approve") is APPROVE_PAYOUTS
    assert SMALL.permission_for("Case", "approve") is None       # another resource's action
    assert SMALL.permission_for("Payout", "read") is None        # another action on the resource
    assert SMALL.permission_for("Ledger", "read") is None


def test_only_the_declared_roles_may_act_and_an_undeclared_action_is_admins_alone():
    assert SMALL.roles_allowed("Case", "can_change_stage") == {HANDLER, ADMIN}
    assert SMALL.roles_allowed("Case", "can_read") == {HANDLER, LAWYER, ADMIN, AUDITOR}
    assert SMALL.roles_allowed("Ledger", "can_read") == {ADMIN}
    assert SMALL.roles_allowed("Case", "can_delete") == {ADMIN}


def test_a_menu_entry_shows_to_who_may_open_it_and_a_category_to_who_sees_any_entry():
    assert SMALL.menu_roles("Queue") == {HANDLER, LAWYER, ADMIN, AUDITOR}
    assert SMALL.menu_roles("Payouts") == {ACCOUNTANT, ADMIN}
    assert SMALL.menu_roles("Ledger") == {ADMIN}
    assert SMALL.menu_roles("Money") == {ACCOUNTANT, ADMIN}
    assert SMALL.menu_roles("Records") == {HANDLER, LAWYER, ADMIN, AUDITOR}


def test_a_role_is_granted_its_permissions_and_the_menu_entries_they_open():
    assert SMALL.granted(HANDLER) == {
        ("Case", "can_read"), ("Case", "can_change_stage"),
        ("Queue", "menu_access"), ("Cases", "menu_access"), ("Records", "menu_access")}
    assert SMALL.granted(ACCOUNTANT) == {("Payout", "can_approve"), ("Payouts", "menu_access"), ("Money", "menu_access")}
    assert SMALL.granted(AUDITOR) == {("Case", "can_read"), ("Queue", "menu_access"), ("Cases", "menu_access"),
                                      ("Records", "menu_access")}
    assert SMALL.granted(CRAWLER) == set()
    assert ("Ledger", "menu_access") in SMALL.granted(ADMIN)


def test_the_rendered_matrix_marks_who_holds_each_permission_and_sees_each_entry():
    lines = SMALL.render_markdown().splitlines()
    assert lines[0] == "# Who may do what"
    assert f"- **{HANDLER}**: Works the case queue: checks, letters, negotiation, stage changes." in lines
    assert "| what | resource | CaseHandler | Lawyer | Accountant | Manager | Admin | Auditor | Crawler |" in lines
    assert "|---|---|---|---|---|---|---|---|---|" in lines
    assert "| Move a case | Case `can_change_stage` | yes | — | — | — | yes | — | — |" in lines
    assert "| Approve a batch | Payout `can_approve` | — | — | yes | — | yes | — | — |" in lines
    assert "| menu entry | CaseHandler | Lawyer | Accountant | Manager | Admin | Auditor | Crawler |" in lines
    assert "|---|---|---|---|---|---|---|---|" in lines
    assert "| Ledger | — | — | — | — | yes | — | — |" in lines
    assert "| Money | — | — | yes | — | yes | — | — |" in lines
    assert "| Records | yes | yes | — | — | yes | yes | — |" in lines
    assert lines[-1] == "Users, roles and permissions pages (Flask-AppBuilder's security views) are for Admin only."
    assert SMALL.render_markdown().endswith("are for Admin only.\n")


def test_the_crawler_may_only_ingest_and_nobody_else_may():
    matrix = access_matrix()
    assert matrix.roles_allowed("Hits", "can_ingest") == {CRAWLER, ADMIN}
    assert {resource for resource, _ in matrix.granted(CRAWLER)} == {"Hits"}


@pytest.mark.parametrize("role", [HANDLER, LAWYER, ACCOUNTANT, AUDITOR])
def test_no_person_but_admin_holds_a_delete_or_acts_on_others_triage(role):
    held = access_matrix().granted(role)
    for forbidden in [("Client", "can_delete"), ("Party", "can_delete"), ("Hits", "can_undo_others"),
                      ("Hits", "can_remove_others_rules")]:
        assert forbidden not in held, (role, forbidden)
        assert forbidden in access_matrix().granted(ADMIN)


# --- machine accounts -------------------------------------------------------------------------

def _user(*roles):
    return SimpleNamespace(roles=[SimpleNamespace(name=role) for role in roles])


def test_a_machine_account_holds_machine_roles_only():
    assert is_machine(_user(CRAWLER))
    assert not is_machine(_user(CRAWLER, HANDLER))     # a person who also runs the crawler logs in
    assert not is_machine(_user(HANDLER))
    assert not is_machine(_user())                      # no role at all is no machine
    assert not is_machine(SimpleNamespace(roles=None))


# --- the login page ---------------------------------------------------------------------------

def _login(client, user, password=None, next_url=None):
    return client.post("/login/" + (f"?next={next_url}" if next_url else ""),
                       data={"username": user, "password": password or demo_password(user)})


def _flashes(client):
    with client.session_transaction() as session:
        return session.get("_flashes", [])


def _logins(db_session, user):
    return db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.logged_in", AuditEvent.subject_type == "user",
        AuditEvent.subject_id == user.id).order_by(AuditEvent.id)).all()


def test_a_login_is_audited_named_in_the_session_and_goes_on_to_next(app, db_session, client_as, users):
    client = client_as(None)
    before = len(_logins(db_session, users["handler"]))
    answer = _login(client, "handler", next_url="/cases/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/cases/"
    events = _logins(db_session, users["handler"])
    assert len(events) == before + 1
    assert (events[-1].actor_id, events[-1].actor_name) == (users["handler"].id, "handler")
    with client.session_transaction() as session:
        assert session[SESSION_LOGIN_KEY] == events[-1].id
    assert client.get("/queue/").status_code == 200
    assert client.get_cookie("remember_token") is None   # no "remember me": a logout ends it


def test_a_login_refuses_a_next_to_another_site(app, client_as):
    answer = _login(client_as(None), "handler", next_url="//evil.example/")
    with app.test_request_context():
        home = app.appbuilder.get_url_for_index
    assert answer.status_code == 302 and answer.headers["Location"] == home


def test_a_wrong_password_is_refused_and_keeps_next(app, db_session, client_as, users):
    client = client_as(None)
    before = len(_logins(db_session, users["handler"]))
    answer = _login(client, "handler", password="wrong", next_url="/cases/")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login/?next=/cases/"
    assert ("warning", "Invalid login. Please try again.") in _flashes(client)
    assert len(_logins(db_session, users["handler"])) == before
    ended = client.get("/queue/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]


def test_the_crawler_is_refused_at_the_login_page_with_the_reason(app, db_session, client_as, users):
    client = client_as(None)
    answer = _login(client, "crawler", next_url="/hits/")
    with app.test_request_context():
        login_page = app.appbuilder.get_url_for_login
    assert answer.status_code == 302 and answer.headers["Location"] == login_page
    assert ("danger", MACHINE_LOGIN_REFUSED) in _flashes(client)
    assert _logins(db_session, users["crawler"]) == []
    with client.session_transaction() as session:
        assert SESSION_LOGIN_KEY not in session


def test_a_logged_in_person_opening_the_login_page_goes_on_to_next(client_as):
    client = client_as("lawyer")
    answer = client.get("/login/?next=/cases/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/cases/"
    assert client_as(None).get("/login/?next=/cases/").status_code == 200   # the form, to whoever is not


# --- sessions ended on the server ----------------------------------------------------------------

def test_a_session_without_an_audited_login_is_no_login(app, client_as, users):
    for started in (None, "1", 1.0):
        client = client_as(None)
        with client.session_transaction() as session:
            session["_user_id"] = str(users["handler"].id)
            session["_fresh"] = True
            if started is not None:
                session[SESSION_LOGIN_KEY] = started
        answer = client.get("/queue/")
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], started


def test_a_logout_ends_every_earlier_session_of_that_person_only(app, db_session, client_as):
    first, second, other = client_as("handler"), client_as("handler"), client_as("handler2")
    assert first.get("/logout/").status_code == 302
    with first.session_transaction() as session:
        assert SESSION_LOGIN_KEY not in session
    ended = second.get("/queue/")        # the other browser's session began before
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert other.get("/queue/").status_code == 200         # another person's does not end
    later = client_as("handler")                            # a login after the logout
    assert later.get("/queue/").status_code == 200


def test_a_logout_is_audited_as_the_person_logging_out(app, db_session, client_as, users):
    client_as("accountant").get("/logout/")
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == "user", AuditEvent.subject_id == users["accountant"].id)
        .order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.action, event.actor_name) == ("user.logged_out", "accountant")


def test_an_admin_ending_a_persons_sessions_is_audited_as_the_admin(app, db_session, client_as, users):
    sm = app.appbuilder.sm
    client = client_as("handler")
    sm.end_web_sessions(users["handler"], "user.sessions_ended", actor=Actor.of(users["admin"]))
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == "user", AuditEvent.subject_id == users["handler"].id)
        .order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.action, event.actor_name, event.actor_id) == ("user.sessions_ended", "admin", users["admin"].id)
    ended = client.get("/queue/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    sm.end_web_sessions(users["lawyer"])
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.action, event.actor_name, event.subject_id) == ("user.logged_out", "lawyer", users["lawyer"].id)


def test_another_persons_login_does_not_end_a_session(app, client_as):
    client = client_as("handler")
    client_as("handler2")
    _login(client_as(None), "handler2")
    assert client.get("/queue/").status_code == 200


# --- users and roles --------------------------------------------------------------------------

def test_ensure_user_adds_a_person_with_one_role_once(app, db_session):
    sm = app.appbuilder.sm
    assert sm.ensure_user("newbie", LAWYER, "New", "Bie", "a long password 1") is True
    user = sm.find_user(username="newbie")
    assert [role.name for role in user.roles] == [LAWYER]
    assert (user.first_name, user.last_name, user.email) == ("New", "Bie", "newbie@caseapp.example")
    assert sm.auth_user_db("newbie", "a long password 1") is not None
    assert sm.ensure_user("newbie", ADMIN, "Other", "Name", "another password") is False
    user = sm.find_user(username="newbie")
    assert [role.name for role in user.roles] == [LAWYER] and user.first_name == "New"


def test_ensure_user_refuses_a_role_that_does_not_exist(app, db_session):
    with pytest.raises(LookupError, match=r"^Role Judge does not exist: run `caseapp db upgrade` first\.$"):
        app.appbuilder.sm.ensure_user("judge", "Judge", "J", "D", "a long password 1")
    assert app.appbuilder.sm.find_user(username="judge") is None


def test_ensure_user_says_so_when_the_user_cannot_be_added(app, db_session):
    sm = app.appbuilder.sm
    sm.add_user("someone", "Some", "One", "taken@caseapp.example", [sm.find_role(HANDLER)], "a long password 1")
    with pytest.raises(RuntimeError, match=r"^Could not create user taken\.$"):
        sm.ensure_user("taken", HANDLER, "T", "K", "a long password 1")


def _held(role):
    return {(pv.view_menu.name, pv.permission.name) for pv in role.permissions}


def test_syncing_makes_every_role_match_the_matrix_again(app, db_session):
    """A role changed by hand in the database (the Auditor given payments, the handler's cases
    taken away, Public given a page) is put back by `caseapp roles sync`."""
    sm = app.appbuilder.sm
    auditor, handler, public = sm.find_role(AUDITOR), sm.find_role(HANDLER), sm.find_role(sm.auth_role_public)
    auditor.permissions.append(sm.add_permission_view_menu("can_write", "Payment"))
    handler.permissions = [pv for pv in handler.permissions if pv.view_menu.name != "Case"]
    public.permissions = [sm.add_permission_view_menu("can_read", "Case")]
    db_session.flush()
    assert ("Payment", "can_write") in _held(auditor) and ("Case", "can_read") not in _held(handler)

    sm.sync_permissions()
    db_session.expire_all()
    matrix = access_matrix()
    every = {(pv.view_menu.name, pv.permission.name) for pv in db_session.scalars(select(sm.permissionview_model))}
    for role_name in ROLES:
        held = _held(sm.find_role(role_name))
        if role_name == ADMIN:
            assert held == every, role_name
        else:
            assert held == matrix.granted(role_name), role_name
    assert ("Payment", "can_write") not in _held(sm.find_role(AUDITOR))
    assert ("Case", "can_change_stage") in _held(sm.find_role(HANDLER))
    assert _held(sm.find_role(sm.auth_role_public)) == set()
    assert ("Hits", "can_ingest") in _held(sm.find_role(CRAWLER))   # token-only: no page registers it


def _forget(db_session, sm, resource, permission=None):
    """Remove (resource, permission) — every permission of `resource` if None — from the database."""
    gone = [pv for pv in db_session.scalars(select(sm.permissionview_model))
            if pv.view_menu.name == resource and permission in (None, pv.permission.name)]
    for role in db_session.scalars(select(sm.role_model)):
        role.permissions = [pv for pv in role.permissions if pv not in gone]
    for pv in gone:
        db_session.delete(pv)
    return len(gone)


def test_syncing_puts_back_permissions_and_roles_that_went_missing(app, db_session, client_as):
    """`db upgrade` on a new database, or after someone deleted rows in the security pages: the
    security pages' permissions (Admin's; only their views register them), the permissions no page
    registers (Admin's undo of another person's triage decision, checked inside the action) and the
    Public role (kept with no permission) all come back."""
    sm = app.appbuilder.sm
    assert _forget(db_session, sm, "RoleModelView") > 0
    assert _forget(db_session, sm, "Hits", "can_undo_others") == 1
    assert _forget(db_session, sm, "Hits", "can_remove_others_rules") == 1
    db_session.delete(sm.find_role(sm.auth_role_public))
    db_session.commit()
    assert ("RoleModelView", "can_list") not in _held(sm.find_role(ADMIN))
    assert sm.find_role(sm.auth_role_public) is None

    sm.sync_permissions()
    db_session.expire_all()
    admin = _held(sm.find_role(ADMIN))
    assert {("RoleModelView", "can_list"), ("Hits", "can_undo_others"), ("Hits", "can_remove_others_rules")} <= admin
    assert ("Hits", "can_undo_others") not in _held(sm.find_role(HANDLER))
    assert _held(sm.find_role(sm.auth_role_public)) == set()
    assert client_as("admin").get("/roles/list/").status_code == 200
    assert client_as("handler").get("/roles/list/").status_code == 403


def test_syncing_the_roles_adds_a_role_that_was_deleted(app, db_session):
    """An Admin deleted the Auditor role in the Roles page: syncing the roles makes it again, with
    exactly the Auditor's reads."""
    sm = app.appbuilder.sm
    auditor = sm.find_role(AUDITOR)
    for user in list(auditor.user):
        user.roles = [role for role in user.roles if role.name != AUDITOR]
    db_session.delete(auditor)
    db_session.commit()
    assert sm.find_role(AUDITOR) is None

    sm.sync_roles()
    db_session.expire_all()
    assert _held(sm.find_role(AUDITOR)) == access_matrix().granted(AUDITOR)


def test_syncing_creates_a_permission_no_page_registers_for_its_roles(app, db_session, monkeypatch):
    """A permission checked with an API token or inside an action, that no view lists, is still made
    and given to whoever holds it — here one only the Admin holds (nobody else's grant makes it)."""
    from caseapp.core.domain import TOKEN

    sm = app.appbuilder.sm
    matrix = access_matrix()
    export = Permission("Export", "run", "Run the nightly export", frozenset({ADMIN}), TOKEN)
    monkeypatch.setitem(app.extensions, "caseapp_access",
                        AccessMatrix(permissions=matrix.permissions + (export,), menu=matrix.menu))
    assert sm.find_permission_view_menu("can_run", "Export") is None

    sm.sync_permissions()
    db_session.expire_all()
    assert ("Export", "can_run") in _held(sm.find_role(ADMIN))
    assert all(("Export", "can_run") not in _held(sm.find_role(role)) for role in ROLES if role != ADMIN)
