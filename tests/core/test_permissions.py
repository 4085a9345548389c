"""Every role x every protected endpoint: the app's matrix is wired to the pages, and each role
gets exactly what the hand-written table (tests/core/permission_table.py) says it may do."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask_appbuilder.api import BaseApi
from sqlalchemy import select

from caseapp.cases.models import Case
from caseapp.core import security
from caseapp.core.security import ROLES
from caseapp.domains import access_matrix
from caseapp.clients.models import Work
from tests.conftest import ROLE_USERS
from tests.core.permission_table import may

MATRIX = access_matrix().permissions
LOGIN_FOR_ROLE = {role: next(u for u, r in ROLE_USERS.items() if r == role) for role in ROLES}


def protected_endpoints(app):
    """(endpoint, rule, resource, fab permission) for every permission-checked HTML endpoint."""
    views = {view.endpoint: view for view in app.appbuilder.baseviews}
    found = []
    for rule in app.url_map.iter_rules():
        name, _, method = rule.endpoint.partition(".")
        view = views.get(name)
        if view is None or isinstance(view, BaseApi):
            continue
        function = getattr(view, method, None)
        if not hasattr(function, "_permission_name"):
            continue
        permission = "can_" + (view.method_permission_name.get(method) or function._permission_name)
        # A view may switch an inherited endpoint off (FAB's base_permissions): nobody may use it.
        enabled = permission in view.base_permissions
        found.append((rule.endpoint, rule, view.class_permission_name, permission if enabled else None))
    return found


SAMPLE_CASE = Case.stage == "offer_sent"
# Query strings some pages need to answer (without them they refuse the request, not the role).
SAMPLE_QUERY = {"TriageView.whitelist_preview": {"site": "example.com", "client": "1"}}
# Pages allowed to a role that still refuse an empty form (the sweep posts none), after the
# permission check: the status they answer. Any other allowed page must answer 200 or 302.
EMPTY_FORM_REFUSED = {
    "WorkUploadView.upload": 400,        # no image uploaded
    "PaymentView.import_file": 400,      # no bank statement uploaded
    "TriageView.import_file": 400,       # no sightings file uploaded
}


def sample_records(app, session, users) -> dict[str, str]:
    """Records the demo data lacks, so that pages showing one answer it rather than 404: a letter
    on the sample case, an exported payout batch, a user group."""
    from caseapp.cases import lifecycle
    from caseapp.core.audit import Actor
    from caseapp.core.filestore import FileStore
    from caseapp.letters import services as letters
    from caseapp.payouts import services as payouts
    from tests.cases.factories import make_case
    from tests.clients.factories import make_client
    from tests.conftest import TODAY
    from tests.payouts.factories import DAY, collect, give_account

    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    case = session.scalars(select(Case).where(SAMPLE_CASE).limit(1)).one()
    letter = letters.issue_letter(session, Actor.system("test"), case, "reminder", today=TODAY, store=store,
                                  inputs={"amount": "100.00"})
    holder = make_client(session, "Sample Payee")
    give_account(session, holder)
    collect(session, make_case(session, lifecycle.COLLECTION, holder=holder), "100.00")
    batch = payouts.draft(session, Actor.of(users["accountant"]), DAY)
    payouts.approve(session, Actor.of(users["accountant2"]), batch.id)
    payouts.export(session, Actor.of(users["accountant"]), batch.id, store, settings=app.config)
    group = app.appbuilder.sm.add_group("sample", "Sample", "a group for the permission sweep")
    capture = _sample_capture(session, store, case)
    filing = _sample_filing(session, store)
    session.flush()
    return {"ref": case.ref, "letter_id": str(letter.id), "batch_id": str(batch.id), "group_id": str(group.id),
            "capture_id": str(capture.id), "filing_id": str(filing.id), "file_id": str(filing.files[0].id)}


def _sample_filing(session, store):
    """A Mahnantrag generated on the filings' showcase case (caseapp.filings.demo)."""
    from caseapp.cases.models import Case
    from caseapp.core.audit import Actor
    from caseapp.filings import services as filings
    from caseapp.parties.models import Party
    from tests.conftest import TODAY

    case = session.scalars(select(Case).join(Party, Party.id == Case.party_id)
                           .where(Party.name == "Bergblick Reisen GmbH")).first()
    return filings.generate(session, Actor.system("test"), case, "mahnverfahren", store=store, today=TODAY)


def _sample_capture(session, store, case):
    """An evidence capture of the sample case, made without a browser (the sweep reads its page)."""
    from datetime import datetime, timezone

    from caseapp.core.audit import Actor
    from caseapp.evidence.capture import Captured
    from caseapp.evidence.services import record_capture

    captured = Captured(url="https://sample.example/", final_url="https://sample.example/", status=200, headers=[],
                        captured_at=datetime(2026, 11, 23, 9, tzinfo=timezone.utc), exchanges=[],
                        files={"page.warc.gz": b"warc", "screenshot.png": b"\x89PNG sample", "page.html": b"<p>",
                               "exchanges.json": b"[]"})
    return record_capture(session, Actor.system("test"), store, captured, kind="on_demand", case_id=case.id)


def _sample_job(app, session, login):
    """A background job started by `login` (a job is seen only by whoever started it, and Admin)."""
    from caseapp.core import jobs

    user = app.appbuilder.sm.find_user(username=login) if login else None
    job = jobs.create(session, "core.probe", started_by=user.id if user else None)
    session.flush()
    return job.id


def sample_url(app, session, rule, records=None):
    from flask import url_for

    records = records or {}
    values = dict(SAMPLE_QUERY.get(rule.endpoint, {}))
    for argument in rule.arguments:
        if argument in records:
            values[argument] = records[argument]
        elif argument == "pk" and rule.endpoint.startswith("UserGroupModelView.") and "group_id" in records:
            values["pk"] = records["group_id"]
        elif argument == "ref":
            values["ref"] = session.scalars(select(Case.ref).where(SAMPLE_CASE).limit(1)).one()
        elif argument == "sha256":
            values["sha256"] = session.scalars(select(Work.thumbnail_sha256).limit(1)).one()
        elif argument in ("pk", "rule_id", "client_id", "account_id", "work_id", "defence_id", "conflict_id",
                          "letter_id", "offer_id", "payment_id", "batch_id", "event_id", "party_id",
                          "candidate_id", "capture_id", "filing_id", "file_id", "date_id", "job_id"):
            values[argument] = "1"
        elif argument == "filename":  # FAB's download routes: serve a real upload
            folder = Path(app.config["UPLOAD_FOLDER"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "0000_sep_sample.txt").write_text("sample")
            values["filename"] = "0000_sep_sample.txt"
        elif argument == "what":       # a payout batch's file: the SEPA file or a client's statement
            values["what"] = "sepa"
        elif argument == "name":       # a file of an evidence capture
            values["name"] = "screenshot.png"
        elif argument == "decision":   # a licence defence: accept or reject
            values["decision"] = "reject"
        elif argument == "key":       # a dashboard's table as CSV
            values["key"] = "stages"
        elif argument == "group_by":  # FAB's user statistics chart
            values["group_by"] = "0"
        else:
            raise AssertionError(f"no sample value for <{argument}> in {rule.rule}: add one here")
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


# Routes that check no permission on entry, each with why that is safe. The sweep below walks only
# permission-checked pages: a page whose @has_access was dropped would leave it unseen (and open to
# everyone); this list makes that fail instead.
UNCHECKED_ROUTES = {
    "static": "the app's stylesheets and scripts",
    "appbuilder.static": "Flask-AppBuilder's stylesheets and scripts",
    "LoginView.login": "the login page",
    "health.health": "GET /health for load balancers and monitors: states of checks, nothing secret (core.health)",
    "LoginView.logout": "the logout",
    "HomeView.index": "sends to the login page, or to the first menu page the role may open",
    "LocaleView.index": "switches the page language",
    "UtilView.back": "goes back to the previous page",
    "MenuApi.get_menu_data": "Flask-AppBuilder's REST menu: checked by @protect (Admin's, FAB_ADMIN_RESOURCES)",
    "hits_api.ingest_sightings": "the crawler's REST endpoint: an API token of a role that may ingest",
    "hits_api.sighting_job": "an ingest job's results: an API token of a role that may ingest, the job its user's",
}
# Flask-AppBuilder's list actions: the route only dispatches, each action is checked against its own
# permission (e.g. WorkView's delete_selected against Work.can_delete).
ACTION_ROUTES = (".action", ".action_post")


def test_every_route_checks_a_permission_or_is_stated_public(app):
    checked = {endpoint for endpoint, *_ in protected_endpoints(app)}
    unchecked = {rule.endpoint for rule in app.url_map.iter_rules()} - checked
    unstated = sorted(e for e in unchecked if e not in UNCHECKED_ROUTES and not e.endswith(ACTION_ROUTES))
    assert not unstated, f"routes that check no permission: add @has_access, or state them here: {unstated}"
    assert not set(UNCHECKED_ROUTES) - unchecked, "stated unchecked, but they are checked (or gone)"


def test_the_unchecked_routes_give_nobody_logged_out_anything(app, db_session, client_as):
    from caseapp.clients.models import Work

    anonymous = client_as(None)
    home = anonymous.get("/")
    assert home.status_code == 302 and "/login" in home.headers["Location"]
    assert anonymous.get("/api/v1/menu/").status_code == 401
    work = db_session.scalars(select(Work.id).limit(1)).one()
    refused = anonymous.post("/works/action_post", data={"action": "delete_selected", "rowid": [str(work)]})
    assert refused.status_code == 302 and "/login" not in refused.headers["Location"]
    db_session.expire_all()
    assert db_session.get(Work, work) is not None


@pytest.mark.parametrize("role", ROLES)
def test_flask_appbuilders_menu_api_is_admins_only(client_as, role):
    answer = client_as(LOGIN_FOR_ROLE[role]).get("/api/v1/menu/")
    expected = {security.ADMIN: 200, security.CRAWLER: 401}.get(role, 403)   # a machine's session is no login
    assert answer.status_code == expected, (role, answer.status_code)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in security.MACHINES])
def test_the_home_page_sends_each_role_to_its_first_menu_page(client_as, role):
    matrix = access_matrix()
    first = next(e.href for e in matrix.menu if role in matrix.menu_roles(e.name))
    answer = client_as(LOGIN_FOR_ROLE[role]).get("/")
    assert answer.status_code == 302 and answer.headers["Location"] == first, (role, answer.headers.get("Location"))


def test_every_endpoint_is_in_the_matrix(app):
    """Every permission a page checks is declared, and every declared one is checked: a view whose
    resource the matrix lacks would silently be Admin's only. Flask-AppBuilder's security
    administration is the one exception, by design."""
    checked = {(resource, permission) for _e, _r, resource, permission in protected_endpoints(app)
               if permission is not None}
    declared = {(p.resource, p.fab_name) for p in MATRIX if p.checked_by == security.PAGE}
    undeclared = {(r, p) for r, p in checked - declared if r not in security.FAB_ADMIN_RESOURCES}
    assert not undeclared, f"pages check permissions the matrix lacks: {sorted(undeclared)}"
    assert declared <= checked, f"the matrix declares what no page checks: {sorted(declared - checked)}"


@pytest.mark.parametrize("role", list(ROLES) + [None])
def test_role_against_every_endpoint(app, db_session, client_as, users, role):
    """Each role may open exactly the pages the table (not the app's matrix) lets it: an allowed page
    answers (200, or a 302 that is not to the login page), a forbidden one answers 403 — Flask-
    AppBuilder's refusal — and nothing else, so a wrong grant cannot pass as a 400 or a 404."""
    records = sample_records(app, db_session, users)
    records["job_id"] = str(_sample_job(app, db_session, LOGIN_FOR_ROLE[role] if role else None))
    client = client_as(LOGIN_FOR_ROLE[role] if role else None)
    checked = 0
    for endpoint, rule, resource, permission in protected_endpoints(app):
        url = sample_url(app, db_session, rule, records)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={})
        person = role is not None and role not in security.MACHINES   # a machine's session is no login
        allowed = person and permission is not None and may(role, resource, permission)
        where = f"{role} {method} {url} ({resource} {permission}) -> {response.status_code}"
        if allowed:
            assert "/login" not in response.headers.get("Location", ""), f"sent to login: {where}"
            expected = {EMPTY_FORM_REFUSED[endpoint]} if endpoint in EMPTY_FORM_REFUSED else {200, 302}
            assert response.status_code in expected, f"the table says {role} may, the page answers: {where}"
        elif not person:
            assert response.status_code == 302 and "/login" in response.headers["Location"], where
        else:
            assert response.status_code == 403, f"the table says {role} may not, the page answers: {where}"
        checked += 1
    assert checked >= 20


def test_roles_in_database_match_the_matrix(app, db_session):
    sm = app.appbuilder.sm
    for role_name in ROLES:
        role = sm.find_role(role_name)
        held = {(pv.view_menu.name, pv.permission.name) for pv in role.permissions}
        wanted = access_matrix().granted(role_name)
        if role_name == "Admin":  # everything there is, FAB's security views included
            every = {(pv.view_menu.name, pv.permission.name)
                     for pv in db_session.scalars(select(sm.permissionview_model))}
            assert held == every and wanted <= held
        else:
            assert held == wanted, role_name


def test_menu_shows_what_each_role_may_open(app, client_as):
    """Every menu entry the app registers is in the matrix's menu, and shows exactly to its roles."""
    registered = {item.name for item in app.appbuilder.menu.get_list()}
    matrix = access_matrix()
    in_categories = {e for entries in matrix.categories.values() for e in entries}
    entries = {e.name for e in matrix.menu}
    assert registered - {"Security"} == set(matrix.categories) | (entries - in_categories)
    for role in ROLES:
        html = client_as(LOGIN_FOR_ROLE[role]).get("/queue/?scope=unassigned" if role in
                                                   matrix.menu_roles("Queue") else "/audit/list/",
                                                   follow_redirects=True).get_data(as_text=True)
        for entry in entries:
            shown = f">{entry}<" in html or f"> {entry}<" in html or f"{entry}</a>" in html
            assert shown == (role in matrix.menu_roles(entry)), (role, entry)


def test_auditor_reads_everything_and_changes_nothing():
    for permission in MATRIX:
        if permission.resource in security.SELF_SERVICE_RESOURCES:   # (but their own password)
            continue
        assert (security.AUDITOR in permission.roles) == (permission.action == "read"), permission


def test_docs_page_is_rendered_from_the_matrix():
    page = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
    assert page.read_text() == access_matrix().render_markdown(), \
        "docs/permissions.md is stale: run `caseapp roles matrix > docs/permissions.md`"


# --- explicit cases, not derived from the matrix: what the permission table promises ---------------

def test_a_handler_may_not_delete_a_party_an_admin_may(app, db_session, client_as):
    from caseapp.parties.models import Party
    from tests.parties.factories import make_party

    party = make_party(db_session)
    db_session.commit()
    refused = client_as("handler").post(f"/parties/delete/{party.id}")
    assert refused.status_code == 403
    assert "btn-delete-" not in client_as("handler").get("/parties/list/").get_data(as_text=True)  # no button
    assert "btn-delete-" in client_as("admin").get("/parties/list/").get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Party, party.id) is not None
    done = client_as("admin").post(f"/parties/delete/{party.id}")
    assert done.status_code == 302
    db_session.expire_all()
    assert db_session.get(Party, party.id) is None


def test_only_the_maker_or_an_admin_removes_a_whitelist_rule(app, db_session, client_as, users):
    from caseapp.core.audit import Actor
    from caseapp.hits import services
    from caseapp.hits.models import SiteRule
    from tests.clients.factories import make_client
    from tests.conftest import TODAY

    holder = make_client(db_session)
    theirs = services.whitelist_site(db_session, Actor(users["handler2"].id, "handler2"), site="theirs.example",
                                     client_id=holder.id, today=TODAY)
    mine = services.whitelist_site(db_session, Actor(users["handler"].id, "handler"), site="mine.example",
                                   client_id=holder.id, today=TODAY)
    db_session.commit()
    rule_of = {d.id: db_session.scalars(select(SiteRule).where(SiteRule.decision_id == d.id)).one().id
               for d in (theirs, mine)}
    handler = client_as("handler")
    listing = handler.get("/hits/rules/").get_data(as_text=True)
    assert f"/hits/rules/{rule_of[mine.id]}/remove" in listing
    assert f"/hits/rules/{rule_of[theirs.id]}/remove" not in listing
    refused = handler.post(f"/hits/rules/{rule_of[theirs.id]}/remove", follow_redirects=True)
    assert "handler2&#39;s: ask them, or an admin" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(SiteRule, rule_of[theirs.id]) is not None
    handler.post(f"/hits/rules/{rule_of[mine.id]}/remove")
    client_as("admin").post(f"/hits/rules/{rule_of[theirs.id]}/remove")
    db_session.expire_all()
    assert db_session.get(SiteRule, rule_of[mine.id]) is None and db_session.get(SiteRule, rule_of[theirs.id]) is None


def test_deleting_is_its_own_action_in_the_matrix():
    """FAB's delete is not "write": whoever may add and edit parties or clients may not delete them."""
    matrix = access_matrix()
    for resource in ("Party", "Client"):
        assert matrix.permission_for(resource, "delete") is not None, resource
        assert matrix.roles_allowed(resource, "can_delete") == {"Admin"}, resource
    assert "CaseHandler" in matrix.roles_allowed("Party", "can_write")


@pytest.mark.parametrize("login, deletes", [("handler", False), ("lawyer", False), ("auditor", False),
                                            ("accountant", True), ("admin", True)])
def test_the_works_list_delete_action_is_for_who_may_delete_works(app, db_session, client_as, login, deletes):
    """The list's "Delete" action is not a page the sweep opens (FAB's action route checks each
    action on its own): the handler may edit works but not delete them, the Accountant may."""
    from caseapp.clients.models import Work
    from tests.clients.factories import make_client, make_work

    work = make_work(db_session, make_client(db_session)).id
    db_session.commit()
    answer = client_as(login).post("/works/action_post", data={"action": "delete_selected", "rowid": [str(work)]})
    assert answer.status_code == 302
    db_session.expire_all()
    assert (db_session.get(Work, work) is None) == deletes, login
