"""Structured logs (caseapp.core.logs): one JSON line a request, without query values that may
be personal data, with the user and a request id; app log records as JSON lines too."""
from __future__ import annotations

import io
import json
import logging

import pytest

from caseapp.core import logs


@pytest.fixture()
def lines():
    """What the JSON handler writes, as parsed lines (the root logger's level restored after)."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = logs.use_json_logs(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_one_json_line_a_request_without_personal_query_values(client_as, users, lines):
    handler = client_as("handler")
    answer = handler.get("/cases/?page=2&q=max.mustermann%40example.com&iban=DE89370400440532013000&sort=ref",
                         headers={"X-Request-ID": "edge-7f3a"})
    assert answer.headers["X-Request-ID"] == "edge-7f3a"
    found = [line for line in lines() if line["logger"] == logs.REQUEST_LOGGER]
    assert len(found) == 1
    line = found[0]
    assert line["method"] == "GET" and line["path"] == "/cases/" and line["status"] == answer.status_code
    assert line["user_id"] == users["handler"].id and line["request_id"] == "edge-7f3a"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["query"] == "page=2&q=*&iban=*&sort=ref"
    assert line["time"].endswith("Z") and line["level"] == "INFO"
    written = json.dumps(lines())
    assert "mustermann" not in written and "DE8937" not in written


def test_a_request_id_is_made_when_none_or_a_strange_one_is_given(client_as, lines):
    anonymous = client_as(None)
    first = anonymous.get("/login/").headers["X-Request-ID"]
    second = anonymous.get("/login/", headers={"X-Request-ID": "x\" injected {"}).headers["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second and "injected" not in second
    requests = [line for line in lines() if line["logger"] == logs.REQUEST_LOGGER]
    assert [line["request_id"] for line in requests] == [first, second]
    assert all(line["user_id"] is None for line in requests)


def test_app_log_records_are_json_with_the_request_id(app, lines):
    with app.test_request_context("/anything"):
        from flask import g

        g.request_id = "req-1"
        logging.getLogger("caseapp.somewhere").warning("the bank file had %d lines", 3)
        try:
            raise ValueError("broken")
        except ValueError:
            logging.getLogger("caseapp.somewhere").exception("failed")
    logging.getLogger("caseapp.elsewhere").error("outside a request")
    warning, failed, outside = [line for line in lines() if line["logger"].startswith("caseapp.")]
    assert warning == {"time": warning["time"], "level": "WARNING", "logger": "caseapp.somewhere",
                       "message": "the bank file had 3 lines", "request_id": "req-1"}
    assert failed["level"] == "ERROR" and "ValueError: broken" in failed["exception"]
    assert "request_id" not in outside and outside["message"] == "outside a request"


def test_json_logs_installed_twice_write_each_line_once(lines):
    handler = logs.use_json_logs(io.StringIO())   # replaces the fixture's handler
    try:
        assert sum(getattr(h, "_caseapp_json", False) for h in logging.getLogger().handlers) == 1
    finally:
        logging.getLogger().removeHandler(handler)


def test_shown_query():
    assert logs.shown_query(b"") == ""
    assert logs.shown_query(b"page=3&psize=50&name=Anna+Schmidt&_flt_0_email=a%40b.de") == \
        "page=3&psize=50&name=*&_flt_0_email=*"
    assert logs.shown_query("sort=" + "x" * 41) == "sort=*"   # a long value is no sort order
    assert logs.shown_query("we%0Aird=1") == "?=*"             # a strange name is not written either


@pytest.mark.parametrize("url", ["sqlite://", "database"])
def test_a_failing_statement_is_reported_without_its_values(app, url, lines):
    """What a statement was given (a name, an IBAN) stays out of the error and so out of the
    logs: the engines caseapp makes hide the values (hide_parameters)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from caseapp.extensions import get_db, make_engine

    with app.app_context():
        engine = get_db().engine if url == "database" else make_engine(url)
    with pytest.raises(SQLAlchemyError) as failed, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table WHERE name = :name AND iban = :iban"),
                           {"name": "Max Mustermann", "iban": "DE89370400440532013000"})
    logging.getLogger("caseapp.test").error("statement failed: %s", failed.value)
    words = str(failed.value) + json.dumps(lines())
    assert "no_such_table" in words
    assert "Mustermann" not in words and "DE8937" not in words
