"""Captures that run by themselves: deciding a hit illegal asks for one (after the commit), the
capture task for a hit, and `caseapp evidence check-due` over the items due a check."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from caseapp.cli import main
from caseapp.evidence import tasks
from caseapp.evidence.models import EvidenceCapture
from caseapp.hits.models import ILLEGAL, NEW
from tests.cases.factories import make_case
from tests.clients.factories import make_client, make_work
from tests.evidence.conftest import BERG
from tests.hits.factories import make_hit



@pytest.fixture()
def hit(db_session, sites):
    holder = make_client(db_session)
    return make_hit(db_session, make_work(db_session, holder), "127.0.0.1", page_url=f"{sites}/shop/",
                    image_url=f"{sites}/shop/img/berg.jpg")


def test_deciding_hits_illegal_asks_for_their_capture_after_the_commit(client_as, db_session, hit, monkeypatch):
    asked = []
    monkeypatch.setattr(tasks, "capture_hits_soon", lambda app, ids: asked.append(sorted(ids)))
    answer = client_as("handler").post("/hits/decide", data={"verdict": ILLEGAL, "hit": hit.id, "expect": NEW},
                                       headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert asked == [[hit.id]]


def test_other_decisions_ask_for_no_capture(client_as, hit, monkeypatch):
    asked = []
    monkeypatch.setattr(tasks, "capture_hits_soon", lambda app, ids: asked.append(ids))
    client_as("handler").post("/hits/decide", data={"verdict": "legal", "hit": hit.id, "expect": NEW},
                              headers={"Accept": "application/json"})
    assert asked == []


def test_no_capture_thread_when_the_setting_is_off(app):
    assert app.config["CASEAPP_CAPTURE_ON_DECIDE"] is False      # tests/conftest.py
    assert tasks.capture_hits_soon(app, [1, 2]) is None


def test_the_capture_task_stores_the_hits_page_linked_to_it(app, db_session, hit, local_fetching):
    capture_id = tasks.capture_hit(hit.id)
    row = db_session.get(EvidenceCapture, capture_id)
    assert (row.hit_id, row.kind, row.outcome, row.image_present) == (hit.id, "hit", "captured", True)


def test_a_hit_decided_illegal_is_captured_into_its_case_and_item(app, db_session, hit, local_fetching):
    from datetime import date

    from caseapp.core.audit import Actor
    from caseapp.hits import services as hits

    hits.decide(db_session, Actor.system("tests"), [hit.id], ILLEGAL, selection="test", today=date(2026, 11, 23))
    db_session.flush()
    db_session.refresh(hit)
    assert hit.case_id is not None
    row = db_session.get(EvidenceCapture, tasks.capture_hit(hit.id))
    item = next(i for i in hits_case_items(db_session, hit.case_id) if i.page_url == hit.sighting.page_url)
    assert (row.case_id, row.case_item_id) == (hit.case_id, item.item_id)


def hits_case_items(session, case_id):
    from caseapp.cases.services import items_in_use

    return items_in_use(session, case_id=case_id)


def test_the_capture_task_records_a_failure_and_raises_nothing(app, db_session, hit, local_fetching, down):
    hit.sighting.page_url = down
    db_session.flush()
    assert tasks.capture_hit(hit.id) is None
    from caseapp.core.audit import AuditEvent

    failed = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.capture_failed")
                                .order_by(AuditEvent.id.desc())).first()
    assert failed.details["hit"] == hit.id and "Connection refused" in failed.reason


def test_check_due_checks_the_items_due_and_says_what_it_found(app, db_session, sites, local_fetching, monkeypatch):
    case = make_case(db_session)
    item = case.items[0]
    item.page_url, item.image_url = f"{sites}/shop/nobild", f"{sites}/shop/img/berg.jpg"
    db_session.flush()
    monkeypatch.setattr("caseapp.evidence.services.due_checks", lambda session, now, days: [item.id])
    result = app.test_cli_runner().invoke(main, ["evidence", "check-due", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["item"] == item.id and lines[0]["outcome"] == "gone", lines[0]
    assert lines[-1] == {"summary": {"checked": 1, "gone": 1}}
    db_session.refresh(item)
    assert item.offline_since is not None

    dry = app.test_cli_runner().invoke(main, ["evidence", "check-due", "--dry-run"])
    assert dry.exit_code == 0 and f"1 case items are due a take-down check" in dry.stdout
