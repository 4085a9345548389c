"""The crawler endpoint's limits: a body is read line by line and refused with 413 (a JSON
body naming the cap and what to do) as soon as it passes the byte or line cap, without
reading the rest; the whole app has a request size limit too."""
from __future__ import annotations

import io
import json

import pytest

from caseapp.core import tokens
from caseapp.core.audit import Actor

ADMIN = Actor.system("test")
LINE = json.dumps({"image_url": "https://x.example.com/a.jpg", "page_url": "https://x.example.com/",
                   "found_at": "not a date"}).encode() + b"\n"


class Endless(io.RawIOBase):
    """A request body that never ends (`line` again and again) and fails the test if the
    server reads more than `allowed` bytes of it."""

    def __init__(self, line: bytes, allowed: int) -> None:
        self.line, self.allowed, self.given = line, allowed, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        assert self.given <= self.allowed, f"the server read {self.given:,} bytes, past the cap"
        size = min(len(buffer), 65536)
        chunk = (self.line * (size // len(self.line) + 1))[:size]
        buffer[:size] = chunk
        self.given += size
        return size


@pytest.fixture()
def crawler(app, db_session, users, monkeypatch):
    monkeypatch.setitem(app.config, "CASEAPP_SIGHTINGS_MAX_LINES", 50)
    monkeypatch.setitem(app.config, "CASEAPP_SIGHTINGS_MAX_BYTES", 300_000)
    _, token = tokens.issue(db_session, ADMIN, name="crawler", user_id=users["crawler"].id)
    db_session.flush()
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def _post(client, headers, **kwargs):
    return client.post("/api/v1/sightings", headers=headers, content_type="application/x-ndjson", **kwargs)


def _stream(client, headers, body, length: int | None = None):
    """POST `body` as a stream the server reads as it comes: chunked (the server ends the
    stream), or with a declared Content-Length."""
    environ = {"wsgi.input": body}
    if length is None:
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(length)
    return _post(client, headers, environ_overrides=environ)


@pytest.mark.parametrize("line", [b"\n", LINE], ids=["blank lines", "sightings"])
def test_an_endless_body_is_refused_at_the_line_cap_without_reading_on(crawler, line):
    client, headers = crawler
    body = Endless(line, allowed=300_000 + 65536)
    response = _stream(client, headers, body)
    assert response.status_code == 413
    assert response.json["limit"] == {"lines": 50, "bytes": 300_000}
    assert "at most 50 lines" in response.json["error"] and "several requests" in response.json["error"]
    assert body.given <= 300_000 + 65536


def test_one_long_line_is_refused_at_the_byte_cap(crawler):
    client, headers = crawler
    body = Endless(b"x", allowed=300_000 + 65536)
    response = _stream(client, headers, body)
    assert response.status_code == 413 and "at most 300,000 bytes" in response.json["error"]


def test_a_declared_length_past_the_cap_is_refused_before_reading(crawler):
    client, headers = crawler
    body = Endless(LINE, allowed=0)
    response = _stream(client, headers, body, length=30_000_000)
    assert response.status_code == 413 and response.json["limit"]["bytes"] == 300_000
    assert body.given == 0


def test_a_real_large_body_through_the_test_client(crawler):
    client, headers = crawler
    response = _post(client, headers, data=b"\n" * 30_000_000)
    assert response.status_code == 413 and "several requests" in response.json["error"]
    response = _post(client, headers, data=b"\n" * 60_000)
    assert response.status_code == 413 and "lines" in response.json["error"]


def test_under_the_caps_the_lines_are_answered(crawler):
    client, headers = crawler
    response = _post(client, headers, data=LINE * 50)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["summary"]["errors"] == 50
    assert response.json["results"][0]["error"].startswith("line 1: found_at must be")
    as_array = _post(client, headers, data=json.dumps([json.loads(LINE)] * 51))
    assert as_array.status_code == 413 and as_array.json["limit"]["lines"] == 50


def test_the_whole_app_has_a_request_size_limit(app, crawler, monkeypatch):
    client, _ = crawler
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024     # the default
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post("/login/", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413


def test_the_limits_are_settings(monkeypatch):
    from caseapp.config import build_config

    monkeypatch.setenv("CASEAPP_MAX_REQUEST_BYTES", "2000000")
    monkeypatch.setenv("CASEAPP_SIGHTINGS_MAX_BYTES", "1000000")
    monkeypatch.setenv("CASEAPP_SIGHTINGS_MAX_LINES", "100")
    config = build_config({"SECRET_KEY": "x"})
    assert (config["MAX_CONTENT_LENGTH"], config["CASEAPP_SIGHTINGS_MAX_BYTES"],
            config["CASEAPP_SIGHTINGS_MAX_LINES"]) == (2_000_000, 1_000_000, 100)
    monkeypatch.setenv("CASEAPP_SIGHTINGS_MAX_LINES", "lots")
    with pytest.raises(ValueError, match="CASEAPP_SIGHTINGS_MAX_LINES='lots': give a whole number"):
        build_config({"SECRET_KEY": "x"})


def test_a_deeply_nested_line_is_that_lines_error_not_the_requests(app, crawler, monkeypatch):
    client, headers = crawler
    monkeypatch.setitem(app.config, "CASEAPP_SIGHTINGS_MAX_BYTES", 2 * 1024 * 1024)   # the default
    nested_object = b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"\n"
    nested_array = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    response = _post(client, headers, data=nested_object + nested_array + LINE)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    first, second, third = response.json["results"]
    assert first["status"] == "error" and "line 1: JSON nested too deeply" in first["error"]
    assert second["status"] == "error" and "line 2: JSON nested too deeply" in second["error"]
    assert third["status"] == "error" and "found_at must be" in third["error"]
    # A JSON array body is one document: nested too deeply, it is the request's error (400)
    as_array = _post(client, headers, data=b"[" + nested_array.strip() + b"]")
    assert as_array.status_code == 400 and "nested too deeply" in as_array.json["error"]
