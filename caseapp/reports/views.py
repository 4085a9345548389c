"""The dashboards page (/reports/) and each figure's table as CSV (/reports/<figure>.csv).

The figures run over every case (at 100,000 cases the five queries take about a second on
PostgreSQL), so each web process keeps a dashboard's tables and charts, per filter, day and
language, for CASEAPP_REPORTS_CACHE_SECONDS (default five minutes); the CSV is written from the
same kept tables, so it equals the table the page showed."""
from __future__ import annotations

import threading
import time

from flask import Response, abort, current_app, request
from flask_appbuilder import BaseView, expose, has_access
from markupsafe import Markup

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
from caseapp.core.formatting import current_locale
from caseapp.core.i18n import country_code
from caseapp.core.web import lenient_id
from caseapp.extensions import get_session
from caseapp.reports import REPORTS, charts, services


def filters_of(args) -> services.Filters:
    """The page's filters from its query string; a country that is no code is ignored (a filter
    only narrows what the page shows)."""
    country = (args.get("country") or "").strip()
    try:
        country = country_code(country) if country else None
    except InvalidInput:
        country = None
    return services.Filters(country=country, client_id=lenient_id(args.get("client")))


_KEPT: dict[tuple, tuple[float, list]] = {}
_KEPT_MOST = 200
_LOCK = threading.Lock()


def forget() -> None:
    """Drop every kept dashboard (tests; a figure that must show at once)."""
    with _LOCK:
        _KEPT.clear()


def figures_for(filters: services.Filters) -> list[tuple[services.Table, Markup]]:
    """The dashboard's tables with their charts, computed or kept (see the module's words)."""
    seconds = current_app.config.get("CASEAPP_REPORTS_CACHE_SECONDS", 300)
    key = (filters, today(), current_locale())
    now = time.monotonic()
    with _LOCK:
        kept = _KEPT.get(key)
    if seconds and kept and kept[0] > now:
        return kept[1]
    tables = services.dashboard(get_session(), filters, key[1])
    figures = [(table, Markup(charts.draw(table))) for table in tables]
    if seconds:
        with _LOCK:
            for old in [k for k, (until, _) in _KEPT.items() if until <= now]:
                del _KEPT[old]
            while len(_KEPT) >= _KEPT_MOST:
                del _KEPT[next(iter(_KEPT))]
            _KEPT[key] = (now + seconds, figures)
    return figures


class ReportsView(BaseView):
    route_base = "/reports"
    class_permission_name = REPORTS
    method_permission_name = {"dashboard": "read", "table_csv": "read"}

    @expose("/")
    @has_access
    def dashboard(self):
        session = get_session()
        filters = filters_of(request.args)
        figures = figures_for(filters)
        countries, clients = services.choices(session)
        query = {k: v for k, v in (("country", filters.country), ("client", filters.client_id)) if v}
        return self.render_template("reports/dashboard.html", figures=figures, filters=filters,
                                    countries=countries, clients=clients, query=query)

    @expose("/<key>.csv")
    @has_access
    def table_csv(self, key: str):
        if key not in services.FIGURES:
            abort(404)
        table = next(table for table, _svg in figures_for(filters_of(request.args)) if table.key == key)
        suffix = "".join(f"-{v}" for v in (request.args.get("country"), request.args.get("client")) if v
                         and str(v).isalnum())
        return Response(services.as_csv(table), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{key}{suffix}.csv"'})


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(ReportsView)
