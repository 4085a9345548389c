"""Back up and restore as docs/operations.md says: scripts/backup.sh (pg_dump -Fc, the file store,
the matching index) of a demo database, scripts/restore.sh (pg_restore into a fresh database,
the folders, `caseapp db upgrade`) into another, and the app on it finds the same cases,
clients, ledger entries, audit rows and files, and says so on /health. PostgreSQL only."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, TODAY, _postgres_database

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"

pytestmark = pytest.mark.skipif(not PG_URL and not os.environ.get("CI"),
                                reason="needs PostgreSQL: set CASEAPP_TEST_DATABASE_URL")

# What must come back, by table: counted, and these columns of the first rows compared.
COMPARED = {
    "case": "id, ref, stage, client_id, claimed_minor, version",
    "client": "id, name, version",
    "ledger_entry": "*",
    "ledger_transaction": "*",
    "audit_event": "*",
    "work": "id, client_id, file_sha256, title",
    "ab_user": "id, username, password",
}


def snapshot(url: str) -> dict:
    engine = create_engine(url)
    out = {}
    with engine.connect() as connection:
        for table, columns in COMPARED.items():
            count = connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            rows = connection.execute(text(f'SELECT {columns} FROM "{table}" ORDER BY id LIMIT 25')).all()
            last = connection.execute(text(f'SELECT {columns} FROM "{table}" ORDER BY id DESC LIMIT 5')).all()
            out[table] = (count, [tuple(r) for r in rows], [tuple(r) for r in last])
        # where the ids go on: a restored sequence that started over would collide with old rows
        sequence = connection.execute(text("SELECT pg_get_serial_sequence('\"case\"', 'id')")).scalar_one()
        out["sequence"] = tuple(connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one())
    engine.dispose()
    return out


def tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".health-")}


def the_tools_match_the_server() -> None:
    """pg_dump and pg_restore from the PATH are the server's major version (the doc says so)."""
    engine = create_engine(PG_URL)
    with engine.connect() as connection:
        server = connection.execute(text("SHOW server_version_num")).scalar_one()
    engine.dispose()
    for tool in ("pg_dump", "pg_restore"):
        version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
        major = re.search(r"\) (\d+)", version).group(1)
        assert int(major) == int(server) // 10000, f"{tool} {version.strip()} against server {server}"


def script_env(url: str, folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_")}
    env.update(CASEAPP_DATABASE_URL=url, CASEAPP_INSTANCE_PATH=str(folder),
               CASEAPP_FILESTORE_PATH=str(folder / "files"), CASEAPP_MATCHING_PATH=str(folder / "matching"),
               CASEAPP_COMMAND=f"{sys.executable} -m caseapp.cli")
    return env


def run(script: str, argument: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(["sh", str(SCRIPTS / script), str(argument)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{script}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture()
def two_databases():
    first, drop_first = _postgres_database()
    second, drop_second = _postgres_database()
    yield first, second
    drop_first()
    drop_second()


def test_backup_then_restore_into_a_fresh_database(two_databases, tmp_path):
    from caseapp import create_app
    from caseapp.clients.works_index import ensure_saved, store_and_engine
    from caseapp.demo.setup import build_demo_database

    the_tools_match_the_server()
    source_url, target_url = two_databases
    source = tmp_path / "source"
    app = create_app({"SQLALCHEMY_DATABASE_URI": source_url, "CASEAPP_INSTANCE_PATH": str(source),
                      "CASEAPP_FILESTORE_PATH": str(source / "files"),
                      "CASEAPP_MATCHING_PATH": str(source / "matching"), "SECRET_KEY": "tests"})
    build_demo_database(app, cases=25, works=4, today=TODAY)
    with app.app_context():
        ensure_saved(store_and_engine(app.config)[1])
    before = snapshot(source_url)
    assert all(before[t][0] > 0 for t in COMPARED), {t: before[t][0] for t in COMPARED}
    files = tree(source / "files")
    assert files, "the demo stored no files"

    backup = tmp_path / "backup"
    run("backup.sh", backup, script_env(source_url, source))
    assert (backup / "caseapp.dump").read_bytes()[:5] == b"PGDMP"   # pg_dump's custom format
    assert tree(backup / "files") == files

    target = tmp_path / "target"
    restored = run("restore.sh", backup, script_env(target_url, target))
    assert "restored from" in restored.stdout

    after = snapshot(target_url)
    assert after == before
    assert tree(target / "files") == files
    assert tree(target / "matching") == tree(source / "matching")

    restored_app = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "CASEAPP_INSTANCE_PATH": str(target),
                               "CASEAPP_FILESTORE_PATH": str(target / "files"),
                               "CASEAPP_MATCHING_PATH": str(target / "matching"), "SECRET_KEY": "tests",
                               "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = restored_app.test_client()
    health = client.get("/health")
    assert health.status_code == 200, health.get_json()
    from caseapp.demo.setup import demo_password

    login = client.post("/login/", data={"username": "handler", "password": demo_password("handler")})
    assert login.status_code == 302 and "/login" not in login.headers["Location"]   # the password hashes came back
    with restored_app.app_context():
        from sqlalchemy import select

        from caseapp.cases.models import Case
        from caseapp.extensions import get_session

        case = get_session().scalars(select(Case).order_by(Case.id).limit(1)).one()
        reference = case.ref
    page = client.get(f"/cases/{reference}")
    assert page.status_code == 200 and reference in page.get_data(as_text=True)


def test_restore_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "caseapp.dump").write_bytes(b"PGDMP")
    (tmp_path / "target" / "files").mkdir(parents=True)
    (tmp_path / "target" / "files" / "x").write_text("x")
    env = script_env("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "target")
    done = subprocess.run(["sh", str(SCRIPTS / "restore.sh"), str(tmp_path / "backup")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "is not empty" in done.stderr


def test_backup_refuses_an_existing_folder_and_sqlite(tmp_path):
    (tmp_path / "exists").mkdir()
    env = script_env("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)
    done = subprocess.run(["sh", str(SCRIPTS / "backup.sh"), str(tmp_path / "exists")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "exists already" in done.stderr
    env = script_env(f"sqlite:///{tmp_path}/x.db", tmp_path)
    done = subprocess.run(["sh", str(SCRIPTS / "backup.sh"), str(tmp_path / "new")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "not a PostgreSQL database" in done.stderr
