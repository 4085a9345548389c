"""`caseapp serve --workers N`: gunicorn in front of the app, as production runs it, on a
fresh database; JSON request lines on standard error; a clean stop on SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.test_cli import fresh_env, run  # noqa: F401 - the fixture, on SQLite and PostgreSQL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdecimal():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.add(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def test_serve_with_workers_runs_gunicorn_and_stops_cleanly(fresh_env, tmp_path):  # noqa: F811
    run(fresh_env, "db", "upgrade")
    port = free_port()
    env = dict(fresh_env)
    env.pop("CASEAPP_LOG_FORMAT", None)   # serve --workers logs JSON by default
    server = subprocess.Popen([sys.executable, "-m", "caseapp.cli", "serve", "--workers", "2", "--threads", "2",
                               "--port", str(port), "--timeout", "30"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _, body = get(f"{base}/health")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "gunicorn did not answer within 120 s"
                time.sleep(0.5)
        health = json.loads(body)
        assert status == 200 and health["status"] == "ok" and health["failing"] == [], health
        assert health["checks"]["matching_index"]["checkpoint"] == [1]   # serve saved the empty index
        assert len(children(server.pid)) == 2   # two gunicorn workers under this process

        status, headers, body = get(f"{base}/login/?next=%2Fcases%2F&email=someone%40example.com",
                                    {"X-Request-ID": "probe-42"})
        assert status == 200 and b"password" in body.lower()
        assert headers["X-Request-ID"] == "probe-42"
        assert "Strict-Transport-Security" in headers   # production: CASEAPP_HTTPS defaults on
        workers = children(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            out, err = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0, err[-3000:]
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers), "a worker outlived the master"

    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert len(lines) == len(err.splitlines()), f"a log line that is not JSON: {err[-2000:]}"
    requests = [line for line in lines if line["logger"] == "caseapp.request"]
    login = next(line for line in requests if line["path"] == "/login/")
    assert {"time", "method", "path", "status", "duration_ms", "user_id", "request_id"} <= set(login)
    assert login["method"] == "GET" and login["status"] == 200 and login["user_id"] is None
    assert login["request_id"] == "probe-42" and login["duration_ms"] > 0
    assert login["query"] == "next=*&email=*" and "example.com" not in err
    assert any(line["path"] == "/health" and line["status"] == 200 for line in requests)
    assert any(line["logger"].startswith("gunicorn") and "Booting worker" in line["message"] for line in lines)


def test_serve_workers_refuses_the_debugger(fresh_env):  # noqa: F811
    run(fresh_env, "db", "upgrade")
    result = run(fresh_env, "serve", "--workers", "1", "--debug", "--port", str(free_port()), check=False)
    assert result.returncode != 0 and "--debug" in result.stderr


@pytest.mark.parametrize("host, bind", [("127.0.0.1", "127.0.0.1:8000"), ("::1", "[::1]:8000")])
def test_gunicorn_options(host, bind):
    from caseapp.cli import gunicorn_options

    options = gunicorn_options(host, 8000, workers=3, threads=4, timeout=90, json_logs=True)
    assert options["bind"] == bind and options["workers"] == 3 and options["threads"] == 4
    assert options["worker_class"] == "gthread" and options["timeout"] == 90 and options["accesslog"] is None
    assert options["logconfig_dict"]["formatters"]["json"]["()"] == "caseapp.core.logs.JsonFormatter"
    plain = gunicorn_options(host, 8000, workers=1, threads=1, timeout=60, json_logs=False)
    assert plain["worker_class"] == "sync" and "logconfig_dict" not in plain
    assert options["keepalive"] == plain["keepalive"] == 75   # longer than a proxy's idle time


def test_a_worker_compiles_the_page_templates_as_it_starts(app):
    from caseapp.core.warm import compile_templates

    app.jinja_env.cache.clear()
    count = compile_templates(app)
    cached = {name for (_loader, name) in app.jinja_env.cache.keys()}
    assert count >= 30 and {"cases/case.html", "hits/triage.html", "caseapp/base.html"} <= cached
    assert not any(name.startswith("appbuilder/") for name in cached)


def wait_for(url: str, server: subprocess.Popen) -> tuple:
    deadline = time.monotonic() + 120
    while True:
        try:
            return get(url)
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, server.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "no answer within 120 s"
            time.sleep(0.5)


def test_serve_without_workers_is_still_the_development_server(fresh_env):  # noqa: F811
    """What `make run` starts: werkzeug, plain http (cookies without Secure), text logs."""
    run(fresh_env, "db", "upgrade")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "caseapp.cli", "serve", "--port", str(port)], env=fresh_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status, headers, _ = wait_for(f"http://127.0.0.1:{port}/login/", server)
        assert status == 200 and "Secure" not in headers.get("Set-Cookie", "")
        status, _, body = get(f"http://127.0.0.1:{port}/health")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert children(server.pid) == set()   # one process: no gunicorn workers
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert f"caseapp on http://127.0.0.1:{port}/" in out
    assert not any(line.startswith("{") for line in err.splitlines())


def test_serve_refuses_an_index_of_another_shard_count(fresh_env):  # noqa: F811
    from matching.shards import ShardedEngine

    run(fresh_env, "db", "upgrade")
    ShardedEngine.open(os.path.join(fresh_env["CASEAPP_INSTANCE_PATH"], "matching"), 2).save()
    result = run({**fresh_env, "CASEAPP_MATCHING_SHARDS": "3"}, "serve", "--workers", "1",
                 "--port", str(free_port()), check=False)
    assert result.returncode == 2 and "holds 2 shards, not 3" in result.stderr


def test_proxy_hops_read_the_client_address_from_the_proxy(monkeypatch):
    """CASEAPP_PROXY_HOPS=1: the login throttle counts the client nginx names, not nginx."""
    from flask import Flask, request

    from caseapp import _behind_proxies

    def address_seen(hops: str | None) -> tuple[str, str]:
        from caseapp.config import build_config

        if hops is None:
            monkeypatch.delenv("CASEAPP_PROXY_HOPS", raising=False)
        else:
            monkeypatch.setenv("CASEAPP_PROXY_HOPS", hops)
        app = Flask(__name__)
        app.config["CASEAPP_PROXY_HOPS"] = build_config({"CASEAPP_INSTANCE_PATH": "/nonexistent",
                                                         "SECRET_KEY": "x"})["CASEAPP_PROXY_HOPS"]
        app.add_url_rule("/who", "who", lambda: f"{request.remote_addr} {request.scheme}")
        _behind_proxies(app)
        answer = app.test_client().get("/who", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                       headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9",
                                                "X-Forwarded-Proto": "https, https"})
        return tuple(answer.get_data(as_text=True).split())

    assert address_seen(None) == ("127.0.0.1", "http")     # default: the headers are not believed
    assert address_seen("0") == ("127.0.0.1", "http")
    assert address_seen("1") == ("203.0.113.9", "https")   # the nearest proxy's word only
    assert address_seen("2") == ("198.51.100.7", "https")
    for wrong in ("-1", "six", "9"):
        with pytest.raises(ValueError, match="CASEAPP_PROXY_HOPS"):
            address_seen(wrong)
