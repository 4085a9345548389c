"""`caseapp court`: record, cost, hearing, deadline, decision, enforce, list, calendar; bad input refused in one line."""
from __future__ import annotations

import json
from datetime import date, timedelta

from icalendar import Calendar

from caseapp.cases import lifecycle
from caseapp.cli import main
from caseapp.court import services
from tests.cases.factories import make_case


def _run(app, *args):
    return app.test_cli_runner().invoke(main, ["court", *args])


def test_the_lawyer_s_day_on_the_command_line(app, db_session, tmp_path):
    case = make_case(db_session, lifecycle.LEGAL)
    ok = _run(app, "record", "--case", case.ref, "--route", "mahnverfahren", "--court", "Amtsgericht Wedding",
              "--address", "Brunnenplatz 1|13357 Berlin", "--file-number", "26-1234567-0-1", "--filed-on",
              "2026-11-20", "--user", "lawyer")
    assert ok.exit_code == 0, ok.output
    court_case = services.court_case_of(db_session, case.id)
    assert court_case.court_address == "Brunnenplatz 1\n13357 Berlin" and case.stage == lifecycle.COURT
    assert _run(app, "cost", "--case", case.ref, "--kind", "court_fee", "--amount", "38.00", "--paid-on",
                "2026-11-20", "--user", "lawyer").exit_code == 0
    soon = date.today() + timedelta(days=10)     # the calendar shows what lies ahead of the real today
    assert _run(app, "hearing", "--case", case.ref, "--at", f"{soon + timedelta(days=7)}T10:00+01:00", "--where",
                "Saal 7", "--user", "lawyer").exit_code == 0
    assert _run(app, "deadline", "--case", case.ref, "--due-on", soon.isoformat(), "--what", "Reply",
                "--user", "lawyer").exit_code == 0
    listed = json.loads(_run(app, "list", "--json").output)
    row = next(r for r in listed if r["case"] == case.ref)
    assert row["court"] == "Amtsgericht Wedding" and row["next"] == soon.isoformat()
    out = tmp_path / "court.ics"
    assert _run(app, "calendar", "--out", str(out)).exit_code == 0
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert any(case.ref in s and "Hearing" in s for s in summaries)
    decided = _run(app, "decision", "--case", case.ref, "--on", "2026-11-22", "--outcome", "won", "--awarded",
                   "450.00", "--user", "lawyer")
    assert decided.exit_code == 0, decided.output
    assert _run(app, "enforce", "--case", case.ref, "--kind", "bailiff", "--on", "2026-11-23",
                "--user", "lawyer").exit_code == 0
    assert case.stage == lifecycle.ENFORCEMENT


def test_bad_input_is_refused_in_one_line(app, db_session, tmp_path):
    case = make_case(db_session, lifecycle.COLLECTION)
    refused = _run(app, "record", "--case", case.ref, "--court", "AG Köln", "--user", "lawyer")
    assert refused.exit_code == 2 and "hand it to the lawyer first" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    handler = _run(app, "record", "--case", case.ref, "--court", "AG Köln", "--user", "handler")
    assert handler.exit_code == 2 and "may not do this" in handler.output
    missing = _run(app, "calendar", "--out", str(tmp_path / "no" / "such" / "c.ics"))
    assert missing.exit_code == 2 and "cannot write the file" in missing.output
    naive = _run(app, "hearing", "--case", case.ref, "--at", "2099-01-12T10:00", "--user", "lawyer")
    assert naive.exit_code == 2
