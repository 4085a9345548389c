"""`works import` and other commands that read files: a folder where a file is expected, an
unreadable file, a symbolic link that loops or leads nowhere are each that file's error;
the others are imported; and a rolled-back import leaves no orphan files in the store."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseapp.clients import works_index
from caseapp.clients.models import Work
from caseapp.core.audit import Actor
from caseapp.core.filestore import FileStore
from caseapp.core.uow import unit_of_work
from tests.clients.factories import make_client
from tests.matching.conftest import photo
from tests.test_cli import fresh_env, run  # noqa: F401  (fixture)

ACTOR = Actor.system("test")


def _stored(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


def _hostile_folder(folder: Path) -> Path:
    folder.mkdir()
    photo("coffee.png").save(folder / "a-good.jpg", quality=85)
    photo("chelsea.png").save(folder / "b-locked.jpg", quality=85)
    (folder / "c-loop.jpg").symlink_to("c-loop.jpg")
    (folder / "d-nowhere.jpg").symlink_to("missing.jpg")
    (folder / "e-folder.jpg").mkdir()
    (folder / "f-subfolder").mkdir()
    photo("astronaut.png").save(folder / "g-good.jpg", quality=85)
    return folder


def _lock(monkeypatch):
    """b-locked.jpg cannot be read (chmod 000; root reads anything, so the refusal is also simulated)."""
    real_open = open

    def guarded(file, *args, **kwargs):
        if str(file).endswith("b-locked.jpg"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)


def test_each_unreadable_entry_is_its_own_error_and_the_rest_is_imported(app, db_session, tmp_path, monkeypatch):
    folder = _hostile_folder(tmp_path / "works")
    (folder / "b-locked.jpg").chmod(0)
    _lock(monkeypatch)
    holder = make_client(db_session)
    store = FileStore(tmp_path / "files")
    engine = works_index.engine_at(str(tmp_path / "matching"))
    with unit_of_work(db_session):
        rows = {r["file"]: r for r in works_index.import_works(db_session, store, engine, ACTOR,
                                                              client_id=holder.id, folder=folder)}
    assert rows["a-good.jpg"]["status"] == rows["g-good.jpg"]["status"] == "imported"
    assert rows["b-locked.jpg"] == {"file": "b-locked.jpg", "work": None, "status": "error",
                                    "error": "b-locked.jpg cannot be read (permission denied)"}
    assert rows["c-loop.jpg"]["error"] == "c-loop.jpg is a symbolic link that loops"
    assert rows["d-nowhere.jpg"]["error"] == "d-nowhere.jpg does not exist (or is a symbolic link to nothing)"
    assert rows["e-folder.jpg"]["error"] == "e-folder.jpg is a folder, not a file"
    assert "f-subfolder" not in rows
    assert len(_stored(tmp_path / "files")) == 4   # two works, each a file and a thumbnail


def test_a_rolled_back_import_leaves_no_orphan_files(app, db_session, tmp_path):
    folder = _hostile_folder(tmp_path / "works")
    holder = make_client(db_session)
    store = FileStore(tmp_path / "files")
    engine = works_index.engine_at(str(tmp_path / "matching"))
    before = db_session.scalar(select(func.count()).select_from(Work))
    with pytest.raises(RuntimeError), unit_of_work(db_session):
        for row in works_index.import_works(db_session, store, engine, ACTOR, client_id=holder.id, folder=folder):
            if row["file"] == "g-good.jpg":
                raise RuntimeError("the machine stops half-way")
    assert _stored(tmp_path / "files") == set()
    assert db_session.scalar(select(func.count()).select_from(Work)) == before


def test_a_file_whose_savepoint_rolls_back_leaves_no_orphan_files(app, db_session, tmp_path, monkeypatch):
    """The work is stored and thumbnailed, then describing it fails: its savepoint rolls
    back, and so do its files; the other works and their files stay."""
    from matching import DecodeError

    folder = _hostile_folder(tmp_path / "works")
    holder = make_client(db_session)
    store = FileStore(tmp_path / "files")
    engine = works_index.engine_at(str(tmp_path / "matching"))
    real_index_work = works_index.index_work

    def index_work(session, store, engine, work):
        if work.title == "a-good":
            raise DecodeError("cannot describe it")
        return real_index_work(session, store, engine, work)

    monkeypatch.setattr(works_index, "index_work", index_work)
    with unit_of_work(db_session):
        rows = list(works_index.import_works(db_session, store, engine, ACTOR, client_id=holder.id, folder=folder))
    assert [r["status"] for r in rows if r["file"] in ("a-good.jpg", "g-good.jpg")] == ["error", "imported"]
    kept = db_session.scalars(select(Work).where(Work.client_id == holder.id)).all()
    assert _stored(tmp_path / "files") == {w.file_sha256 for w in kept} | {w.thumbnail_sha256 for w in kept}


def test_commands_that_read_files_say_why_they_cannot(fresh_env, tmp_path):  # noqa: F811
    run(fresh_env, "db", "upgrade")
    run(fresh_env, "demo", "--cases", "3", "--works", "2", "--hits", "0")
    folder = _hostile_folder(tmp_path / "works")
    out = run(fresh_env, "works", "import", str(folder), "--client", "1", "--json").stdout
    rows = {r["file"]: r for r in map(json.loads, out.splitlines()) if "file" in r}
    assert rows["c-loop.jpg"]["error"].endswith("is a symbolic link that loops")
    assert rows["e-folder.jpg"]["error"].endswith("is a folder, not a file")
    assert rows["a-good.jpg"]["status"] == "imported"
    assert json.loads(out.splitlines()[-1])["summary"]["imported"] == 3
    again = run(fresh_env, "works", "import", str(folder), "--client", "1", "--json").stdout
    rows = [json.loads(line) for line in again.splitlines()]
    assert {r["file"]: r["status"] for r in rows if r.get("work", 0) is None and "duplicate_of" in r} == {
        "a-good.jpg": "duplicate", "b-locked.jpg": "duplicate", "g-good.jpg": "duplicate"}
    assert rows[-1] == {"summary": {"files": 6, "imported": 0, "duplicates": 3, "errors": 3}}
    text = run(fresh_env, "works", "import", str(folder), "--client", "1")
    assert "a-good.jpg: duplicate of work" in text.stderr and "Imported 0 works; 3 duplicates" in text.stdout
    deleted = run(fresh_env, "works", "delete", str(rows[0]["duplicate_of"]), "--yes", "--json")
    assert json.loads(deleted.stdout)["deleted"] == [rows[0]["duplicate_of"]]
    for missing in (tmp_path / "nothing", folder / "a-good.jpg"):
        refused = run(fresh_env, "works", "import", str(missing), "--client", "1", check=False)
        assert refused.returncode == 2 and "Error: " in refused.stderr and "Traceback" not in refused.stderr

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "x.jsonl").mkdir()
    (crawl / "loop.jsonl").symlink_to("loop.jsonl")
    (crawl / "day.jsonl").write_text("{not json\n")
    result = run(fresh_env, "hits", "ingest", str(crawl), "--json", "--workers", "0")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    by_source = {r["source"]: r for r in rows if "source" in r}
    assert by_source["x.jsonl"]["error"] == "x.jsonl is a folder, not a file"
    assert by_source["loop.jsonl"]["error"] == "loop.jsonl is a symbolic link that loops"
    assert [r["error"] for r in rows if r.get("line") == 1] == ["line 1: not valid JSON (Expecting property name "
                                                                 "enclosed in double quotes at column 2)"]
    assert rows[-1]["summary"]["errors"] == 3
    single = run(fresh_env, "hits", "ingest", str(crawl / "x.jsonl"), check=False)
    assert single.returncode == 2
    assert single.stderr.strip() == "Error: x.jsonl is a folder with no *.jsonl files in it. Nothing was ingested."
    (crawl / "locked.jsonl").write_text("{}")
    (crawl / "locked.jsonl").chmod(0)
    if os.geteuid() != 0:   # root reads anything
        locked = run(fresh_env, "hits", "ingest", str(crawl / "locked.jsonl"), check=False)
        assert locked.stderr.strip() == "Error: locked.jsonl cannot be read (permission denied). Nothing was ingested."
    assert os.path.isdir(crawl / "x.jsonl")
