"""Ingest line by line: blank lines anywhere, files no decoder should open."""
from __future__ import annotations

import io
import json

from PIL import Image
from sqlalchemy import func, select

from caseapp.core.audit import Actor
from caseapp.core.filestore import FileStore
from caseapp.hits import services
from caseapp.hits.models import Sighting


def test_blank_lines_never_end_the_run(db_session, tmp_path):
    lines = [(n, "\n") for n in range(1, 41)] + [(41, "{not json"), (42, ""), (43, "[1]")]
    rows = list(services.ingest(db_session, None, None, Actor(None, "t"), lines, base=tmp_path, min_score=0.5))
    assert [(r["line"], r["status"]) for r in rows] == [(41, "error"), (43, "error")]


def test_a_decompression_bomb_is_one_lines_error(tmp_path):
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    path = tmp_path / "bomb.png"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size < 100_000
    result = services.describe_image((str(path), "https://x.example.com/bomb.png", False))
    assert isinstance(result, str) and result.startswith("the image is not readable")


def _line(**fields) -> str:
    record = {"image_url": "https://x.example.com/a.jpg", "page_url": "https://x.example.com/",
              "found_at": "2026-11-20T10:00:00Z", "image_path": "ok.jpg", **fields}
    return json.dumps(record)


# Each line is bad in its own way; each must end as that line's error naming what is wrong.
HOSTILE = {
    "nested array": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "nested object": ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    "number url": (_line(image_url=5), "image_url must be an http(s) address"),
    "list url": (_line(page_url=["https://x.example.com/"]), "page_url must be an http(s) address"),
    "huge integer": (_line()[:-1] + ', "n": 1' + "0" * 5000 + "}", "number"),
    "huge float": (_line(found_at=1e308)[:-1].replace("1e+308", "1e999") + "}", "found_at"),
    "number date": (_line(found_at=20261120), "found_at must be a date"),
    "unicode digits": (_line(found_at="２０２６-11-20T10:00:00Z"), "found_at must be a date"),
    "year 9999": (_line(found_at="9999-12-31T23:59:59-05:00"), "found_at must be between"),
    "year 1": (_line(found_at="0001-01-01T00:00:00+05:00"), "found_at must be between"),
    "broken ipv6": (_line(image_url="http://[::1/a.jpg"), "image_url"),
    "unicode port": (_line(image_url="http://x.example.com:٨٠/a.jpg"), "image_url"),
    "long host": (_line(page_url=f"https://{'a' * 300}.example.com/"), "page_url"),
    "control character": (_line(page_url="https://x.example.com/\n/a"), "page_url"),
    "lone surrogate": ('{"image_url": "https://x.example.com/\\ud800", "page_url": "https://x.example.com/", '
                       '"found_at": "2026-11-20T10:00:00Z", "image_path": "ok.jpg"}', "image_url"),
    "nul in path": (_line(image_path="ok\u0000.jpg"), "image_path"),
    "number path": (_line(image_path=7), "image_path"),
}


def test_every_kind_of_bad_line_is_that_lines_error_and_the_others_go_through(db_session, tmp_path):
    from matching import Engine

    Image.effect_mandelbrot((400, 300), (-2, -1.2, 1, 1.2), 100).convert("RGB").save(tmp_path / "ok.jpg")
    Image.effect_mandelbrot((400, 300), (-1, -1.2, 1, 1.2), 60).convert("RGB").save(tmp_path / "ok2.jpg")
    lines = []
    for kind, (text, _) in HOSTILE.items():
        lines.append(text)
        lines.append(_line(page_url=f"https://good.example.com/{len(lines)}"))   # a good line after each
    rows = list(services.ingest(db_session, FileStore(tmp_path / "files"), Engine.open(tmp_path / "matching"),
                                Actor(None, "t"), list(enumerate(lines, start=1)), base=tmp_path, min_score=0.5))
    assert len(rows) == len(lines)
    for (kind, (_, expected)), bad, good in zip(HOSTILE.items(), rows[::2], rows[1::2]):
        assert bad["status"] == "error", (kind, bad)
        assert expected in bad["error"], (kind, bad["error"])
        assert good["status"] == "no_match", (kind, good)
    assert db_session.scalar(select(func.count()).select_from(Sighting)
                             .where(Sighting.page_url.like("https://good.example.com/%"))) == len(HOSTILE)


def test_a_line_that_fails_while_written_is_that_lines_error(db_session, tmp_path, monkeypatch):
    from matching import Engine

    from caseapp.hits import ingest

    Image.effect_mandelbrot((400, 300), (-2, -1.2, 1, 1.2), 100).convert("RGB").save(tmp_path / "ok.jpg")
    real_site_of = ingest.site_of

    def site_of(url):
        if "bad" in url:
            raise ValueError("a site no one can name")
        return real_site_of(url)

    monkeypatch.setattr(ingest, "site_of", site_of)
    lines = [_line(page_url="https://bad.example.com/"), _line(page_url="https://good.example.com/")]
    rows = list(services.ingest(db_session, FileStore(tmp_path / "files"), Engine.open(tmp_path / "matching"),
                                Actor(None, "t"), list(enumerate(lines, start=1)), base=tmp_path, min_score=0.5))
    assert rows[0]["status"] == "error" and "a site no one can name" in rows[0]["error"]
    assert rows[1]["status"] == "no_match"


def test_an_image_past_the_decoding_budget_is_one_lines_error(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (8000, 7000), "white").save(path)
    result = services.describe_image((str(path), "https://x.example.com/big.png", False))
    assert isinstance(result, str) and "MB to decode, over the 192 MB limit" in result


def test_an_image_path_outside_the_files_folder_is_refused(db_session, tmp_path):
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    secret = tmp_path / "secret.png"
    Image.new("RGB", (64, 64), "red").save(secret)
    (crawl / "link.png").symlink_to(secret)
    lines = [(1, _line(image_path="../secret.png")), (2, _line(image_path=str(secret))),
             (3, _line(image_path="link.png"))]
    rows = list(services.ingest(db_session, None, None, Actor(None, "t"), lines, base=crawl, min_score=0.5))
    assert [r["status"] for r in rows] == ["error"] * 3
    assert all("leads outside the folder of its file" in r["error"] for r in rows)
    assert db_session.scalar(select(func.count()).select_from(Sighting)) == 0
