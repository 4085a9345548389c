"""Sessions and headers: logins throttled, a session ended on the server at logout, machine
accounts kept off the pages, FAB's JWT login gone, security headers on every response."""
from __future__ import annotations

import os

import pytest

from caseapp.demo.setup import demo_password


def _login(client, user: str, password: str | None = None):
    return client.post("/login/", data={"username": user, "password": password or demo_password(user)})


def test_logging_out_ends_the_session_on_the_server(app, client_as):
    client = client_as(None)
    assert _login(client, "handler").status_code == 302
    assert client.get("/queue/").status_code == 200
    stolen = client.get_cookie("session").value         # what a browser (or a thief) kept
    client.get("/logout/")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    answer = replay.get("/queue/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert _login(client, "handler").status_code == 302   # a new login is a new session
    assert client.get("/queue/").status_code == 200


def test_the_crawlers_machine_account_cannot_log_in_to_the_pages(client_as):
    client = client_as(None)
    refused = _login(client, "crawler")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert "machine account" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert client.get("/hits/").status_code == 302
    # and a session made for it some other way is no login either
    assert client_as("crawler").get("/userinfoeditview/form").status_code == 302


def test_fabs_jwt_login_endpoint_is_gone(app, client_as):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert not {r for r in rules if r.startswith("/api/v1/security/")}
    answer = client_as(None).post("/api/v1/security/login", json={
        "username": "admin", "password": demo_password("admin"), "provider": "db"})
    assert answer.status_code == 404


REDIS_URL = os.environ.get("CASEAPP_TEST_REDIS_URL")
STORES = ["memory://"] + ([REDIS_URL] if REDIS_URL else [])


@pytest.mark.parametrize("store", STORES)
def test_logins_are_throttled_per_address(app, database_url, tmp_path, store):   # `app`: the database built
    """Eight wrong passwords, then the right one: refused (429) with a message, not let in — with
    counters in memory (one process) and in Redis (production: every process counts together)."""
    from caseapp import create_app

    if store.startswith("redis"):
        import redis

        redis.Redis.from_url(store).flushdb()
    throttled = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                            "SECRET_KEY": "tests", "CASEAPP_INSTANCE_PATH": str(tmp_path),
                            "RATELIMIT_STORAGE_URI": store})
    assert throttled.config["AUTH_RATE_LIMITED"] and throttled.config["RATELIMIT_ENABLED"]
    client = throttled.test_client()
    answers = [_login(client, "handler", "wrong").status_code for _ in range(8)]
    assert answers[:5] == [302] * 5 and set(answers[5:]) == {429}
    right = _login(client, "handler")
    assert right.status_code == 429 and "Too many login attempts" in right.get_data(as_text=True)
    assert client.get("/queue/").status_code == 302   # not logged in
    other = throttled.test_client()   # another address is not held back
    assert _login(other, "handler", ).status_code == 429   # (the test client's address is the same)
    elsewhere = other.post("/login/", data={"username": "handler", "password": demo_password("handler")},
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 302 and "/login" not in elsewhere.headers["Location"]
    from caseapp.extensions import get_db

    with throttled.app_context():
        get_db().dispose()


@pytest.mark.parametrize("url,strict", [("/queue/", True), ("/hits/", True), ("/login/", True),
                                        ("/parties/list/", False), ("/users/list/", False)])
def test_every_page_carries_the_security_headers(client_as, url, strict):
    response = client_as(None if url == "/login/" else "admin").get(url)
    assert response.status_code == 200
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "default-src 'self'" in csp
    assert ("script-src 'self';" in csp) == strict and ("script-src 'self' 'unsafe-inline'" in csp) != strict


def test_files_and_redirects_carry_them_too(client_as):
    client = client_as("admin")
    for response in (client.get("/"), client.get("/static/caseapp/triage.js")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_cookies_are_secure_by_default_and_plain_only_for_the_development_server(monkeypatch, tmp_path):
    from caseapp.config import build_config, plain_http

    monkeypatch.delenv("CASEAPP_HTTPS", raising=False)
    config = build_config({"CASEAPP_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    plain_http(config)   # `caseapp serve` on http://127.0.0.1
    assert not config["SESSION_COOKIE_SECURE"]
    monkeypatch.setenv("CASEAPP_HTTPS", "1")   # a TLS proxy in front of it
    config = build_config({"CASEAPP_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    plain_http(config)
    assert config["SESSION_COOKIE_SECURE"]
