"""`caseapp reports show`: the same tables as the page, as text or JSON, with the same filters."""
from __future__ import annotations

import json

from caseapp.cli import main
from caseapp.core.clock import today
from caseapp.reports import services
from caseapp.reports.services import Filters
from tests.reports.factories import build


def test_reports_show_as_json_is_the_dashboards_tables(app, db_session):
    data = build(db_session)
    db_session.commit()
    result = app.test_cli_runner().invoke(main, ["reports", "show", "--client", str(data.client_id), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["client"] == data.client_id and answer["country"] is None
    assert [t["key"] for t in answer["tables"]] == list(services.FIGURES)
    expected = [services.as_dict(t) for t in services.dashboard(db_session, Filters(client_id=data.client_id), today())]
    assert answer["tables"] == expected
    collection = answer["tables"][2]
    assert collection["rows"][0] == {"currency": "EUR", "claimed_cases": "2", "paid_cases": "1", "rate_count": "50.0",
                                     "claimed": "1500.00", "collected": "450.00", "rate_amount": "30.0"}


def test_reports_show_prints_each_table_with_its_filters(app, db_session):
    data = build(db_session)
    db_session.commit()
    result = app.test_cli_runner().invoke(main, ["reports", "show", "--client", str(data.client_id),
                                                 "--country", "de"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Collection rate: Cases a letter was sent in (all time): how many paid, and how much of the claim came in." in lines
    header = next(i for i, line in enumerate(lines) if line.startswith("Currency  Cases claimed"))
    assert lines[header + 1].split() == ["EUR", "1", "1", "100.0", "1000.00", "450.00", "45.0"]
    assert lines[header + 2].split() == ["GBP", "1", "1", "100.0", "800.00", "400.00", "50.0"]
    assert "Closure reasons: Closed cases by why they were closed (all time)." in lines


def test_reports_show_refuses_a_country_that_is_no_code(app):
    result = app.test_cli_runner().invoke(main, ["reports", "show", "--country", "Germany"])
    assert result.exit_code == 2 and "Invalid value for '--country': 'Germany' is longer than 2 characters" in result.output
    result = app.test_cli_runner().invoke(main, ["reports", "show", "--country", "D1"])
    assert result.exit_code == 2 and "two letters" in result.output
