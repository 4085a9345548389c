"""GET /health (caseapp.core.health): open to anyone, 200 when the database, file store, broker
and matching index are all right, 503 naming what is not, and nothing secret either way."""
from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("CASEAPP_TEST_REDIS_URL")


@pytest.fixture()
def health(app, client_as, tmp_path, monkeypatch):
    """A function that GETs /health logged out with the app's settings changed by `settings`."""
    from matching import Engine

    index = tmp_path / "matching"
    Engine.open(index).save()   # an empty index, saved: checkpoint 1
    base = {"CASEAPP_MATCHING_PATH": str(index), "CASEAPP_MATCHING_SHARDS": 1,
            "CASEAPP_FILESTORE_PATH": str(tmp_path / "files"), "CASEAPP_BROKER_URL": ""}
    monkeypatch.delenv("CASEAPP_BROKER_URL", raising=False)
    anonymous = client_as(None)

    def get(**settings):
        for key, value in {**base, **settings}.items():
            monkeypatch.setitem(app.config, key, value)
        answer = anonymous.get("/health")
        assert answer.mimetype == "application/json" and answer.headers["Cache-Control"] == "no-store"
        return answer

    return get


def test_all_good_is_200_for_anyone(health):
    from caseapp.core.schema import MIGRATIONS

    answer = health()
    body = answer.get_json()
    assert answer.status_code == 200 and body["status"] == "ok" and body["failing"] == [], body
    checks = body["checks"]
    assert set(checks) == {"database", "file_store", "broker", "matching_index"}
    heads = [p.stem for p in (MIGRATIONS / "versions").glob("*.py")]
    assert checks["database"]["ok"] and checks["database"]["revision"] == checks["database"]["head"]
    assert any(checks["database"]["head"] in name for name in heads)
    assert checks["file_store"] == {"ok": True}
    assert checks["broker"] == {"ok": True, "skipped": "CASEAPP_BROKER_URL is not set"}
    assert checks["matching_index"] == {"ok": True, "checkpoint": [1]}


def test_each_failure_is_named_with_503_and_nothing_secret(app, health, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    secret = "redis://:s3cret-pass@127.0.0.1:1/0"
    answer = health(CASEAPP_FILESTORE_PATH=str(not_a_folder / "files"), CASEAPP_BROKER_URL=secret,
                    CASEAPP_MATCHING_PATH=str(tmp_path / "no-index"))
    body = answer.get_json()
    assert answer.status_code == 503 and body["status"] == "failing"
    assert body["failing"] == ["file_store", "broker", "matching_index"]
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["broker"]["reason"].startswith("no answer to a ping")
    assert body["checks"]["matching_index"]["reason"].startswith("no saved index")
    text = answer.get_data(as_text=True)
    for secret_part in ("s3cret", str(tmp_path), app.config["SQLALCHEMY_DATABASE_URI"], "127.0.0.1"):
        assert secret_part not in text


def test_a_database_behind_the_migrations_is_503(health, monkeypatch):
    from alembic.migration import MigrationContext

    monkeypatch.setattr(MigrationContext, "get_current_revision", lambda self: "0000000old00")
    body = health().get_json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["revision"] == "0000000old00" and "caseapp db upgrade" in body["checks"]["database"]["reason"]


def test_an_unreachable_database_is_503(health, monkeypatch):
    from caseapp.core import health as module

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("could not connect to postgresql://caseapp:pw@db/caseapp")

    monkeypatch.setattr(module, "_connection", refuse)
    answer = health()
    assert answer.status_code == 503 and answer.get_json()["failing"] == ["database"]
    assert answer.get_json()["checks"]["database"] == {"ok": False, "reason": "unreachable (ConnectionRefusedError)"}
    assert "pw@" not in answer.get_data(as_text=True)


def test_shards_each_need_a_checkpoint(health, tmp_path):
    from matching.shards import ShardedEngine

    engine = ShardedEngine.open(tmp_path / "sharded", 3)
    engine.engines[0].save()
    engine.engines[2].save()
    body = health(CASEAPP_MATCHING_PATH=str(tmp_path / "sharded"), CASEAPP_MATCHING_SHARDS=3).get_json()
    assert body["failing"] == ["matching_index"] and "shard(s) 1" in body["checks"]["matching_index"]["reason"]
    engine.save()
    body = health(CASEAPP_MATCHING_PATH=str(tmp_path / "sharded"), CASEAPP_MATCHING_SHARDS=3).get_json()
    assert body["failing"] == [] and body["checks"]["matching_index"]["checkpoint"] == [2, 1, 2]


@pytest.mark.skipif(not REDIS_URL and not os.environ.get("CI"), reason="needs CASEAPP_TEST_REDIS_URL (a Redis to ping)")
def test_a_reachable_broker_is_pinged(health):
    body = health(CASEAPP_BROKER_URL=REDIS_URL).get_json()
    assert body["failing"] == [] and body["checks"]["broker"] == {"ok": True}
