"""Works in bulk, with real image files: EXIF read (GPS never kept nor shown), duplicates
within a client (same bytes, resized and recompressed; burst-like shots and other clients'
images are not), a truncated file is one error and leaves nothing behind, the upload page
runs the same import, and bulk edit and delete (out of the index; kept while a case names it)."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from caseapp.cases.models import CaseItem
from caseapp.clients import services, works_index
from caseapp.clients.models import Work
from caseapp.core.audit import Actor
from caseapp.core.errors import NotFound
from caseapp.core.filestore import FileStore
from caseapp.core.uow import unit_of_work
from tests.clients.factories import make_client
from tests.matching.conftest import photo

ACTOR = Actor.system("test")
GPS = (52.0, 31.0, 12.5)


def jpeg(image: Image.Image, quality: int = 90, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS R5"
    exif[0x013B], exif[0x8298] = "Ada Lovelace", "(c) 2024 Ada Lovelace"
    exif.get_ifd(0x8769)[0x9003] = "2024:05:17 14:03:09"
    exif[0x0132] = "2025:01:01 00:00:00"          # the file's change time: DateTimeOriginal wins
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", GPS, "E", (13.0, 24.0, 1.5)
    return exif


def shifted(image: Image.Image, share: float) -> Image.Image:
    dx, dy = round(image.width * share), round(image.height * share)
    return image.crop((dx, dy, image.width, image.height)).resize(image.size)


@pytest.fixture()
def tools(app, tmp_path):
    return FileStore(tmp_path / "files"), works_index.engine_at(str(tmp_path / "matching"))


def _stored(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


def _import(session, tools, holder, files) -> dict[str, dict]:
    store, engine = tools
    with unit_of_work(session):
        rows = list(works_index.import_files(session, store, engine, ACTOR, client_id=holder.id, files=files))
    return {row["file"]: row for row in rows}


def test_exif_is_kept_gps_is_not_and_the_file_stays_byte_identical(app, db_session, tools, client_as):
    holder = make_client(db_session)
    data = jpeg(photo("coffee.png"), exif=exif_with_gps())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)   # the test file does carry GPS
    row = _import(db_session, tools, holder, [("coffee.jpg", data)])["coffee.jpg"]
    work = db_session.get(Work, row["work"])
    assert (work.camera, work.artist, work.copyright_notice) == ("Canon EOS R5", "Ada Lovelace",
                                                                "(c) 2024 Ada Lovelace")
    assert work.captured_at == datetime(2024, 5, 17, 14, 3, 9, tzinfo=timezone.utc)
    assert work.file_size == len(data) and len(work.phash) == 16
    assert tools[0].read(work.file_sha256) == data          # the client's original, as sent
    # every stored value but the times (the row's own timestamps can read "…:31.069…")
    values = " ".join(str(v) for v in (getattr(work, c.key) for c in Work.__table__.columns)
                      if not isinstance(v, datetime))
    assert "52.0" not in values and "31.0" not in values and "GPS" not in values
    page = client_as("handler").get(f"/works/show/{work.id}").get_data(as_text=True)
    assert "GPS" not in page and "52.0" not in page and "31, 12.5" not in page


@pytest.mark.parametrize("value, expected", [
    ("2024:05:17 14:03:09", datetime(2024, 5, 17, 14, 3, 9, tzinfo=timezone.utc)),
    ("2024-05-17T14:03:09", datetime(2024, 5, 17, 14, 3, 9, tzinfo=timezone.utc)),
    ("0000:00:00 00:00:00", None), ("2024:02:30 10:00:00", None), ("1850:01:01 00:00:00", None),
    ("2201:01:01 00:00:00", None), ("    :  :     :  :  ", None), (b"2024:05:17 14:03:09\x00", datetime(
        2024, 5, 17, 14, 3, 9, tzinfo=timezone.utc)), (None, None), (12, None)])
def test_capture_times_outside_reason_are_ignored(value, expected):
    from caseapp.clients.exif import capture_time

    assert capture_time(value) == expected


def test_the_same_image_again_is_a_duplicate_and_similar_images_are_not(app, db_session, tools):
    holder = make_client(db_session)
    coffee = photo("coffee.png")
    first = _import(db_session, tools, holder, [("coffee.jpg", jpeg(coffee, 92))])["coffee.jpg"]
    small = coffee.resize((coffee.width // 3, coffee.height // 3), Image.Resampling.LANCZOS)
    rows = _import(db_session, tools, holder, [
        ("again.jpg", jpeg(coffee, 92)),                       # the same bytes
        ("small.jpg", jpeg(small, 55)),                        # resized to a third, recompressed
        ("chelsea.jpg", jpeg(photo("chelsea.png"))),           # another photograph
        ("burst.jpg", jpeg(shifted(coffee, 0.03))),            # a frame taken a moment later (3% shift)
        ("left.png", _png(photo("motorcycle_left.png"))),      # a stereo pair: 64-bit hashes 4 bits apart
        ("right.png", _png(photo("motorcycle_right.png"))),
    ])
    for name in ("again.jpg", "small.jpg"):
        assert rows[name] == {"file": name, "work": None, "status": "duplicate", "duplicate_of": first["work"],
                              "duplicate_title": "coffee"}
    for name in ("chelsea.jpg", "burst.jpg", "left.png", "right.png"):
        assert rows[name]["status"] == "imported", rows[name]
    left, right = (db_session.get(Work, rows[n]["work"]) for n in ("left.png", "right.png"))
    assert (int(left.phash, 16) ^ int(right.phash, 16)).bit_count() <= services.DUPLICATE_BITS   # both sides
    assert db_session.scalar(select(Work.id).where(Work.title == "again")) is None


def test_another_clients_identical_image_is_not_a_duplicate(app, db_session, tools):
    one, other = make_client(db_session), make_client(db_session)
    data = jpeg(photo("astronaut.png"))
    assert _import(db_session, tools, one, [("a.jpg", data)])["a.jpg"]["status"] == "imported"
    assert _import(db_session, tools, other, [("a.jpg", data)])["a.jpg"]["status"] == "imported"


def test_older_works_get_their_hash_when_their_client_imports_again(app, db_session, tools):
    holder = make_client(db_session)
    data = jpeg(photo("rocket.jpg"))
    work_id = _import(db_session, tools, holder, [("rocket.jpg", data)])["rocket.jpg"]["work"]
    db_session.execute(Work.__table__.update().where(Work.id == work_id).values(phash=None))
    row = _import(db_session, tools, holder, [("rocket-2.jpg", jpeg(photo("rocket.jpg"), 70))])["rocket-2.jpg"]
    assert row["duplicate_of"] == work_id
    db_session.expire_all()
    assert db_session.get(Work, work_id).phash


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_truncated_file_is_one_error_and_leaves_nothing_behind(app, db_session, tools, tmp_path):
    holder = make_client(db_session)
    good, png = jpeg(photo("coffee.png")), _png(photo("chelsea.png"))
    before = db_session.scalar(select(Work.id).order_by(Work.id.desc()).limit(1))
    rows = _import(db_session, tools, holder, [
        ("a.jpg", good), ("cut.jpg", jpeg(photo("astronaut.png"))[:20000]), ("cut.png", png[:len(png) // 2]),
        ("notes.txt", b"hello"), ("b.png", _png(photo("rocket.jpg")))])
    assert [rows[n]["status"] for n in ("a.jpg", "cut.jpg", "cut.png", "notes.txt", "b.png")] == [
        "imported", "error", "error", "error", "imported"]
    assert "truncated" in rows["cut.jpg"]["error"] and rows["cut.jpg"]["work"] is None
    assert "cut.png" in rows["cut.png"]["error"]
    assert "not an image file by its name" in rows["notes.txt"]["error"]
    added = db_session.scalars(select(Work).where(Work.id > (before or 0))).all()
    assert sorted(w.title for w in added) == ["a", "b"]
    assert _stored(tmp_path / "files") == {w.file_sha256 for w in added} | {w.thumbnail_sha256 for w in added}
    assert tools[1].ref_ids() >= {str(w.id) for w in added}


def test_the_upload_page_runs_the_same_import(app, db_session, client_as, users):
    holder = make_client(db_session)
    db_session.commit()
    page = client_as("handler").get(f"/clients/{holder.id}/works/upload")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="ca-upload-input"' in html and "caseapp/upload.js" in html and "<script>" not in html
    answer = client_as("accountant").post(
        f"/clients/{holder.id}/works/upload", headers={"Accept": "application/json"},
        data={"files": [(io.BytesIO(jpeg(photo("coffee.png"))), "coffee.jpg"),
                        (io.BytesIO(jpeg(photo("coffee.png"))), "../../again.jpg"),
                        (io.BytesIO(b"\xff\xd8broken"), "broken.jpg")]},
        content_type="multipart/form-data")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    rows = answer.get_json()["rows"]
    assert [(r["file"], r["status"]) for r in rows] == [("coffee.jpg", "imported"), ("again.jpg", "duplicate"),
                                                         ("broken.jpg", "error")]
    assert rows[1]["duplicate_of"] == rows[0]["work"]
    assert answer.get_json()["summary"] == {"files": 3, "imported": 1, "duplicates": 1, "errors": 1}
    refused = client_as("lawyer").post(f"/clients/{holder.id}/works/upload",
                                       data={"files": [(io.BytesIO(jpeg(photo("chelsea.png"))), "c.jpg")]},
                                       content_type="multipart/form-data")
    assert refused.status_code == 403   # the refusal, not a redirect after an upload
    assert db_session.scalar(select(Work.id).where(Work.title == "c")) is None
    assert client_as("handler").post(f"/clients/999999/works/upload",
                                     data={"files": [(io.BytesIO(b"x"), "x.jpg")]},
                                     content_type="multipart/form-data").status_code == 409


def test_bulk_delete_takes_works_out_of_the_index_and_keeps_those_cases_name(app, db_session, tools, tmp_path):
    from caseapp.cases.models import Case

    store, engine = tools
    holder = make_client(db_session)
    rows = _import(db_session, tools, holder, [("a.jpg", jpeg(photo("coffee.png"))),
                                               ("b.jpg", jpeg(photo("chelsea.png")))])
    engine.save()
    ids = [rows["a.jpg"]["work"], rows["b.jpg"]["work"]]
    used = db_session.scalar(select(CaseItem.work_id).limit(1))
    ref = db_session.scalar(select(Case.ref).join(CaseItem, CaseItem.case_id == Case.id)
                            .where(CaseItem.work_id == used).limit(1))
    assert engine.search(photo("coffee.png"), 3)[0].ref_id == str(ids[0])
    with unit_of_work(db_session):
        result = services.delete_works(db_session, ACTOR, [*ids, used])
    works_index.unindex_works(engine, result.deleted)
    with unit_of_work(db_session):
        services.discard_work_files(db_session, store, result.files)
    assert result.deleted == ids and set(result.kept) == {used} and ref in result.kept[used]
    assert ref in result.message()
    assert db_session.get(Work, used) is not None and db_session.get(Work, ids[0]) is None
    assert not {str(i) for i in ids} & engine.ref_ids()
    assert all(m.ref_id not in {str(i) for i in ids} for m in engine.search(photo("coffee.png"), 3))
    assert _stored(tmp_path / "files") == set()
    with pytest.raises(NotFound):
        services.delete_works(db_session, ACTOR, [999999])


def test_bulk_retitle_and_the_list_pages_delete_action(app, db_session, tools, client_as):
    holder = make_client(db_session)
    rows = _import(db_session, tools, holder, [("a.jpg", jpeg(photo("coffee.png"))),
                                               ("b.jpg", jpeg(photo("chelsea.png")))])
    ids = [rows["a.jpg"]["work"], rows["b.jpg"]["work"]]
    with unit_of_work(db_session):
        assert services.retitle_works(db_session, ACTOR, ids, title="Alps 2024 – ", mode="prefix") == ids
    assert db_session.get(Work, ids[0]).title == "Alps 2024 – a"
    db_session.commit()
    handler = client_as("handler").post("/works/action_post", data={"action": "delete_selected",
                                                                   "rowid": [str(i) for i in ids]})
    assert handler.status_code == 302 and db_session.get(Work, ids[0]) is not None
    done = client_as("accountant").post("/works/action_post", data={"action": "delete_selected",
                                                                   "rowid": [str(ids[1])]})
    assert done.status_code == 302
    db_session.expire_all()
    assert db_session.get(Work, ids[1]) is None and db_session.get(Work, ids[0]) is not None


def test_a_person_can_keep_near_duplicates_but_never_the_same_file(app, db_session, tools):
    """Two different pictures can look alike to the hash (e.g. synthetic stripes of two widths);
    the person who knows says so, and only the very same file is still refused."""
    holder = make_client(db_session)
    coffee = photo("coffee.png")
    first = _import(db_session, tools, holder, [("coffee.jpg", jpeg(coffee, 92))])["coffee.jpg"]
    small = jpeg(coffee.resize((coffee.width // 3, coffee.height // 3), Image.Resampling.LANCZOS), 55)
    store, engine = tools
    with unit_of_work(db_session):
        rows = {r["file"]: r for r in works_index.import_files(
            db_session, store, engine, ACTOR, client_id=holder.id, keep_near_duplicates=True,
            files=[("small.jpg", small), ("again.jpg", jpeg(coffee, 92))])}
    assert rows["small.jpg"]["status"] == "imported"
    assert rows["again.jpg"]["status"] == "duplicate" and rows["again.jpg"]["duplicate_of"] == first["work"]
