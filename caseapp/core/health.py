"""GET /health: whether this web node can do its work, for a load balancer, a monitor and the
person restoring a backup (docs/operations.md). Open to anyone, so it says nothing secret: no
address, path, user name or error text (an error's text may quote a connection string), only
what is checked, whether it passed, and a fixed reason when not.

    {"status": "ok", "failing": [],
     "checks": {"database": {"ok": true, "revision": "f111c0a7e5d2", "head": "f111c0a7e5d2"},
                "file_store": {"ok": true},
                "broker": {"ok": true} | {"ok": true, "skipped": "CASEAPP_BROKER_URL is not set"},
                "matching_index": {"ok": true, "checkpoint": [12]}}}

200 when every check passes; 503 with "failing" naming the checks that did not."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, jsonify

blueprint = Blueprint("health", __name__)


def _connection():
    """The request's database connection (its session's: the pool's, as every page uses)."""
    from caseapp.extensions import get_session

    return get_session().connection()


def _database() -> dict:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from caseapp.core.schema import alembic_config

    try:
        connection = _connection()
        connection.execute(text("SELECT 1"))
        revision = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:   # noqa: BLE001 - any failure to reach it is the answer
        return {"ok": False, "reason": f"unreachable ({type(error).__name__})"}
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if revision != head:
        return {"ok": False, "revision": revision, "head": head,
                "reason": "the schema is not at the migrations' head: run `caseapp db upgrade`"}
    return {"ok": True, "revision": revision, "head": head}


def _file_store() -> dict:
    root = Path(current_app.config["CASEAPP_FILESTORE_PATH"])
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".health-") as probe:
            probe.write(b"ok")
            probe.flush()
    except OSError as error:
        return {"ok": False, "reason": f"not writable ({type(error).__name__})"}
    return {"ok": True}


def broker_url() -> str:
    return current_app.config.get("CASEAPP_BROKER_URL") or os.environ.get("CASEAPP_BROKER_URL", "")


def _broker() -> dict:
    url = broker_url()
    if not url:
        return {"ok": True, "skipped": "CASEAPP_BROKER_URL is not set"}
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:   # noqa: BLE001 - unreachable, refused, wrong password, not redis://
        return {"ok": False, "reason": f"no answer to a ping ({type(error).__name__})"}
    return {"ok": True}


def _matching_index() -> dict:
    """Every shard's index has a saved checkpoint (meta.json, written last by a save)."""
    import json

    from matching.shards import shard_folder

    path = Path(current_app.config["CASEAPP_MATCHING_PATH"])
    shards = int(current_app.config.get("CASEAPP_MATCHING_SHARDS", 1))
    folders = [path] if shards == 1 else [shard_folder(path, i) for i in range(shards)]
    checkpoints, missing = [], []
    for i, folder in enumerate(folders):
        try:
            checkpoints.append(int(json.loads((folder / "meta.json").read_text())["checkpoint"]))
        except (OSError, ValueError, KeyError, TypeError):
            missing.append(i)
    if missing:
        what = "no saved index" if shards == 1 else f"no saved index in shard(s) {', '.join(map(str, missing))}"
        return {"ok": False, "reason": f"{what}: run `caseapp works reindex`"}
    return {"ok": True, "checkpoint": checkpoints}


CHECKS = {"database": _database, "file_store": _file_store, "broker": _broker, "matching_index": _matching_index}


def report() -> tuple[dict, int]:
    checks = {name: check() for name, check in CHECKS.items()}
    failing = [name for name, result in checks.items() if not result["ok"]]
    return {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}, 503 if failing else 200


@blueprint.route("/health")
def health():
    body, status = report()
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app) -> None:
    app.register_blueprint(blueprint)
