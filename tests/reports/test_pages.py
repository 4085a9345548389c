"""The dashboards page and its CSV downloads: who may open them, what they hold, in two languages."""
from __future__ import annotations

import csv
import io
import re

import pytest

from caseapp.reports import services
from caseapp.reports.services import Filters
from tests.reports.factories import build

ALLOWED = ("manager", "accountant", "admin", "auditor")
REFUSED = ("handler", "lawyer")


@pytest.mark.parametrize("login", ALLOWED)
def test_the_dashboards_open_for_management_accountants_admin_and_auditor(client_as, login):
    answer = client_as(login).get("/reports/")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "<h1>Dashboards</h1>" in page
    for key in services.FIGURES:
        assert f'id="fig-{key}"' in page and f"/reports/{key}.csv" in page
    assert page.count("<svg ") == len(services.FIGURES)


@pytest.mark.parametrize("login", REFUSED)
def test_the_dashboards_are_refused_to_handlers_and_lawyers(client_as, login):
    assert client_as(login).get("/reports/").status_code == 403
    assert client_as(login).get("/reports/stages.csv").status_code == 403


def test_logged_out_the_dashboards_send_to_the_login(app):
    answer = app.test_client().get("/reports/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_managers_home_is_the_dashboards_and_the_accountants_stays_the_payouts(client_as):
    assert client_as("manager").get("/").headers["Location"].endswith("/reports/")
    assert client_as("accountant").get("/").headers["Location"].endswith("/payouts/")


def test_the_manager_reads_the_case_file_and_changes_nothing(client_as, db_session):
    from sqlalchemy import select

    from caseapp.cases.models import Case

    ref = db_session.scalars(select(Case.ref).limit(1)).one()
    manager = client_as("manager")
    assert manager.get(f"/cases/{ref}").status_code == 200
    assert manager.post(f"/cases/{ref}/notes", data={"text": "x"}).status_code == 403
    assert manager.get("/queue/").status_code == 403
    assert manager.get("/payouts/").status_code == 403


def test_the_charts_carry_no_address_and_no_script(client_as, db_session):
    build(db_session)
    db_session.commit()
    page = client_as("manager").get("/reports/").get_data(as_text=True)
    charts = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(charts) == len(services.FIGURES)
    for svg in charts:
        assert "http" not in svg and "<script" not in svg and "//" not in svg.replace("</", "")
        assert 'role="img"' in svg and "aria-label=" in svg
    # and the page as a whole loads nothing from elsewhere
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_the_filters_narrow_the_page_and_a_bad_one_is_ignored(client_as, db_session):
    data = build(db_session)
    db_session.commit()
    manager = client_as("manager")
    page = manager.get(f"/reports/?country=FR&client={data.client_id}").get_data(as_text=True)
    assert '<option value="FR" selected>' in page and f'<option value="{data.client_id}" selected>' in page
    assert f"/reports/money.csv?country=FR&amp;client={data.client_id}" in page
    assert manager.get("/reports/?country=XX1&client=abc").status_code == 200


def test_the_csv_download_equals_the_table(client_as, db_session):
    from caseapp.core.clock import today

    data = build(db_session)
    db_session.commit()
    answer = client_as("accountant").get(f"/reports/collection.csv?client={data.client_id}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert f'filename="collection-{data.client_id}.csv"' in answer.headers["Content-Disposition"]
    table = services.collection_rate(db_session, Filters(client_id=data.client_id))
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows == [[c.label for c in table.columns]] + [[services.plain(v) for v in row] for row in table.rows]
    assert rows[1] == ["EUR", "2", "1", "50.0", "1500.00", "450.00", "30.0"]
    money = client_as("accountant").get(f"/reports/money.csv?client={data.client_id}").get_data(as_text=True)
    expected = services.as_csv(services.money_by_month(db_session, Filters(client_id=data.client_id), today()))
    assert money == expected
    assert client_as("accountant").get("/reports/nothing.csv").status_code == 404


def test_the_table_beneath_shows_the_figures_in_the_readers_language(client_as, db_session):
    data = build(db_session)
    db_session.commit()
    manager = client_as("manager")
    english = manager.get(f"/reports/?client={data.client_id}").get_data(as_text=True)
    assert "€1,500.00" in english and "£800.00" in english and "50.0 %" in english
    german = manager.get(f"/reports/?client={data.client_id}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "<h1>Dashboards</h1>" in german or "<h1>Auswertungen</h1>" in german
    assert "1.500,00\xa0€" in german and "50,0 %" in german
    assert "Einzugsquote" in german and "Als CSV herunterladen" in german


def test_a_dashboard_is_kept_for_a_while_per_filter_and_language(app, client_as, db_session, monkeypatch):
    """Figures over every case are computed once per filter, day and language and kept
    CASEAPP_REPORTS_CACHE_SECONDS; the CSV is written from the kept tables (it equals the page)."""
    from caseapp.reports import views

    monkeypatch.setitem(app.config, "CASEAPP_REPORTS_CACHE_SECONDS", 300)
    data = build(db_session)
    db_session.commit()
    manager = client_as("manager")
    address = f"/reports/?client={data.client_id}"
    assert "€1,500.00" in manager.get(address).get_data(as_text=True)
    data.a.claimed_minor = 200000                 # the claim grows to 2,000.00: not shown while kept
    db_session.commit()
    assert "€1,500.00" in manager.get(address).get_data(as_text=True)
    assert ",1500.00," in manager.get(f"/reports/collection.csv?client={data.client_id}").get_data(as_text=True)
    german = manager.get(address, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "2.500,00\xa0€" in german              # another language is computed afresh
    views.forget()
    assert "€2,500.00" in manager.get(address).get_data(as_text=True)
    monkeypatch.setitem(app.config, "CASEAPP_REPORTS_CACHE_SECONDS", 0)
    data.a.claimed_minor = 100000
    db_session.commit()
    assert "€1,500.00" in manager.get(address).get_data(as_text=True)   # 0: never kept


def _age_kept_dashboards(views, seconds: float) -> None:
    from dataclasses import replace

    with views._LOCK:
        for key, kept in list(views._KEPT.items()):
            views._KEPT[key] = replace(kept, computed=kept.computed - seconds)


def _shown_after_refresh(views, manager, address: str, text: str) -> bool:
    import time

    for _ in range(100):                      # the thread computing afresh: up to 10 s
        with views._LOCK:
            busy = bool(views._REFRESHING)
        if not busy and text in manager.get(address).get_data(as_text=True):
            return True
        time.sleep(0.1)
    return False


def test_an_old_dashboard_is_shown_while_it_is_computed_afresh(app, client_as, db_session, monkeypatch):
    """Past CASEAPP_REPORTS_CACHE_SECONDS the kept figures are still shown (nobody waits for the
    figures over every case) while a thread computes them again; past twice that they are computed
    before they are shown. The page says when its figures were computed."""
    from caseapp.reports import views

    monkeypatch.setitem(app.config, "CASEAPP_REPORTS_CACHE_SECONDS", 300)
    views.forget()
    data = build(db_session)
    db_session.commit()
    manager = client_as("manager")
    address = f"/reports/?client={data.client_id}"
    first = manager.get(address).get_data(as_text=True)
    assert "€1,500.00" in first and "older than 5 minutes" in first
    data.a.claimed_minor = 200000
    db_session.commit()
    _age_kept_dashboards(views, 299)
    assert "€1,500.00" in manager.get(address).get_data(as_text=True)     # still fresh: no thread
    with views._LOCK:
        assert not views._REFRESHING
    _age_kept_dashboards(views, 2)                                        # 301 s old
    assert "€1,500.00" in manager.get(address).get_data(as_text=True)     # shown while computed afresh
    assert _shown_after_refresh(views, manager, address, "€2,500.00")
    data.a.claimed_minor = 100000
    db_session.commit()
    _age_kept_dashboards(views, 600)                                      # twice as old: not shown
    assert "€1,500.00" in manager.get(address).get_data(as_text=True)
    views.forget()


def test_a_web_worker_computes_the_dashboards_as_it_starts(app, client_as, db_session, monkeypatch):
    """caseapp.wsgi warms each domain up (`Domain.warm`): the unfiltered dashboard of today is
    computed in every language of the interface before anyone asks, so the first visitors of a
    new worker do not wait for figures over every case; with nothing kept (0) nothing is computed."""
    import time

    from caseapp.core.clock import today
    from caseapp.core.warm import warm
    from caseapp.reports import views

    build(db_session)
    db_session.commit()
    monkeypatch.setitem(app.config, "CASEAPP_REPORTS_CACHE_SECONDS", 0)
    views.forget()
    warm(app)
    assert not views._KEPT and not views._REFRESHING
    monkeypatch.setitem(app.config, "CASEAPP_REPORTS_CACHE_SECONDS", 300)
    warm(app)
    for _ in range(100):
        with views._LOCK:
            if not views._REFRESHING:
                break
        time.sleep(0.1)
    with views._LOCK:
        kept = set(views._KEPT)
    assert kept == {(Filters(), today(), language) for language in app.config["LANGUAGES"]}

    def not_again(*args, **kwargs):
        raise AssertionError("the dashboard was computed again")

    monkeypatch.setattr(services, "dashboard", not_again)
    assert "€" in client_as("manager").get("/reports/").get_data(as_text=True)
    german = client_as("manager").get("/reports/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Einzugsquote" in german and "Zahlen vom " in german      # the German figures, kept in German
    views.forget()


def test_a_new_client_is_in_the_filter_at_once_while_the_figures_are_kept(app, client_as, db_session, monkeypatch):
    from caseapp.reports import views
    from tests.clients.factories import make_client

    monkeypatch.setitem(app.config, "CASEAPP_REPORTS_CACHE_SECONDS", 300)
    views.forget()
    manager = client_as("manager")
    assert "Atelier Neuzugang" not in manager.get("/reports/").get_data(as_text=True)
    make_client(db_session, "Atelier Neuzugang")
    db_session.commit()
    assert "Atelier Neuzugang" in manager.get("/reports/").get_data(as_text=True)
    views.forget()
