"""The crawler's REST endpoint: sightings in, one result a line out, as `caseapp hits
ingest --json` prints them.

    POST /api/v1/sightings
    Authorization: Bearer cat_...            (caseapp tokens create --user crawler --name crawler)
    Content-Type: application/x-ndjson       (JSON Lines; a JSON array of objects also works)

    {"image_url": "...", "page_url": "...", "found_at": "2026-11-21T10:15:00Z"}

Images are fetched from image_url. A request has at most CASEAPP_SIGHTINGS_MAX_LINES lines
(500; blank lines count) and CASEAPP_SIGHTINGS_MAX_BYTES bytes (2 MB), so that it ends in
reasonable time and memory: the body is read as it comes and refused with 413 (a JSON body
naming the caps) as soon as it passes either, without reading the rest; send more in
several requests. One line's failure is that line's error, never the request's.

With a broker (CASEAPP_BROKER_URL), the lines are checked, a job is made and queued, and the
answer is 202 with the job's id and a Location to poll:

    GET /api/v1/sightings/jobs/<id>          (the same token)

which answers the job's state and progress, and once it is done the same `results` and `summary`
as the synchronous answer. Without a broker the answer is the results themselves (200)."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from caseapp.core import jobs, tokens
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.uow import unit_of_work
from caseapp.core.security import access_matrix_of
from caseapp.extensions import get_session
from caseapp.hits import HITS, services
from caseapp.clients import works_index

CHUNK = 65536
blueprint = Blueprint("hits_api", __name__, url_prefix="/api/v1")


def _refuse(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="caseapp"'
    return response


def _authorised_user(session):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None, _refuse(401, "Send an API token: Authorization: Bearer <token> "
                                  "(an admin issues one with `caseapp tokens create`).")
    token = tokens.holder(session, header.removeprefix("Bearer ").strip())
    if token is None:
        return None, _refuse(401, "This API token is unknown or revoked; ask an admin for a new one.")
    user = current_app.appbuilder.sm.get_user_by_id(token.user_id)
    allowed = access_matrix_of(current_app).roles_allowed(HITS, "can_ingest")
    if user is None or not user.is_active or not any(role.name in allowed for role in user.roles):
        return None, _refuse(403, "This token's user may not send sightings (it needs the Crawler role).")
    return user, None


class TooLarge(Exception):
    """The body is past the endpoint's byte or line cap."""


def body_lines(stream, *, max_bytes: int, max_lines: int) -> list[tuple[int, str]]:
    """Numbered lines of a JSON Lines body, read from `stream` as they come (or the records
    of a JSON array, each as a line). TooLarge as soon as the body passes `max_bytes` or
    `max_lines` lines (blank lines count): nothing past the cap is read. InvalidInput if the
    body is a broken JSON array."""
    pending, lines, size = bytearray(), [], 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge()
        pending += chunk
        if not lines and pending.lstrip().startswith(b"["):   # a JSON array: read whole, within max_bytes
            continue
        *complete, rest = pending.split(b"\n")
        lines.extend(complete)
        pending = bytearray(rest)
        if len(lines) > max_lines:
            raise TooLarge()
    if pending.lstrip().startswith(b"[") and not lines:
        return _array_lines(bytes(pending).decode("utf-8", errors="replace"), max_lines)
    if pending:
        lines.append(pending)
    if len(lines) > max_lines:
        raise TooLarge()
    return [(n, bytes(line).decode("utf-8", errors="replace")) for n, line in enumerate(lines, start=1)]


def _array_lines(text: str, max_lines: int) -> list[tuple[int, str]]:
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"The body is a JSON array but not valid JSON ({error.msg} at line {error.lineno}, "
                           f"column {error.colno}); send JSON Lines or a valid array.") from None
    except RecursionError:
        raise InvalidInput("The body is a JSON array nested too deeply to read; send JSON Lines, "
                           "one flat object a line.") from None
    if not isinstance(records, list):
        raise InvalidInput("The body starts like a JSON array but is not one; send JSON Lines or an array.")
    if len(records) > max_lines:
        raise TooLarge()
    out = []
    for n, record in enumerate(records, start=1):
        try:
            out.append((n, json.dumps(record)))
        except (RecursionError, ValueError):   # that record's error, not the request's
            out.append((n, "[nested too deeply]"))
    return out


def _too_large(max_bytes: int, max_lines: int):
    response = jsonify(
        error=(f"This request is over the crawler endpoint's cap: at most {max_lines} lines (blank ones count) "
               f"and at most {max_bytes:,} bytes a request. Send the sightings in several requests of at most "
               f"{max_lines} lines each."),
        limit={"lines": max_lines, "bytes": max_bytes})
    response.status_code = 413
    return response


@blueprint.route("/sightings", methods=["POST"])
def ingest_sightings():
    session = get_session()
    user, refusal = _authorised_user(session)
    if refusal is not None:
        return refusal
    max_lines = current_app.config["CASEAPP_SIGHTINGS_MAX_LINES"]
    max_bytes = current_app.config["CASEAPP_SIGHTINGS_MAX_BYTES"]
    if current_app.config.get("MAX_CONTENT_LENGTH"):
        max_bytes = min(max_bytes, current_app.config["MAX_CONTENT_LENGTH"])
    # Set before the stream is first touched: a declared Content-Length past it is refused
    # unread, and a chunked body is cut off there.
    request.max_content_length = max_bytes
    try:
        lines = body_lines(request.stream, max_bytes=max_bytes, max_lines=max_lines)
    except (TooLarge, RequestEntityTooLarge):
        return _too_large(max_bytes, max_lines)
    except InvalidInput as error:
        return _refuse(400, str(error))
    if jobs.broker_configured(current_app):
        return _queue_ingest(session, user, lines)
    store, engine = works_index.store_and_engine(current_app.config)
    with unit_of_work(session):
        works_index.index_in_step(session, store, engine)
        rows = list(services.ingest(session, store, engine, Actor(user.id, user.username), lines, base=None,
                                    min_score=current_app.config["CASEAPP_HIT_MIN_SCORE"],
                                    private_ok=current_app.config["CASEAPP_FETCH_PRIVATE"]))
    return jsonify(results=rows, summary=services.summarise(rows))


def _queue_ingest(session, user, lines):
    """The lines checked (each one's own error said now), a job made, its task queued: 202."""
    invalid = []
    for number, text in lines:
        if not text.strip():
            continue
        try:
            services.parse_sighting(text)
        except InvalidInput as error:
            invalid.append({"line": number, "status": "error", "error": f"line {number}: {error}"})
    total = sum(1 for _, text in lines if text.strip())
    job_id = jobs.start_job(current_app._get_current_object(), "hits.ingest", "hits.ingest_sightings", user.id,
                            user.username, [list(line) for line in lines], started_by=user.id, total=total,
                            session=session)
    location = url_for("hits_api.sighting_job", job_id=job_id)
    response = jsonify(job=job_id, state=jobs.QUEUED, lines=total, invalid=invalid, location=location)
    response.status_code = 202
    response.headers["Location"] = location
    return response


@blueprint.route("/sightings/jobs/<int:job_id>", methods=["GET"])
def sighting_job(job_id: int):
    """An ingest job of this token's user: its state and progress; when done, its per-line results
    and summary as the synchronous endpoint answers them. Another user's job is 404."""
    session = get_session()
    user, refusal = _authorised_user(session)
    if refusal is not None:
        return refusal
    job = session.get(jobs.Job, job_id, populate_existing=True)
    if job is None or job.kind != "hits.ingest" or job.started_by != user.id:
        return _refuse(404, f"No ingest job {job_id} of this token's user.")
    answer = {key: value for key, value in job.as_dict().items() if key != "result"}
    if job.state == jobs.DONE and job.result:
        answer.update(results=job.result.get("results", []), summary=job.result.get("summary", {}))
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(RequestEntityTooLarge)
def _request_too_large(_error):
    return _too_large(current_app.config["CASEAPP_SIGHTINGS_MAX_BYTES"],
                      current_app.config["CASEAPP_SIGHTINGS_MAX_LINES"])


def register(app) -> None:
    app.register_blueprint(blueprint)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(blueprint)   # machines authenticate with a token, not a session cookie
