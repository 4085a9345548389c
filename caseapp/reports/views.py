"""The dashboards page (/reports/) and each figure's table as CSV (/reports/<figure>.csv)."""
from __future__ import annotations

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose, has_access
from markupsafe import Markup

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
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


class ReportsView(BaseView):
    route_base = "/reports"
    class_permission_name = REPORTS
    method_permission_name = {"dashboard": "read", "table_csv": "read"}

    @expose("/")
    @has_access
    def dashboard(self):
        session = get_session()
        filters = filters_of(request.args)
        tables = services.dashboard(session, filters, today())
        countries, clients = services.choices(session)
        figures = [(table, Markup(charts.draw(table))) for table in tables]
        query = {k: v for k, v in (("country", filters.country), ("client", filters.client_id)) if v}
        return self.render_template("reports/dashboard.html", figures=figures, filters=filters,
                                    countries=countries, clients=clients, query=query)

    @expose("/<key>.csv")
    @has_access
    def table_csv(self, key: str):
        if key not in services.FIGURES:
            abort(404)
        table = services.figure(get_session(), key, filters_of(request.args), today())
        suffix = "".join(f"-{v}" for v in (request.args.get("country"), request.args.get("client")) if v
                         and str(v).isalnum())
        return Response(services.as_csv(table), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{key}{suffix}.csv"'})


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(ReportsView)
