"""A sighting's identity is its image AND its page: the same image on two pages is two
sightings (two uses, two claims), the same image on the same page again is one. And the
counts and thumbnails other domains ask the hits for."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest
from PIL import Image
from sqlalchemy import select

from caseapp.core.audit import Actor
from caseapp.core.filestore import FileStore
from caseapp.hits import services
from caseapp.hits.models import Sighting
from tests.clients.factories import make_client, make_work
from tests.hits.factories import make_hit

IMAGE = "https://cdn.example.com/photo.jpg"


def test_the_same_image_on_two_pages_is_two_sightings():
    first = services.sighting_key(IMAGE, "https://shop.example.com/a")
    second = services.sighting_key(IMAGE, "https://shop.example.com/b")
    assert first != second
    assert services.sighting_key(IMAGE, "https://shop.example.com/a") == first
    assert services.sighting_key("https://cdn.example.com/other.jpg", "https://shop.example.com/a") != first
    assert services.sighting_key("https://shop.example.com/a", IMAGE) != first   # image and page are not swapped


def test_a_sightings_key_is_the_one_stored_sightings_carry():
    """Keys already in the database (SHA-256 of image URL, newline, page URL) still recognise
    a sighting the crawler sends again."""
    assert services.sighting_key(IMAGE, "https://shop.example.com/a") == \
        hashlib.sha256(f"{IMAGE}\nhttps://shop.example.com/a".encode()).hexdigest()


@pytest.mark.parametrize("batch", [32, 1])
def test_ingest_makes_two_sightings_of_one_image_on_two_pages_and_one_of_a_repeat(db_session, tmp_path, batch):
    """A repeat moves its sighting's last day, whether it comes in the same batch of lines or a later one."""
    from matching import Engine

    Image.effect_mandelbrot((400, 300), (-2, -1.2, 1, 1.2), 100).convert("RGB").save(tmp_path / "ok.jpg")

    def line(page: str, found: str) -> str:
        return json.dumps({"image_url": IMAGE, "page_url": page, "found_at": found, "image_path": "ok.jpg"})

    lines = [line("https://two-pages.example.com/a", "2026-11-01T10:00:00Z"),
             line("https://two-pages.example.com/b", "2026-11-02T10:00:00Z"),
             line("https://two-pages.example.com/a", "2026-11-20T10:00:00Z")]
    rows = list(services.ingest(db_session, FileStore(tmp_path / "files"), Engine.open(tmp_path / "matching"),
                                Actor(None, "t"), list(enumerate(lines, start=1)), base=tmp_path, min_score=0.5,
                                batch=batch))
    assert [r["status"] for r in rows] == ["no_match", "no_match", "duplicate"]
    stored = db_session.execute(select(Sighting.page_url, Sighting.last_seen_at).where(Sighting.image_url == IMAGE)
                                .order_by(Sighting.page_url)).all()
    assert [(page, seen.day) for page, seen in stored] == [("https://two-pages.example.com/a", 20),
                                                           ("https://two-pages.example.com/b", 2)]


def test_hits_of_works_counts_each_works_hits(db_session):
    holder = make_client(db_session)
    busy, quiet, unseen = (make_work(db_session, holder) for _ in range(3))
    for _ in range(3):
        make_hit(db_session, busy, "count.example.com")
    make_hit(db_session, quiet, "count.example.com")
    assert services.hits_of_works(db_session, [busy.id, quiet.id, unseen.id, busy.id]) == {busy.id: 3, quiet.id: 1}
    assert services.hits_of_works(db_session, [quiet.id]) == {quiet.id: 1}
    assert services.hits_of_works(db_session, []) == {}


def test_a_sightings_thumbnail_by_its_page_and_image(db_session):
    work = make_work(db_session, make_client(db_session))
    make_hit(db_session, work, "thumbs.example.com", page_url="https://thumbs.example.com/p1",
                 image_url="https://thumbs.example.com/1.jpg")
    b = make_hit(db_session, work, "thumbs.example.com", page_url="https://thumbs.example.com/p1",
                 image_url="https://thumbs.example.com/2.jpg")
    make_hit(db_session, work, "thumbs.example.com", page_url="https://thumbs.example.com/p2")
    db_session.get(Sighting, b.sighting_id).thumbnail_sha256 = "b" * 64
    db_session.flush()
    found = services.sighting_thumbnails(db_session, ["https://thumbs.example.com/p1", "https://nowhere.example/"])
    assert found == {("https://thumbs.example.com/p1", "https://thumbs.example.com/1.jpg"): work.thumbnail_sha256,
                     ("https://thumbs.example.com/p1", "https://thumbs.example.com/2.jpg"): "b" * 64}
    assert services.sighting_thumbnails(db_session, []) == {}


def test_thumbnails_of_more_pages_than_one_query_takes(db_session):
    """1,001 pages asked at once (500 a query): the first, the 500th and 501st and the last are all found."""
    work = make_work(db_session, make_client(db_session))
    pages = [f"https://many.example.com/{n:04d}" for n in range(1001)]   # sorted as numbered
    for page in (pages[0], pages[499], pages[500], pages[1000]):
        make_hit(db_session, work, "many.example.com", page_url=page, image_url=page + ".jpg",
                 found_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    found = services.sighting_thumbnails(db_session, reversed(pages))
    assert sorted(found) == [(p, p + ".jpg") for p in (pages[0], pages[499], pages[500], pages[1000])]
