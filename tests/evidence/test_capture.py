"""Captures of realistic sites on 127.0.0.1 in Debian's Chromium: what is kept, the WARC read back
(every hop, the image, the digests), refusals that keep nothing, and when an image is gone."""
from __future__ import annotations

import hashlib
import io
import json
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from caseapp.core.errors import InvalidInput
from caseapp.evidence.capture import capture
from caseapp.evidence.manifest import build, verify_folder, write_capture
from tests.evidence.conftest import ALLOW, BERG


def records(warc: bytes) -> list:
    out = []
    for record in ArchiveIterator(io.BytesIO(warc), check_digests=True):
        body = record.content_stream().read()
        assert record.digest_checker.passed is not False, record.digest_checker.problems
        out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                    record.http_headers.get_statuscode() if record.http_headers and record.rec_type == "response"
                    else None, body, record.rec_headers))
    return out


def test_a_shop_behind_two_redirects_is_captured_whole(sites, chromium, tmp_path):
    got = capture(f"{sites}/old-shop", image_url=f"{sites}/shop/img/berg.jpg", allow=ALLOW, browser=chromium)

    assert got.final_url == f"{sites}/shop/" and got.status == 200
    assert got.image_present is True and not got.image_gone
    assert got.files["image.jpg"] == BERG                       # the image as served, byte for byte
    assert got.files["screenshot.png"].startswith(b"\x89PNG")
    assert "In den Warenkorb" in got.files["page.html"].decode()
    assert ("Content-Type", "text/html; charset=utf-8") in got.headers
    assert got.browser.startswith("Chromium ")
    hops = [(e["status"], e["url"].removeprefix(sites)) for e in json.loads(got.files["exchanges.json"])]
    assert hops[:3] == [(302, "/old-shop"), (301, "/old-shop-2"), (200, "/shop/")]
    assert (200, "/shop/img/berg.jpg") in hops and (200, "/shop/style.css") in hops

    found = records(got.files["page.warc.gz"])
    assert found[0][0] == "warcinfo"
    responses = {(uri.removeprefix(sites), status) for kind, uri, status, _, _ in found if kind == "response"}
    assert {("/old-shop", "302"), ("/old-shop-2", "301"), ("/shop/", "200"), ("/shop/img/berg.jpg", "200")} <= responses
    image = next(body for kind, uri, _, body, _ in found if kind == "response" and uri.endswith("/berg.jpg"))
    assert image == BERG
    requests = [headers for kind, _, _, _, headers in found if kind == "request"]
    assert len(requests) == len([r for r in found if r[0] == "response"])   # every response has its request
    assert all(h.get_header("WARC-IP-Address") == "127.0.0.1" for kind, *_, h in found if kind == "response")
    warc = tmp_path / "page.warc.gz"
    warc.write_bytes(got.files["page.warc.gz"])
    assert Checker(SimpleNamespace(inputs=[str(warc)], verbose=False)).process_all() == 0   # `warcio check`

    folder, manifest = write_capture(tmp_path / "log", got)
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {
        name: hashlib.sha256(data).hexdigest() for name, data in got.files.items()}
    assert {f["name"]: f["size"] for f in manifest["files"]}["image.jpg"] == len(BERG)
    assert manifest["previous_manifest"] is None and manifest["final_url"] == f"{sites}/shop/"
    assert verify_folder(tmp_path / "log") == []


@pytest.mark.parametrize("path, words, image", [
    ("/blog-fr/", "Randonnée dans les Alpes", "/blog-fr/alpes.jpg"),
    ("/empresa/", "reformando hogares", "/empresa/equipo.jpg"),
    ("/us/", "Acme Photo LLC", "/us/hero.jpg"),
    ("/private/", "Liebe Grüße, Anna", "/private/tirol.jpg"),
    ("/old", "Willkommen", None),
])
def test_every_kind_of_site_is_captured(sites, chromium, path, words, image):
    got = capture(sites + path, image_url=image and sites + image, allow=ALLOW, browser=chromium)
    assert got.status == 200 and words in got.files["page.html"].decode("utf-8")
    if image:
        assert got.image_present is True and got.files["image.jpg"] == BERG
    else:
        assert got.final_url == f"{sites}/" and got.image_present is None and "image.jpg" not in got.files


def test_a_capture_sends_no_form_beacon_or_api_call(sites, chromium):
    from tests.evidence.conftest import Sites

    got = capture(f"{sites}/private/", allow=ALLOW, browser=chromium)
    refused = [e for e in json.loads(got.files["exchanges.json"]) if e.get("refused")]
    assert {e["method"] for e in refused} == {"POST"} and all("a capture only reads" in e["refused"] for e in refused)
    assert not [r for r in Sites.requests if isinstance(r, tuple)]        # the server never saw a POST


def test_json_ld_injected_by_the_page_is_in_the_rendered_html(sites, chromium):
    got = capture(f"{sites}/us/", allow=ALLOW, browser=chromium)
    assert '"PostalAddress"' in got.files["page.html"].decode()
    assert got.files["image.jpg"] == BERG     # no image named: the largest the page loaded


def test_a_redirect_to_a_refused_address_captures_nothing(sites, chromium, tmp_path):
    with pytest.raises(InvalidInput, match="127.0.0.2: it is a private or local address"):
        capture(f"{sites}/evil", allow=ALLOW, browser=chromium)


def test_a_site_that_is_down_is_one_clear_refusal(down, chromium):
    with pytest.raises(InvalidInput, match="could not fetch .*Connection refused"):
        capture(down, allow=ALLOW, browser=chromium)


def test_more_than_ten_redirects_are_refused(sites, chromium):
    with pytest.raises(InvalidInput, match="more than 10 redirects"):
        capture(f"{sites}/loop", allow=ALLOW, browser=chromium)


def test_an_image_answering_410_is_gone(sites, chromium):
    got = capture(f"{sites}/gone-image", image_url=f"{sites}/img/removed.jpg", allow=ALLOW, browser=chromium)
    assert got.status == 200 and got.image_status == 410 and got.image_gone
    assert got.image_name is None


def test_a_page_without_the_image_is_gone_though_the_image_still_answers(sites, chromium):
    got = capture(f"{sites}/shop/nobild", image_url=f"{sites}/shop/img/berg.jpg", allow=ALLOW, browser=chromium)
    assert got.image_status == 200 and got.image_present is False and got.image_gone
    assert got.files["image.jpg"] == BERG    # fetched for the record: it is in the WARC too
    assert any(uri.endswith("/shop/img/berg.jpg") for kind, uri, *_ in records(got.files["page.warc.gz"])
               if kind == "response")


def test_a_page_answering_404_is_gone(sites, chromium):
    got = capture(f"{sites}/shop/verkauft", image_url=f"{sites}/shop/img/berg.jpg", allow=ALLOW, browser=chromium)
    assert got.status == 404 and got.image_gone


def test_the_manifest_is_built_from_what_was_captured(sites, chromium):
    got = capture(f"{sites}/shop/", allow=ALLOW, browser=chromium)
    manifest = build(got, "ab" * 32)
    assert manifest["previous_manifest"] == "ab" * 32 and manifest["status"] == 200
    assert manifest["captured_at"].endswith("Z") and manifest["url"] == f"{sites}/shop/"
    assert [f["name"] for f in manifest["files"]] == sorted(got.files)


def test_a_page_and_its_answers_together_stay_under_the_total_cap(sites, chromium, monkeypatch):
    from caseapp.evidence import capture as module

    page = capture(f"{sites}/shop/", allow=ALLOW, browser=chromium)
    html_size = next(e["size"] for e in page.exchanges if e.get("url") == f"{sites}/shop/")
    monkeypatch.setattr(module, "TOTAL_RESOURCES", 1)
    got = capture(f"{sites}/shop/", image_url=f"{sites}/shop/img/berg.jpg", allow=ALLOW, browser=chromium,
                  max_bytes=html_size + 1)      # room for the page, none for its picture
    refused = [e for e in got.exchanges if "refused" in e]
    assert any(e["url"].endswith("/shop/img/berg.jpg") and "passed" in e["refused"] for e in refused)
    assert not any(name.startswith("image.") for name in got.files)


def test_an_endless_page_is_shot_to_a_height_and_says_so(sites, chromium, monkeypatch):
    from PIL import Image

    from caseapp.evidence import capture as module

    monkeypatch.setattr(module, "MAX_SHOT_HEIGHT", 300)
    got = capture(f"{sites}/shop/", allow=ALLOW, browser=chromium)
    assert Image.open(io.BytesIO(got.files["screenshot.png"])).size[1] == 300
    assert any(note.startswith("the page is ") and note.endswith("shows its first 300") for note in got.notes)
