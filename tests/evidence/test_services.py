"""The evidence services on the test database: captures stored in the file store on one chain,
linked to the case and its item; take-down checks (gone, still gone, back, unreachable is not
gone); which items are due a check (both sides of the edge); a failure half-way stores nothing."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from caseapp.core.uow import unit_of_work
from caseapp.evidence import services
from caseapp.evidence.models import EvidenceCapture
from tests.cases.factories import make_case
from tests.evidence.conftest import ALLOW, BERG

ACTOR = Actor.system("tests")


@pytest.fixture()
def store(app):
    return FileStore(app.config["CASEAPP_FILESTORE_PATH"])


@pytest.fixture()
def settings(chromium):
    return services.Settings(allow=ALLOW, browser=chromium, seconds=20)


@pytest.fixture()
def item(db_session, sites):
    case = make_case(db_session)
    item = case.items[0]
    item.page_url, item.image_url = f"{sites}/shop/", f"{sites}/shop/img/berg.jpg"
    db_session.flush()
    return item


def stored_files(store) -> set:
    return {p for p in store.root.rglob("*") if p.is_file()} if store.root.exists() else set()


def timeline(session, case_id, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == action)))


def test_a_capture_is_stored_linked_and_chained(db_session, store, settings, item):
    with unit_of_work(db_session):
        first = services.capture_item(db_session, ACTOR, store, item.id, settings=settings)
    with unit_of_work(db_session):
        second = services.capture_item(db_session, ACTOR, store, item.id, settings=settings)
    assert (first.case_id, first.case_item_id, first.kind, first.outcome) == (item.case_id, item.id, "on_demand",
                                                                              "captured")
    assert first.http_status == 200 and first.image_present is True
    assert store.read(first.image_sha256) == BERG and first.image_name == "image.jpg"
    assert store.read(first.screenshot_sha256).startswith(b"\x89PNG")
    manifest = services.manifest_of(store, second)
    assert second.seq == first.seq + 1 and second.previous_manifest_sha256 == first.manifest_sha256
    assert manifest["previous_manifest"] == first.manifest_sha256
    assert services.file_of(store, second, "page.warc.gz") == store.read(second.warc_sha256)
    assert services.verify_chain(db_session, store) == []
    assert len(timeline(db_session, item.case_id, "evidence.captured")) == 2
    found = services.evidence_for_case(db_session, item.case_id)
    assert [c.id for c in found.captures] == [second.id, first.id] and found.head == second.manifest_sha256


def test_a_changed_file_in_the_store_breaks_the_chain(db_session, store, settings, item):
    with unit_of_work(db_session):
        row = services.capture_item(db_session, ACTOR, store, item.id, settings=settings)
    path = store.path_for(row.html_sha256)
    os.chmod(path, 0o644)
    original = path.read_bytes()
    try:
        path.write_bytes(original.replace(b"Warenkorb", b"Korb....."))
        assert any(p.startswith(f"capture {row.id} (seq {row.seq})/page.html: changed")
                   for p in services.verify_chain(db_session, store))
    finally:
        path.write_bytes(original)
        os.chmod(path, 0o444)


def test_a_refused_redirect_stores_nothing(db_session, store, settings, sites):
    before, rows = stored_files(store), db_session.scalar(select(func.count()).select_from(EvidenceCapture))
    with pytest.raises(InvalidInput, match="private or local address"), unit_of_work(db_session):
        services.capture_page(db_session, ACTOR, store, f"{sites}/evil", settings=settings)
    assert stored_files(store) == before
    assert db_session.scalar(select(func.count()).select_from(EvidenceCapture)) == rows


def test_a_capture_failing_half_way_leaves_no_row_and_no_file(db_session, store, settings, item, monkeypatch):
    before, rows = stored_files(store), db_session.scalar(select(func.count()).select_from(EvidenceCapture))

    def broken(*args, **kwargs):
        raise InvalidInput("the audit trail is unavailable")

    monkeypatch.setattr("caseapp.evidence.services.audit.record", broken)
    with pytest.raises(InvalidInput), unit_of_work(db_session):
        services.capture_item(db_session, ACTOR, store, item.id, settings=settings)
    assert stored_files(store) == before     # the files it had put are deleted again
    assert db_session.scalar(select(func.count()).select_from(EvidenceCapture)) == rows


def test_take_down_checks_gone_still_gone_back(db_session, store, settings, item, sites):
    item.last_seen_at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    db_session.flush()
    with unit_of_work(db_session):
        online = services.check_takedown(db_session, ACTOR, store, item.id, settings=settings)
    db_session.refresh(item)
    assert online.outcome == "online" and item.offline_since is None
    proven = db_session.get(EvidenceCapture, online.capture_id).captured_at
    assert item.last_seen_at == proven       # the use goes on: seen online by the check

    item.page_url = f"{sites}/shop/nobild"          # the shop took the picture off the page
    db_session.flush()
    with unit_of_work(db_session):
        gone = services.check_takedown(db_session, ACTOR, store, item.id, settings=settings)
    db_session.refresh(item)
    assert gone.outcome == "gone" and item.offline_since is not None and item.last_seen_at == proven
    row = db_session.get(EvidenceCapture, gone.capture_id)
    assert row.outcome == "image_gone" and row.kind == "takedown_check" and item.offline_since == row.captured_at
    [event] = timeline(db_session, item.case_id, "evidence.image_gone")
    from flask import current_app

    from caseapp.core.audit_words import of_app
    from caseapp.core.formatting import day

    words = of_app(current_app).sentence(event.action, event.details)
    assert words == f"Image no longer online, checked on {day(row.captured_at.date(), 'en')}"

    with unit_of_work(db_session):
        again = services.check_takedown(db_session, ACTOR, store, item.id, settings=settings)
    assert again.outcome == "still_gone" and len(timeline(db_session, item.case_id, "evidence.image_gone")) == 1

    item.page_url = f"{sites}/shop/"
    db_session.flush()
    with unit_of_work(db_session):
        back = services.check_takedown(db_session, ACTOR, store, item.id, settings=settings)
    db_session.refresh(item)
    assert back.outcome == "back" and item.offline_since is None
    assert item.last_seen_at == db_session.get(EvidenceCapture, back.capture_id).captured_at
    # a gone check never moved the last sighting: it stayed at the last capture that showed the image
    assert len(timeline(db_session, item.case_id, "evidence.image_back")) == 1


def test_an_image_answering_410_is_gone(db_session, store, settings, item, sites):
    item.page_url, item.image_url = f"{sites}/gone-image", f"{sites}/img/removed.jpg"
    db_session.flush()
    with unit_of_work(db_session):
        result = services.check_takedown(db_session, ACTOR, store, item.id, settings=settings)
    assert result.outcome == "gone"


def test_an_unreachable_site_is_not_gone(db_session, store, settings, item, down):
    item.page_url = down
    db_session.flush()
    rows = db_session.scalar(select(func.count()).select_from(EvidenceCapture))
    with unit_of_work(db_session):
        result = services.check_takedown(db_session, ACTOR, store, item.id, settings=settings)
    assert result.outcome == "unreachable" and "Connection refused" in result.error
    assert item.offline_since is None and not timeline(db_session, item.case_id, "evidence.image_gone")
    assert len(timeline(db_session, item.case_id, "evidence.capture_failed")) == 1
    assert db_session.scalar(select(func.count()).select_from(EvidenceCapture)) == rows


def test_a_server_in_trouble_is_not_gone_either(db_session, store, settings, item, sites):
    item.page_url = f"{sites}/broken"
    db_session.flush()
    with unit_of_work(db_session):
        result = services.check_takedown(db_session, ACTOR, store, item.id, settings=settings)
    assert result.outcome == "unknown" and "503" in result.error and item.offline_since is None
    row = db_session.get(EvidenceCapture, result.capture_id)      # kept: it shows what the site answered
    assert row.http_status == 503 and row.image_present is None and row.outcome == "captured"
    assert not timeline(db_session, item.case_id, "evidence.image_gone")


def test_items_are_due_a_check_from_the_day_the_period_has_passed(db_session, store, settings, item):
    with unit_of_work(db_session):
        row = services.capture_item(db_session, ACTOR, store, item.id, settings=settings)
    at = row.captured_at
    assert item.id not in services.due_checks(db_session, at + timedelta(days=7) - timedelta(seconds=1), 7)
    assert item.id in services.due_checks(db_session, at + timedelta(days=7), 7)
    never = make_case(db_session).items[0]
    never.image_url = "https://x.example/p/1.jpg"
    db_session.flush()
    assert never.id in services.due_checks(db_session, at, 7)          # never captured: due at once
    no_image = make_case(db_session).items[0]                            # no image URL: nothing to look for
    assert no_image.id not in services.due_checks(db_session, at + timedelta(days=30), 7)
