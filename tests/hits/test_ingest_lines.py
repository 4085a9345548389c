"""Ingest line by line: blank lines anywhere, files no decoder should open."""
from __future__ import annotations

import io

from PIL import Image

from caseapp.core.audit import Actor
from caseapp.hits import services


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
