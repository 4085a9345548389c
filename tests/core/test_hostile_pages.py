"""Every GET page of the app, as an Admin and as a handler, with hostile values in its query
string: never a 500 (a clear message, or the value ignored and the page's default used)."""
from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from flask import url_for
from flask_appbuilder import ModelView
from flask_appbuilder.api import BaseApi

from tests.core.test_permissions import sample_url

HOSTILE = ["١٢٣", "99999999999999999999", "-1", "", "x" * 3000, "9999-12-31", "1000000", "0", "1e9",
           "²", " 7 ", "%00", "\n"]
# What our own pages read from a query string, and what Flask-AppBuilder's list pages read.
OUR_ARGS = ["client", "after", "before", "older", "work", "sighting", "band", "status", "site", "kind",
            "new_client", "new_site", "preview", "backlog", "scope", "stage", "country", "edit", "claimed",
            "next_due_on", "note", "next", "page", "psize", "group_by", "case", "user", "since", "until", "q"]

# GET endpoints that are not pages: logging out (the test would go on logged out), FAB's actions.
NOT_PAGES = {"logout", "action", "delete"}


def get_pages(app):
    """(rule, the view's query arguments) for every GET page of the app (from its URL map)."""
    views = {view.endpoint: view for view in app.appbuilder.baseviews}
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.startswith("appbuilder."):
            continue
        name, _, method = rule.endpoint.partition(".")
        if method in NOT_PAGES:
            continue
        view = views.get(name)
        if isinstance(view, BaseApi):
            continue
        args = list(OUR_ARGS)
        if isinstance(view, ModelView):
            name = type(view).__name__
            args += [f"page_{name}", f"psize_{name}", f"_oc_{name}", f"_od_{name}"]
            for column in view.search_columns or []:
                args += [f"_flt_{n}_{column}" for n in range(0, 10)]
        pages.append((rule, args))
    return pages


@pytest.mark.parametrize("login", ["admin", "handler"])
def test_no_page_fails_on_hostile_query_values(app, db_session, client_as, login):
    client = client_as(login)
    pages = get_pages(app)
    assert len(pages) >= 20
    failures = []
    for rule, args in pages:
        if "locale" in rule.arguments:
            with app.test_request_context():
                base = url_for(rule.endpoint, locale="en")
        else:
            base = sample_url(app, db_session, rule)
        path, _, sampled = base.partition("?")      # a page's own sample query (its required arguments)
        for value in HOSTILE:
            query = {**dict(parse_qsl(sampled)), **{arg: value for arg in args}}
            try:
                response = client.get(path, query_string=query)
                status = response.status_code
            except Exception as error:   # TESTING propagates exceptions: the same as a 500
                status = f"{type(error).__name__}: {str(error)[:120]}"
                db_session.rollback()   # (PostgreSQL: the failed statement aborted the transaction)
            if status == 500 or not isinstance(status, int):
                failures.append(f"{base} {value[:20]!r}: {status}")
    assert not failures, "\n".join(failures[:60])


HOSTILE_IDS = ["99999999999999999999", "١٢٣", "-1", "0", "x" * 300]


@pytest.mark.parametrize("login", ["admin", "handler"])
def test_no_page_fails_on_a_hostile_id_in_its_path(app, db_session, client_as, login):
    """A row id no row can have in the address (FAB's /show/<pk>, our /<rule_id>/...): not found."""
    client = client_as(login)
    failures, checked = [], set()
    for rule in app.url_map.iter_rules():
        ids = [a for a in rule.arguments if a == "pk" or a.endswith("_id")]
        if not ids or rule.endpoint.partition(".")[2] in NOT_PAGES - {"delete"}:
            continue
        for value in HOSTILE_IDS:
            with app.test_request_context():
                try:
                    url = url_for(rule.endpoint, **{a: value for a in rule.arguments})
                except Exception:   # the route's converter refuses it: never reaches the view
                    continue
            method = "GET" if "GET" in rule.methods else "POST"
            status = client.open(url, method=method).status_code
            checked.add(rule.endpoint)
            if status >= 500:
                failures.append(f"{method} {url[:80]}: {status}")
    assert not failures, "\n".join(failures)
    assert {"PartyView.show", "PartyView.edit", "RulesView.remove", "AuditLogView.show"} <= checked


# What our own forms post, with what a hostile or broken client might send instead.
OUR_FIELDS = ["client", "decision", "hit", "verdict", "scope", "expect", "site", "note", "next", "status", "band",
              "older", "work", "sighting", "version", "target", "reason", "assignee", "claimed", "next_due_on",
              "text", "stage", "country", "confirm"]


@pytest.mark.parametrize("login", ["admin", "handler"])
def test_no_form_of_ours_fails_on_hostile_values(app, db_session, client_as, login):
    """Every POST endpoint of our own pages (not FAB's), each field hostile at once: a message
    (a redirect, 409 for the page's script, 4xx), never a 500."""
    from caseapp.core.web import app_views
    from flask_appbuilder import ModelView

    client = client_as(login)
    views = app_views(app)
    failures, checked = [], set()
    for rule in app.url_map.iter_rules():
        view = views.get(rule.endpoint.partition(".")[0])
        if "POST" not in rule.methods or view is None or isinstance(view, (ModelView, BaseApi)) \
                or not type(view).__module__.startswith("caseapp."):
            continue
        url = sample_url(app, db_session, rule)
        for value in HOSTILE + ["9999-12-31", "10000-01-01", "1e400"]:
            for accept in ("text/html", "application/json"):
                response = client.post(url, data={field: value for field in OUR_FIELDS}, headers={"Accept": accept})
                checked.add(rule.endpoint)
                if response.status_code >= 500:
                    failures.append(f"POST {url} {value[:20]!r} ({accept}): {response.status_code}")
    assert not failures, "\n".join(failures[:40])
    assert {"TriageView.decide", "TriageView.whitelist", "TriageView.undo", "RulesView.whitelist", "RulesView.apply",
            "CaseView.change_stage", "CaseView.assign", "CaseView.edit", "QueueView.take_next"} <= checked
