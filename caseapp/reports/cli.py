"""`caseapp reports show`: the dashboards' tables on the command line (or as JSON)."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from caseapp.core.cli import COUNTRY, ROW_ID, session as shared_session


def _country(_ctx, _param, value):
    return value.upper() if value else None


@click.group("reports")
def reports_group() -> None:
    """The dashboards' figures: cases by stage, closures, collection rate, money, durations."""


@reports_group.command("show")
@click.option("--country", type=COUNTRY, callback=_country, metavar="XX", help="Only cases in this jurisdiction (e.g. DE).")
@click.option("--client", "client_id", type=ROW_ID, metavar="ID", help="Only this client's cases.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: every table, its columns and rows.")
@with_appcontext
def reports_show(country, client_id, as_json: bool) -> None:
    """Print every dashboard's table (the figures behind the charts on /reports/)."""
    from caseapp.core.clock import today
    from caseapp.reports import services

    filters = services.Filters(country=country, client_id=client_id)
    with shared_session() as session:
        tables = services.dashboard(session, filters, today())
    if as_json:
        click.echo(json.dumps({"country": country, "client": client_id,
                               "tables": [services.as_dict(t) for t in tables]}))
        return
    for number, table in enumerate(tables):
        if number:
            click.echo("")
        click.echo(f"{table.title}: {table.caption}")
        cells = [[c.label for c in table.columns]] + [[services.plain(v) for v in row] for row in table.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
        for row in cells:
            click.echo("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in
                                 enumerate(zip(row, widths))).rstrip())
        if not table.rows:
            click.echo("(no data yet)")


COMMANDS = (reports_group,)
