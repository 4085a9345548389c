"""The rules without a browser: when an image counts as gone (both sides of each edge), and two
captures taking the chain's head at the same moment."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from caseapp.core.audit import Actor
from caseapp.core.filestore import FileStore
from caseapp.core.uow import unit_of_work
from caseapp.evidence import services
from caseapp.evidence.capture import Captured
from caseapp.evidence.models import EvidenceCapture


def made(status=200, image_status=200, present=True, image_url="https://shop.example/a.jpg", n=0) -> Captured:
    return Captured(url="https://shop.example/p", final_url="https://shop.example/p", status=status, headers=[],
                    captured_at=datetime(2026, 12, 3, 7, n, tzinfo=timezone.utc), exchanges=[],
                    files={"page.warc.gz": b"w%d" % n, "screenshot.png": b"\x89PNG%d" % n, "page.html": b"<p>%d" % n,
                           "exchanges.json": b"[]"},
                    image_url=image_url, image_status=image_status, image_present=present)


@pytest.mark.parametrize("status, image_status, present, gone", [
    (200, 200, True, False),
    (404, None, False, True), (410, None, False, True),          # the page is gone
    (200, 404, False, True), (200, 410, False, True),             # the image is gone
    (200, 200, False, True),                                      # the image answers, the page no longer shows it
    (200, 500, None, False), (200, 403, None, False),             # the image's server is in trouble: not known gone
    (500, None, None, False), (503, None, None, False),           # the page's server is in trouble: not known gone
    (301, None, None, False),
])
def test_when_an_image_counts_as_gone(status, image_status, present, gone):
    assert made(status, image_status, present).image_gone is gone


@pytest.mark.parametrize("page, image, on_page, present", [
    (200, 200, True, True),
    (200, 200, False, False), (200, None, False, False),        # the page no longer shows it
    (200, 404, True, False), (200, 410, True, False),           # the image answers "gone"
    (404, None, False, False), (410, 200, True, False),         # the page answers "gone"
    (200, 500, True, None), (200, 403, True, None), (200, None, True, None),   # image not fetched: not known
    (500, None, False, None), (503, 200, True, None), (403, None, False, None), (429, None, False, None),
    (401, None, False, None),
])
def test_whether_the_image_is_online(page, image, on_page, present):
    from caseapp.evidence.capture import _present

    assert _present(page, image, on_page) is present


def test_no_image_asked_for_is_never_gone():
    assert made(image_url=None, image_status=None, present=None).image_gone is False


def test_two_captures_taking_the_same_head_both_land_on_the_chain(app, db_session, monkeypatch):
    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    actor = Actor.system("tests")
    with unit_of_work(db_session):
        first = services.record_capture(db_session, actor, store, made(n=1), kind="on_demand")
    stale = first
    real = services.chain_head
    calls = []

    def head_as_seen_a_moment_ago(session):
        calls.append(1)
        return services.get_capture(session, stale.id) if len(calls) == 1 else real(session)

    with unit_of_work(db_session):
        second = services.record_capture(db_session, actor, store, made(n=2), kind="on_demand")
    monkeypatch.setattr(services, "chain_head", head_as_seen_a_moment_ago)
    with unit_of_work(db_session):       # saw `first` as the head: meets second's seq, retries on it
        third = services.record_capture(db_session, actor, store, made(n=3), kind="on_demand")
    assert len(calls) == 2
    assert (second.seq, third.seq) == (first.seq + 1, first.seq + 2)
    assert third.previous_manifest_sha256 == second.manifest_sha256
    assert services.manifest_of(store, third)["previous_manifest"] == second.manifest_sha256
    assert services.verify_chain(db_session, store) == []


def test_export_writes_a_folder_that_verifies_on_its_own_and_verify_store_checks_the_chain(app, db_session, tmp_path):
    import hashlib
    import json
    import os

    from caseapp.cli import main
    from caseapp.evidence.manifest import verify_folder

    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    with unit_of_work(db_session):
        row = services.record_capture(db_session, Actor.system("tests"), store, made(n=7), kind="on_demand")
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["evidence", "export", str(row.id), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [folder] = list(tmp_path.iterdir())
    assert verify_folder(folder) == []
    manifest = (folder / "manifest.json").read_bytes()
    assert hashlib.sha256(manifest).hexdigest() == row.manifest_sha256      # what `sha256sum manifest.json` says
    assert {f["name"] for f in json.loads(manifest)["files"]} == {p.name for p in folder.iterdir()} - {"manifest.json"}
    again = runner.invoke(main, ["evidence", "export", str(row.id), "--out", str(tmp_path)])
    assert again.exit_code == 2 and "exists already" in again.output

    ok = runner.invoke(main, ["evidence", "verify-store"])
    assert ok.exit_code == 0 and "chain intact" in ok.output and row.manifest_sha256 in ok.output
    path = store.path_for(row.screenshot_sha256)
    os.chmod(path, 0o644)
    original = path.read_bytes()
    try:
        path.write_bytes(b"edited")
        bad = runner.invoke(main, ["evidence", "verify-store"])
        assert bad.exit_code == 2 and f"capture {row.id} (seq {row.seq})/screenshot.png: changed" in bad.output
    finally:
        path.write_bytes(original)
        os.chmod(path, 0o444)
    missing = runner.invoke(main, ["evidence", "export", "999999", "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "There is no capture 999999" in missing.output


@pytest.mark.parametrize("a, b, same", [
    ("https://shop.example/up/berg.jpg", "https://shop.example/up/berg.jpg#x", True),
    ("https://shop.example/up/berg.jpg", "https://shop.example/up/berg.jpg?w=800", True),        # a CDN's resize
    ("https://shop.example/up/berg.jpg", "https://shop.example/up/berg-1024x683.jpg", True),     # WordPress' copy
    ("https://shop.example/up/berg.jpg", "https://SHOP.example/up/berg.jpg", True),
    ("https://shop.example/up/berg.jpg", "https://shop.example/up/berg-panorama.jpg", False),
    ("https://shop.example/up/berg.jpg", "https://other.example/up/berg.jpg", False),
    ("https://shop.example/up/berg.jpg", "https://shop.example/up/berg.png", False),
])
def test_what_counts_as_the_same_image(a, b, same):
    from caseapp.evidence.capture import _same_image

    assert _same_image(a, b) is same


IMAGE = "https://shop.example/up/berg.jpg"


@pytest.mark.parametrize("seen, html, loaded, shown", [
    ([IMAGE], "", [], True),                                                     # an <img> names it
    (["https://shop.example/up/berg-300x200.jpg"], "", [], True),                # a resized copy of it
    ([], '<img src="data:," data-src="/up/berg.jpg">', [], True),                # a lazy loader's attribute
    ([], '<script>{"image":"https:\\/\\/shop.example\\/up\\/berg.jpg"}</script>', [], False),  # escaped JSON: not read
    ([], '<div style="background:url(&quot;/up/berg-1024x683.jpg&quot;)">', [], True),   # in the HTML, resized
    ([], "", ["https://shop.example/up/berg.jpg?v=2"], True),                    # the page loaded it
    (["https://shop.example/up/other.jpg"], '<img src="/up/berg-panorama.jpg">', [], False),   # another picture
    ([], "", [], False),                                                         # nowhere: gone from the page
])
def test_whether_the_page_still_uses_the_image(seen, html, loaded, shown):
    from caseapp.evidence.capture import shown_on

    assert shown_on(IMAGE, seen, html, loaded) is shown
