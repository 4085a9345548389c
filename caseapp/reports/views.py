"""The dashboards page (/reports/) and each figure's table as CSV (/reports/<figure>.csv).

The figures run over every case (at 100,000 cases the five queries take about a second on
PostgreSQL), so each web process keeps a dashboard's tables and charts, per filter, day and
language, for CASEAPP_REPORTS_CACHE_SECONDS (default five minutes), then shows them while it
computes them afresh in the background (`kept_dashboard`); the page says when its figures were
computed. The CSV is written from the same kept tables, so it equals the table the page showed."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Response, abort, current_app, request
from flask_appbuilder import BaseView, expose, has_access
from markupsafe import Markup

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
from caseapp.core.formatting import current_locale
from caseapp.core.i18n import country_code
from caseapp.core.web import lenient_id
from caseapp.extensions import get_db, get_session
from caseapp.reports import REPORTS, charts, services

log = logging.getLogger(__name__)


def filters_of(args) -> services.Filters:
    """The page's filters from its query string; a country that is no code is ignored (a filter
    only narrows what the page shows)."""
    country = (args.get("country") or "").strip()
    try:
        country = country_code(country) if country else None
    except InvalidInput:
        country = None
    return services.Filters(country=country, client_id=lenient_id(args.get("client")))


@dataclass(frozen=True)
class Kept:
    """A dashboard as computed at `as_of` (UTC, when its queries began): its tables with their
    charts, and the countries cases are in (for the filter; the clients are read on every view)."""

    figures: list[tuple[services.Table, Markup]]
    countries: list[str]
    as_of: datetime
    computed: float                  # time.monotonic() when computed


_KEPT: dict[tuple, Kept] = {}
_KEPT_MOST = 200
_LOCK = threading.Lock()
_REFRESHING: set[tuple] = set()      # keys a background thread is computing afresh


def forget() -> None:
    """Drop every kept dashboard (tests; a figure that must show at once)."""
    with _LOCK:
        _KEPT.clear()


def _compute(filters: services.Filters, day) -> Kept:
    as_of, started = datetime.now(timezone.utc), time.monotonic()
    session = get_session()
    tables = services.dashboard(session, filters, day)
    return Kept([(table, Markup(charts.draw(table))) for table in tables], services.countries(session), as_of, started)


def _keep(key: tuple, kept: Kept, seconds: int) -> None:
    with _LOCK:
        for old in [k for k, v in _KEPT.items() if kept.computed - v.computed >= 2 * seconds]:
            del _KEPT[old]
        while len(_KEPT) >= _KEPT_MOST:
            del _KEPT[next(iter(_KEPT))]
        _KEPT[key] = kept


_REFRESHER: list = []                 # the one thread (an executor) that computes kept dashboards afresh


def _refresh_in_background(app, keys: list[tuple], seconds: int) -> None:
    """Compute these dashboards afresh in this process's one refreshing thread, one after the
    other (one database connection, however many dashboards are due; a key already waiting or
    being computed is not asked twice), each in a request context of its language, while people
    are still shown the kept ones."""
    from concurrent.futures import ThreadPoolExecutor

    with _LOCK:
        keys = [key for key in keys if key not in _REFRESHING]
        _REFRESHING.update(keys)
        if not _REFRESHER:
            _REFRESHER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="caseapp-dashboards"))
        refresher = _REFRESHER[0]

    def run(key):
        try:
            with app.test_request_context("/reports/"):
                request.caseapp_locale = key[2]       # core.locale.select_locale: this language
                try:
                    _keep(key, _compute(key[0], key[1]), seconds)
                finally:
                    get_db().session.remove()
        except Exception:                             # the kept figures stay; the next view tries again
            log.exception("computing the dashboards %s failed", key)
        finally:
            with _LOCK:
                _REFRESHING.discard(key)

    for key in keys:
        try:
            refresher.submit(run, key)
        except RuntimeError:                          # the process is shutting down: nothing to refresh
            with _LOCK:
                _REFRESHING.discard(key)


def kept_dashboard(filters: services.Filters) -> Kept:
    """The dashboard for these filters, today and the person's language: computed once and kept
    CASEAPP_REPORTS_CACHE_SECONDS in this process; older than that (up to twice as old) it is still
    shown while a thread computes it afresh, so nobody waits for figures over every case but the
    first person of the day (or after a quiet spell of twice that time). The page says when they
    were computed."""
    seconds = current_app.config.get("CASEAPP_REPORTS_CACHE_SECONDS", 300)
    key = (filters, today(), current_locale())
    if not seconds:
        return _compute(key[0], key[1])
    with _LOCK:
        kept = _KEPT.get(key)
    age = time.monotonic() - kept.computed if kept else None
    if kept and age < seconds:
        return kept
    if kept and age < 2 * seconds:
        _refresh_in_background(current_app._get_current_object(), [key], seconds)
        return kept
    kept = _compute(key[0], key[1])
    _keep(key, kept, seconds)
    return kept


def warm(app) -> None:
    """As a web worker starts (`Domain.warm`): the unfiltered dashboard of today, in each of the
    interface's languages, computed in a thread and kept, so that its first visitors do not wait."""
    seconds = app.config.get("CASEAPP_REPORTS_CACHE_SECONDS", 300)
    if not seconds:
        return
    with app.app_context():
        day = today()
    _refresh_in_background(app, [(services.Filters(), day, locale) for locale in app.config.get("LANGUAGES") or {}],
                           seconds)


class ReportsView(BaseView):
    route_base = "/reports"
    class_permission_name = REPORTS
    method_permission_name = {"dashboard": "read", "table_csv": "read"}

    @expose("/")
    @has_access
    def dashboard(self):
        filters = filters_of(request.args)
        kept = kept_dashboard(filters)
        countries, clients = kept.countries, services.client_choices(get_session())   # a new client at once
        query = {k: v for k, v in (("country", filters.country), ("client", filters.client_id)) if v}
        seconds = current_app.config.get("CASEAPP_REPORTS_CACHE_SECONDS", 300)
        return self.render_template("reports/dashboard.html", figures=kept.figures, filters=filters,
                                    countries=countries, clients=clients, query=query, as_of=kept.as_of,
                                    minutes=max(1, seconds // 60) if seconds else None)

    @expose("/<key>.csv")
    @has_access
    def table_csv(self, key: str):
        if key not in services.FIGURES:
            abort(404)
        table = next(table for table, _svg in kept_dashboard(filters_of(request.args)).figures if table.key == key)
        suffix = "".join(f"-{v}" for v in (request.args.get("country"), request.args.get("client")) if v
                         and str(v).isalnum())
        return Response(services.as_csv(table), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{key}{suffix}.csv"'})


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(ReportsView)
