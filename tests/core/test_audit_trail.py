"""The audit trail in words (core.audit_trail, core.audit_words): every recorded event has words,
the filters on both sides of their edges, keyset pages, the page as Auditor and as CaseHandler,
`caseapp audit list`, and the query plan on PostgreSQL with 100,000 events."""
from __future__ import annotations

import ast
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from caseapp.core import audit, audit_trail
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.audit_words import EMPTY
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.domains import audit_catalogue
from tests.cases.factories import make_case

ROOT = Path(__file__).resolve().parents[2] / "caseapp"
UTC = timezone.utc

# Codes recorded from an expression rather than a literal: where, and the codes it can make.
# A new such call fails the test below until its codes are listed here (and have words).
DYNAMIC = {
    ("clients/ownership.py", "f'work.{status}'"): {"work.unverified", "work.verified", "work.disputed"},
    ("payouts/services.py", "f'payout.{to}'"): {"payout.approved", "payout.exported", "payout.confirmed"},
    ("core/records.py", "f'{subject}.added'"): {"client.added", "party.added", "work.added"},
    ("core/records.py", "f'{subject}.edited'"): {"client.edited", "party.edited", "work.edited"},
    ("core/records.py", "f'{subject}.deleted'"): {"client.deleted", "party.deleted", "work.deleted"},
    ("core/security.py", "action"): {"user.logged_out", "user.sessions_ended"},
    ("core/audit.py", "event['action']"): set(),          # record_many: its callers' dicts are scanned
    ("cases/demo.py", "action"): {"case.opened", "case.stage_changed"},
    ("cases/escalation.py", "self.action"): set(),        # a plan's step, not an audit event
    ("parties/services.py", "action"): {"party.address_found", "party.address_chosen", "party.address_corrected"},
}


def recorded_codes() -> tuple[set[str], list[tuple[str, str]]]:
    """The codes passed to audit.record (and in record_many's dicts) as literals or module
    constants, and the calls that build theirs from an expression."""
    codes, dynamic = set(), []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text())
        constants = {node.targets[0].id: node.value.value for node in ast.walk(tree)
                     if isinstance(node, ast.Assign) and len(node.targets) == 1
                     and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str)}
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            found = []
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name == "record" and len(node.args) >= 3:
                    arg = node.args[2]
                    found = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            elif isinstance(node, ast.Dict):
                found = [v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value == "action"]
            for expression in found:
                if isinstance(expression, ast.Constant):
                    codes.add(expression.value)
                elif isinstance(expression, ast.Name) and expression.id in constants:
                    codes.add(constants[expression.id])
                else:
                    dynamic.append((where, ast.unparse(expression)))
    return {c for c in codes if "." in c}, dynamic


def test_every_recorded_event_has_words():
    words = audit_catalogue()
    codes, dynamic = recorded_codes()
    assert len(codes) > 40, "the scan found too few audit.record calls: it is broken"
    unknown_sites = [site for site in dynamic if site not in DYNAMIC]
    assert not unknown_sites, f"these calls record a code built at run time: list its codes in DYNAMIC: {unknown_sites}"
    every = codes | {code for site in dynamic for code in DYNAMIC[site]}
    missing = sorted(code for code in every if code not in words.events)
    assert not missing, f"give these audit events words in their domain's audit_words module: {missing}"


def test_a_code_without_words_is_found(monkeypatch):
    """The check above can fail: an event without words is reported (and reads humanised meanwhile)."""
    words = audit_catalogue()
    monkeypatch.delitem(words.events, "case.opened")
    with pytest.raises(AssertionError, match="case.opened"):
        test_every_recorded_event_has_words()
    assert words.kind("case.opened") == "Case opened"   # humanised: 'case.opened' -> 'Case opened'


def test_every_event_in_the_demo_database_has_words(db_session):
    words = audit_catalogue()
    actions = set(db_session.scalars(select(AuditEvent.action).distinct()))
    assert {"case.opened", "case.stage_changed"} <= actions
    assert actions <= set(words.events), actions - set(words.events)


# --- one case's events at chosen times --------------------------------------------------------

def at(day: str, clock: str = "12:00:00") -> datetime:
    """A moment on the firm's clock (Europe/Berlin, the zone the trail is read in): days and
    times on the page and in the filters are the reader's, not UTC's."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


@pytest.fixture()
def trail(db_session, users):
    """A fresh case with events of its own at known times, by known people and jobs."""
    case = make_case(db_session)
    handler, handler2 = Actor.of(users["handler"]), Actor.of(users["handler2"])

    def add(actor, when, action="case.note_added", **fields):
        return audit.record(db_session, actor, action, "case", case.id, case_id=case.id, at=when, **fields)

    events = {
        "before_since": add(handler, at("2026-03-31", "23:59:59")),
        "on_since": add(handler, at("2026-04-01", "00:00:00")),
        "stage": add(handler2, at("2026-04-10"), "case.stage_changed", from_state="offer_sent",
                     to_state="reminder_sent", reason="  "),
        "escalated": add(Actor.system("escalation"), at("2026-04-20"), "case.escalated", from_state="reminder_sent",
                         to_state="final_demand", reason="No answer",
                         details={"stage": "reminder_sent", "missed": "2026-04-19"}),
        "on_until": add(handler2, at("2026-04-30", "23:59:59.999999")),
        "after_until": add(handler, at("2026-05-01", "00:00:00")),
    }
    db_session.flush()
    return case, events


def ids(rows) -> list[int]:
    return [row.id for row in rows]


def read(session, **typed):
    words = audit_catalogue()
    return audit_trail.page(session, words, audit_trail.read_filter(session, words, **typed), limit=100).rows


def test_the_period_takes_its_whole_first_and_last_day_and_nothing_beyond(db_session, trail):
    case, events = trail
    rows = read(db_session, case=case.ref, since="2026-04-01", until="2026-04-30")
    assert ids(rows) == [events[k].id for k in ("on_until", "escalated", "stage", "on_since")]
    only_since = ids(read(db_session, case=case.ref, since="2026-04-01"))
    assert events["after_until"].id in only_since and events["before_since"].id not in only_since
    only_until = ids(read(db_session, case=case.ref, until="2026-04-30"))
    assert events["before_since"].id in only_until and events["after_until"].id not in only_until
    one_day = ids(read(db_session, case=case.ref, since="2026-05-01", until="2026-05-01"))
    assert one_day == [events["after_until"].id]


def test_the_case_filter_takes_only_its_case(db_session, trail):
    case, events = trail
    other = make_case(db_session)
    rows = read(db_session, case=case.ref.lower())      # a reference typed in small letters
    assert set(ids(rows)) >= {e.id for e in events.values()}
    assert all(row.case == case.ref for row in rows)
    assert all(row.case == other.ref for row in read(db_session, case=other.ref))


def test_the_user_filter_takes_a_person_or_a_system_job(db_session, trail):
    case, events = trail
    mine = read(db_session, case=case.ref, user="handler2")
    assert ids(mine) == [events["on_until"].id, events["stage"].id]
    assert ids(read(db_session, case=case.ref, user="escalation")) == [events["escalated"].id]
    assert read(db_session, case=case.ref, user="nobody-at-all") == []


def test_the_kind_filter_takes_its_code_only(db_session, trail):
    case, events = trail
    assert ids(read(db_session, case=case.ref, kind="case.stage_changed")) == [events["stage"].id]
    with pytest.raises(InvalidInput, match="Kind: 'case.sneezed' is not a kind of event"):
        read(db_session, kind="case.sneezed")


@pytest.mark.parametrize("typed, message", [
    ({"since": "2026-4-1"}, "From: '2026-4-1' is not a date: write it as YYYY-MM-DD"),
    ({"until": "30.04.2026"}, "To: '30.04.2026' is not a date"),
    ({"until": "2026-02-30"}, "To: '2026-02-30' is not a date"),
    ({"since": "2026-05-01", "until": "2026-04-30"}, "Period: the start 2026-05-01 is after the end 2026-04-30"),
    ({"case": "C-1999-000001"}, "Case: there is no case 'C-1999-000001'"),
    ({"user": "hand\x00ler"}, "User: remove the control characters"),
    ({"case": "C" * 41}, "Case: at most 40 characters; what you typed is 41 long."),
])
def test_a_filter_that_cannot_be_read_is_refused_saying_what_to_write(db_session, typed, message):
    with pytest.raises((InvalidInput, NotFound), match=re.escape(message)):
        read(db_session, **typed)


def test_the_longest_filter_values_are_read(db_session, trail):
    case, events = trail
    assert read(db_session, user="u" * 100) == []
    with pytest.raises(NotFound, match="there is no case"):
        read(db_session, case="C" * 40)


def test_the_same_day_as_start_and_end_is_a_period(db_session, trail):
    case, events = trail
    assert ids(read(db_session, case=case.ref, since="2026-04-10", until="2026-04-10")) == [events["stage"].id]


def test_an_event_reads_in_words(db_session, trail):
    case, events = trail
    rows = {row.id: row for row in read(db_session, case=case.ref)}
    stage = rows[events["stage"].id]
    assert stage.who == "Tom Reuter"   # the full name, not the login
    assert (stage.kind, stage.before, stage.after, stage.reason) == ("Stage changed", "Offer sent", "Reminder sent",
                                                                      EMPTY)
    assert stage.when == "10 Apr 2026, 12:00" and stage.case == case.ref and stage.case_id == case.id
    escalated = rows[events["escalated"].id]
    assert escalated.who == "Daily escalation run"
    assert escalated.what == "Escalated: Reminder sent deadline of 2026-04-19 passed"
    assert escalated.reason == "No answer"
    last = rows[events["on_until"].id]
    assert last.when == "30 Apr 2026, 23:59" and "+00:00" not in last.when   # no microseconds, no offset
    assert (last.before, last.after) == (EMPTY, EMPTY)


def test_an_event_outside_a_case_and_by_the_demo_reads_in_words(db_session):
    event = audit.record(db_session, Actor.system("demo"), "client.added", "client", 1, at=at("2026-04-02"))
    db_session.flush()
    row = audit_trail.in_words(db_session, audit_catalogue(), [event])[0]
    assert (row.who, row.what, row.case, row.case_id) == ("Demo data", "Client added", EMPTY, None)


def test_keyset_pages_cover_every_event_once_newest_first(db_session, trail):
    case, events = trail
    same_time = [audit.record(db_session, Actor.system("escalation"), "case.note_added", "case", case.id,
                              case_id=case.id, at=at("2026-04-15")) for _ in range(3)]
    db_session.flush()
    words = audit_catalogue()
    chosen = audit_trail.read_filter(db_session, words, case=case.ref)
    seen, after, pages = [], None, 0
    while True:
        page = audit_trail.page(db_session, words, chosen, after=after, limit=2)
        seen.extend(page.rows)
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    everything = read(db_session, case=case.ref)
    assert ids(seen) == ids(everything) and len(set(ids(seen))) == len(seen)
    assert {e.id for e in same_time} <= set(ids(seen)) and pages == -(-len(everything) // 2)
    assert [r.at for r in seen] == sorted((r.at for r in seen), reverse=True)
    with pytest.raises(InvalidInput, match="page link is broken"):
        audit_trail.page(db_session, words, chosen, after="'; drop table")


def test_the_detail_of_an_event_is_in_words(db_session, trail):
    _case, events = trail
    shown = audit_trail.detail(db_session, audit_catalogue(), events["escalated"].id)
    assert shown.details == [("Stage", "reminder_sent"), ("Missed", "2026-04-19")]
    edited = audit.record(db_session, Actor.system("demo"), "case.edited", "case", 1,
                          details={"claimed_minor": [45000, 50000], "next_due_on": [None, "2026-05-01"],
                                   "sent_at": "2026-04-02T10:11:12.123456+00:00", "urgent": True})
    db_session.flush()
    shown = audit_trail.detail(db_session, audit_catalogue(), edited.id)
    assert shown.details == [("Claimed minor", "45000 → 50000"), ("Next due on", "— → 2026-05-01"),
                             ("Sent at", "2 Apr 2026, 12:11"), ("Urgent", "yes")]
    with pytest.raises(NotFound, match="There is no audit event 999999999"):
        audit_trail.detail(db_session, audit_catalogue(), 999999999)


# --- the page ---------------------------------------------------------------------------------

def test_the_auditor_reads_the_trail_in_words(client_as, db_session, trail):
    case, events = trail
    db_session.commit()
    auditor = client_as("auditor")
    answer = auditor.get(f"/audit/?case={case.ref}&kind=case.stage_changed")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Offer sent" in html and "Reminder sent" in html and "Stage changed" in html
    assert f'href="/cases/{case.ref}"' in html and "offer_sent" not in html.split("<table")[1]
    assert ".000" not in html and "+00:00" not in html
    detail = auditor.get(f"/audit/show/{events['escalated'].id}")
    assert detail.status_code == 200 and "Daily escalation run" in detail.get_data(as_text=True)
    assert auditor.get("/audit/list/").status_code == 200     # the old address still answers


def test_a_malformed_date_on_the_page_says_what_to_write(client_as, db_session):
    answer = client_as("auditor").get("/audit/?since=01.04.2026")
    assert answer.status_code == 400
    assert "From: &#39;01.04.2026&#39; is not a date: write it as YYYY-MM-DD" in answer.get_data(as_text=True)


def test_a_case_handler_may_not_read_the_trail(client_as, db_session):
    assert client_as("handler").get("/audit/").status_code == 403
    assert client_as("handler").get("/audit/show/1").status_code == 403


def test_the_case_timeline_uses_the_same_words(client_as, db_session, trail):
    case, _events = trail
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    timeline = html.split('id="h-timeline"')[1]
    assert "Offer sent → <b>Reminder sent</b>" in timeline
    assert "Daily escalation run" in timeline and "Escalated: Reminder sent deadline of 2026-04-19 passed" in timeline
    assert "case.note_added" not in timeline and "Note added" in timeline


# --- the command ------------------------------------------------------------------------------

def test_audit_list_prints_the_filtered_trail(app, db_session, trail):
    from caseapp.cli import main

    case, events = trail
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["audit", "list", "--case", case.ref, "--since", "2026-04-01", "--until",
                                  "2026-04-30", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in rows] == [events[k].id for k in ("on_until", "escalated", "stage", "on_since")]
    assert rows[2]["before"] == "Offer sent" and rows[2]["code"] == "case.stage_changed"
    as_text = runner.invoke(main, ["audit", "list", "--case", case.ref, "--kind", "case.escalated"])
    assert as_text.exit_code == 0 and "Daily escalation run · Escalated" in as_text.output
    refused = runner.invoke(main, ["audit", "list", "--until", "2026-02-30"])
    assert refused.exit_code == 2 and "YYYY-MM-DD" in refused.output


# --- the query plan with 100,000 events (PostgreSQL) ------------------------------------------

@pytest.mark.postgres_only
def test_the_trail_pages_by_index_with_100000_events(db_session, users, trail):
    case, events = trail
    db_session.execute(text(
        "INSERT INTO audit_event (occurred_at, actor_id, actor_name, action, subject_type, subject_id, case_id) "
        "SELECT now() - make_interval(secs => g * 37), CASE WHEN g % 3 = 0 THEN NULL ELSE :uid END, "
        "CASE WHEN g % 3 = 0 THEN 'escalation' ELSE 'handler' END, "
        "(ARRAY['case.note_added', 'case.stage_changed', 'ledger.posted', 'letter.sent'])[1 + g % 4], "
        "'case', g, g % 5000 FROM generate_series(1, 100000) AS g"), {"uid": users["handler"].id})
    db_session.execute(text("ANALYZE audit_event"))
    words = audit_catalogue()
    last = events["stage"]
    cursor = audit_trail.read_cursor(audit_trail.cursor_of(last))
    for typed in ({}, {"user": "handler"}, {"user": "escalation"}, {"kind": "ledger.posted"},
                  {"since": "2026-01-01", "until": "2026-06-30"}, {"case": case.ref}):
        chosen = audit_trail.read_filter(db_session, words, **typed)
        for after in (None, cursor):
            query = audit_trail.trail_query(chosen, after).compile(db_session.get_bind())
            plan = "\n".join(row[0] for row in db_session.connection().exec_driver_sql(f"EXPLAIN {query}",
                                                                                     query.params))
            assert "Index" in plan and "Seq Scan" not in plan, (typed, after, plan)
            if after is None and "case" not in typed:   # the first page read in the index's order, unsorted
                assert "Sort" not in plan and "Scan Backward using ix_audit_event_" in plan, (typed, plan)
