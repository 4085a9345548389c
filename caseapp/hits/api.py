"""The crawler's REST endpoint: sightings in, one result a line out, as `caseapp hits
ingest --json` prints them.

    POST /api/v1/sightings
    Authorization: Bearer cat_...            (caseapp tokens create --user crawler --name crawler)
    Content-Type: application/x-ndjson       (JSON Lines; a JSON array of objects also works)

    {"image_url": "...", "page_url": "...", "found_at": "2026-11-21T10:15:00Z"}

Images are fetched from image_url. At most MAX_LINES lines a request, so that a request
ends in reasonable time; send more in several requests."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from caseapp.core import tokens
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from caseapp.core.uow import unit_of_work
from caseapp.core.security import access_matrix_of
from caseapp.extensions import get_session
from caseapp.hits import HITS, services
from caseapp.clients import works_index

MAX_LINES = 500
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


def _lines(body: str) -> list[tuple[int, str]]:
    """Numbered JSON lines from a JSON Lines body, or from a JSON array (InvalidInput if broken)."""
    text = body.strip()
    if text.startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"The body is a JSON array but not valid JSON ({error.msg} at line {error.lineno}, "
                               f"column {error.colno}); send JSON Lines or a valid array.") from None
        return [(n, json.dumps(record)) for n, record in enumerate(records, start=1)]
    return list(enumerate(body.splitlines(), start=1))


@blueprint.route("/sightings", methods=["POST"])
def ingest_sightings():
    session = get_session()
    user, refusal = _authorised_user(session)
    if refusal is not None:
        return refusal
    try:
        lines = _lines(request.get_data(as_text=True))
    except InvalidInput as error:
        return _refuse(400, str(error))
    if sum(1 for _, text in lines if text.strip()) > MAX_LINES:
        return _refuse(413, f"At most {MAX_LINES} sightings a request; split the {len(lines)} lines "
                            "into several requests.")
    store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
    engine = works_index.engine_at(current_app.config["CASEAPP_MATCHING_PATH"])
    with unit_of_work(session):
        works_index.index_in_step(session, store, engine)
        rows = list(services.ingest(session, store, engine, Actor(user.id, user.username), lines, base=None,
                                    min_score=current_app.config["CASEAPP_HIT_MIN_SCORE"],
                                    private_ok=current_app.config["CASEAPP_FETCH_PRIVATE"]))
    return jsonify(results=rows, summary=services.summarise(rows))


def register(app) -> None:
    app.register_blueprint(blueprint)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(blueprint)   # machines authenticate with a token, not a session cookie
