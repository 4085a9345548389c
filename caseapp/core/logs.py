"""Structured logs: with CASEAPP_LOG_FORMAT=json (the default of `caseapp serve --workers`), every
log record is one JSON object on a line of standard error, and every request one more:

    {"time": "2026-12-03T14:02:11.532Z", "level": "INFO", "logger": "caseapp.request",
     "message": "GET /cases/ 200", "method": "GET", "path": "/cases/", "query": "page=2&q=*",
     "status": 200, "duration_ms": 12.4, "user_id": 7, "request_id": "5f0c..."}

What a request line leaves out: query values, except those of the parameters in SAFE_QUERY
(page numbers, sort orders), since a search box carries names, e-mail addresses and IBANs; the
value of any other parameter is written `*` (its name stays: it tells what kind of page it was).
Form bodies, cookies and headers are never logged. The request id is the caller's X-Request-ID
when it is a plain token (a proxy's, up to 64 of [A-Za-z0-9._-]), else a new one; the response
carries it back, and it is on every log record written while the request runs."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qsl

REQUEST_LOGGER = "caseapp.request"
# Query parameters whose values are never personal data: paging and sorting.
SAFE_QUERY = frozenset({"page", "page_size", "psize", "sort", "order", "order_column", "order_direction",
                        "direction", "tab", "_oc", "_od", "lang"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HANDLER_MARK = "_caseapp_json"


def _now_iso(created: float) -> str:
    return datetime.fromtimestamp(created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _current_request_id() -> str | None:
    from flask import g, has_request_context

    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC), level, logger, message, the request id when
    written during a request, the fields a caller passed as `extra={"fields": {...}}`, and the
    exception's traceback as text."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": _now_iso(record.created), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        request_id = getattr(record, "request_id", None) or _current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def use_json_logs(stream=None, level: int = logging.INFO) -> logging.Handler:
    """Write every log record as JSON to `stream` (standard error): one handler on the root
    logger, replacing any earlier JSON handler (so calling it twice does not double lines)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    if root.getEffectiveLevel() > level:
        root.setLevel(level)
    logging.getLogger(REQUEST_LOGGER).setLevel(logging.INFO)
    return handler


def shown_query(query_string: bytes | str) -> str:
    """The query string as a log shows it: every parameter's name, the value only for SAFE_QUERY."""
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    parts = []
    for name, value in parse_qsl(text, keep_blank_values=True):
        shown_name = name if _REQUEST_ID.match(name) else "?"
        parts.append(f"{shown_name}={value if name in SAFE_QUERY and len(value) <= 40 else '*'}")
    return "&".join(parts)


def _start() -> None:
    from flask import g, request

    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _user_id():
    try:
        from flask_login import current_user

        return current_user.id if current_user and current_user.is_authenticated else None
    except Exception:   # noqa: BLE001 - a log line never breaks a response (no login manager, a broken session)
        return None


def _finish(response):
    from flask import g, request

    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    query = shown_query(request.query_string)
    fields = {"method": request.method, "path": request.path, "status": response.status_code,
              "duration_ms": duration, "user_id": _user_id(), "request_id": request_id}
    if query:
        fields["query"] = query
    logging.getLogger(REQUEST_LOGGER).info("%s %s %s", request.method, request.path, response.status_code,
                                           extra={"fields": fields})
    return response


def install(app) -> None:
    """A request id and a log line for every request; JSON log lines when the app's
    CASEAPP_LOG_FORMAT is json (else the request lines go to the logger, which Python's default
    configuration does not print: the development server prints its own)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)   # first: before a guard can answer
    app.after_request(_finish)
    if app.config.get("CASEAPP_LOG_FORMAT") == "json":
        use_json_logs()
