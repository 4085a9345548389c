"""A page's permission checks (its own access, every menu entry, every key and button) are answered
from the person's roles read once a request (core.security.CaseappSecurityManager), not one query a
check: the answers are FAB's, and a change of a role's permissions shows on the next request."""
from __future__ import annotations

from sqlalchemy import event

from caseapp.core.security import HANDLER, LAWYER
from caseapp.court import COURT


def _permission_queries(db_session, get):
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "ab_permission_view_role" in statement:
            seen.append(statement)

    engine = db_session.get_bind().engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        answer = get()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return answer, seen


def test_a_page_reads_the_roles_permissions_once_and_answers_as_fab_does(app, db_session, client_as):
    lawyer = client_as("lawyer")
    answer, seen = _permission_queries(db_session, lambda: lawyer.get("/court/calendar"))
    assert answer.status_code == 200 and len(seen) == 1
    handler = client_as("handler")
    answer, seen = _permission_queries(db_session, lambda: handler.get("/court/"))
    assert answer.status_code == 403 and len(seen) == 1          # refused, as the matrix says
    assert handler.get("/court/calendar").status_code == 200


def test_a_role_losing_a_permission_is_refused_on_the_next_request(app, db_session, client_as):
    sm = app.appbuilder.sm
    handler = client_as("handler")
    assert handler.get("/court/calendar").status_code == 200
    role = sm.find_role(HANDLER)
    held = sm.find_permission_view_menu("can_read", COURT)
    sm.del_permission_role(role, held)
    try:
        assert handler.get("/court/calendar").status_code == 403
    finally:
        sm.add_permission_role(role, held)
    assert handler.get("/court/calendar").status_code == 200


def test_outside_a_request_the_check_asks_the_database(app, db_session):
    sm = app.appbuilder.sm
    role = sm.find_role(LAWYER)
    assert sm.exist_permission_on_roles(COURT, "can_desk", [role.id])
    assert not sm.exist_permission_on_roles(COURT, "can_desk", [sm.find_role(HANDLER).id])
