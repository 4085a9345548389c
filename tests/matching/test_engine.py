"""The engine's API and command line: index, remove, save and load, bad files."""
from __future__ import annotations

import json
import subprocess
import sys
import zlib
import struct

import pytest
from PIL import Image

from matching import DecodeError, Engine, signature, signature_bytes, signature_from_bytes
from tests.matching import transforms
from tests.matching.conftest import REFERENCES, photo


def test_save_load_round_trip(engine, tmp_path):
    copy = transforms.crop(photo("rocket.jpg"), 0.6)
    before = engine.search(copy, k=3)
    again = Engine.open(engine.path)
    assert len(again) == len(REFERENCES)
    assert again.search(copy, k=3) == before
    assert before[0].ref_id == "rocket.jpg" and before[0].match


def test_remove(tmp_path):
    engine = Engine.open(tmp_path / "index")
    for name in ("astronaut.png", "coffee.png", "rocket.jpg"):
        engine.add(name, photo(name))
    engine.save()
    assert engine.search(photo("coffee.png"))[0].ref_id == "coffee.png"
    assert engine.remove("coffee.png") and not engine.remove("coffee.png")
    assert all(m.ref_id != "coffee.png" for m in engine.search(photo("coffee.png")))
    engine.save()
    assert all(m.ref_id != "coffee.png" for m in Engine.open(tmp_path / "index").search(photo("coffee.png")))


def test_signatures_rebuild_an_index_without_images(tmp_path):
    stored = {name: signature_bytes(signature(photo(name))) for name in ("chelsea.png", "brick.png")}
    engine = Engine.open(tmp_path / "from-signatures")
    for name, data in stored.items():
        engine.add(name, signature_from_bytes(data))
    best = engine.search(transforms.rotate(photo("chelsea.png")))[0]
    assert best.ref_id == "chelsea.png" and best.match


def test_a_reader_swaps_in_a_newer_index(tmp_path):
    writer = Engine.open(tmp_path / "shared")
    writer.add("astronaut.png", photo("astronaut.png"))
    writer.save()
    reader = Engine.open(tmp_path / "shared")
    assert not reader.reload_if_changed()
    writer.add("coffee.png", photo("coffee.png"))
    writer.save()
    assert reader.search(photo("coffee.png"), k=1) == [] or not reader.search(photo("coffee.png"))[0].match
    assert reader.reload_if_changed() and reader.checkpoint == writer.checkpoint
    assert reader.search(photo("coffee.png"))[0].ref_id == "coffee.png"


def test_bulk_build_and_one_by_one_adds_give_the_same_answers(tmp_path):
    from matching.index import Index

    names = ("astronaut.png", "coffee.png", "rocket.jpg", "chelsea.png")
    sigs = {name: signature(photo(name)) for name in names}
    Index.build(tmp_path / "bulk", [list(sigs.items())[:2], list(sigs.items())[2:]])
    bulk = Engine.open(tmp_path / "bulk")
    one_by_one = Engine.open(tmp_path / "one")
    for name, sig in sigs.items():
        one_by_one.add(name, sig)
    copy = transforms.rotate(photo("coffee.png"))
    assert bulk.search(copy) == one_by_one.search(copy)
    assert bulk.search(copy)[0].ref_id == "coffee.png"


def test_references_added_after_a_save_are_found_before_and_after_the_next(tmp_path):
    engine = Engine.open(tmp_path / "index")
    engine.add_many((name, photo(name)) for name in ("astronaut.png", "rocket.jpg"))
    engine.save()
    engine = Engine.open(tmp_path / "index")
    engine.add("chelsea.png", photo("chelsea.png"))          # not saved yet: searched from memory
    assert engine.search(transforms.crop(photo("chelsea.png"), 0.7))[0].ref_id == "chelsea.png"
    engine.remove("astronaut.png")
    engine.save()                                             # appended to the same features file
    again = Engine.open(tmp_path / "index")
    assert len(again) == 2
    assert again.search(transforms.crop(photo("chelsea.png"), 0.7))[0].ref_id == "chelsea.png"
    assert all(m.ref_id != "astronaut.png" for m in again.search(photo("astronaut.png")))


def test_make_searchable_builds_the_weights_and_postings_before_the_first_search(tmp_path):
    engine = Engine.open(tmp_path / "index")
    engine.add_many((name, photo(name)) for name in ("astronaut.png", "rocket.jpg"))
    index = engine._index
    assert index._delta_parts and index._idf is None        # added, not yet searchable
    engine.make_searchable()
    assert not index._delta_parts and index._idf is not None
    assert len(index.delta.slots) > 0                        # the added postings, in one list
    idf = index._idf
    assert engine.search(transforms.crop(photo("rocket.jpg"), 0.7))[0].ref_id == "rocket.jpg"
    assert index._idf is idf                                 # the search built nothing again


def test_a_loaded_index_is_ready_before_its_first_search(tmp_path, monkeypatch):
    """A process's first search pays for nothing the next one does not: make_searchable builds
    the vocabulary tree's faiss index (one a vocabulary, shared by every index of the process)
    and draws RANSAC's stream, which the first search built itself before (docs/benchmarks.md,
    "The misses are the 95th percentile")."""
    from matching import index as index_module, ransac

    saved = Engine.open(tmp_path / "index")
    saved.add_many((name, photo(name)) for name in ("astronaut.png", "rocket.jpg"))
    saved.save()
    monkeypatch.setattr(ransac, "_raw", ransac._raw[:0])       # as in a fresh process
    monkeypatch.setattr(ransac, "_raw_state", ransac._SEED)
    engine = Engine.open(tmp_path / "index")
    engine.make_searchable()
    index = engine._index
    # built once for the vocabulary: the index that wrote the files and this one share it
    assert index._quantizer is index_module._tree_index(index.vocabulary) is saved._index._quantizer
    assert index._top is not None and len(ransac._raw) >= 1 << 16
    added = Engine.open(tmp_path / "other")                     # added to, then made searchable
    monkeypatch.setattr(ransac, "_raw", ransac._raw[:0])
    added.add_many([("rocket.jpg", photo("rocket.jpg"))])      # its words: the tree, built
    added.make_searchable()
    assert added._index._top is not None and len(ransac._raw) >= 1 << 16
    built, stream = [], ransac._raw
    monkeypatch.setattr(index_module, "_tree_index", lambda voc: built.append(voc))
    found = engine.search(transforms.rotate(transforms.crop(photo("rocket.jpg"), 0.7), 9))
    assert found[0].ref_id == "rocket.jpg" and found[0].match
    assert built == [] and ransac._raw is stream                 # nothing built in the search


def test_an_index_built_with_another_vocabulary_is_refused(tmp_path):
    engine = Engine.open(tmp_path / "index")
    engine.add("coffee.png", photo("coffee.png"))
    engine.save()
    meta = tmp_path / "index" / "meta.json"
    data = json.loads(meta.read_text())
    data["vocabulary"] = "0" * 16
    meta.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="another vocabulary; rebuild it"):
        Engine.open(tmp_path / "index")


def test_a_features_file_cut_short_is_never_appended_to_blindly(tmp_path):
    engine = Engine.open(tmp_path / "index")
    engine.add("coffee.png", photo("coffee.png"))
    engine.save()
    features = tmp_path / "index" / "features.bin"
    features.write_bytes(features.read_bytes()[:-100])
    engine.add("rocket.jpg", photo("rocket.jpg"))
    with pytest.raises(ValueError, match="records"):
        engine.save()


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def bad_files(folder):
    good = photo("astronaut.png")
    good.save(folder / "good.jpg", quality=85)
    (folder / "empty.jpg").write_bytes(b"")
    data = (folder / "good.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (folder / "notes.png").write_text("this is not a picture")
    (folder / "bomb.png").write_bytes(_bomb_png(30000, 30000))
    return {"empty.jpg": "empty", "truncated.jpg": "truncated", "notes.png": "not an image",
            "bomb.png": "decompression bomb"}


@pytest.mark.parametrize("mode", ["RGBA", "P", "L", "CMYK", "I;16", "1", "LA"])
def test_every_pixel_mode_decodes(engine, tmp_path, mode):
    image = photo("coffee.png")
    converted = image.convert("I;16") if mode == "I;16" else image.convert(mode)
    path = tmp_path / ("x.tif" if mode in ("CMYK", "I;16") else "x.png")
    converted.save(path)
    best = engine.search(path, k=1)[0]
    assert best.ref_id == "coffee.png" and (best.match or mode == "1")


def test_exif_orientation_is_applied(engine, tmp_path):
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: viewers rotate it 90 degrees clockwise
    photo("chelsea.png").rotate(90, expand=True).save(path, exif=exif, quality=90)
    best = engine.search(path, k=1)[0]
    assert best.ref_id == "chelsea.png" and best.match


def test_bad_files_raise_clear_errors(tmp_path):
    expected = bad_files(tmp_path)
    for name, words in expected.items():
        with pytest.raises(DecodeError, match=words):
            signature(tmp_path / name)


def test_cli_reports_bad_files_and_goes_on(tmp_path):
    refs, queries = tmp_path / "refs", tmp_path / "queries"
    refs.mkdir()
    queries.mkdir()
    photo("astronaut.png").save(refs / "astronaut.jpg", quality=90)
    photo("coffee.png").save(refs / "coffee.jpg", quality=90)
    (refs / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    expected = bad_files(queries)
    index = tmp_path / "index"
    run = lambda *a: subprocess.run([sys.executable, "-m", "matching", *a], capture_output=True,
                                    text=True, timeout=300)
    built = run("index", str(refs), "--index", str(index))
    assert built.returncode == 0, built.stderr
    assert "skipped broken.jpg" in built.stderr and "indexed 2 references" in built.stderr
    result = run("query", str(queries), "--index", str(index), "--top", "3", "--json")
    assert result.returncode == 0, result.stderr
    lines = {o["query"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert set(lines) == set(expected) | {"good.jpg"}
    assert lines["good.jpg"]["matches"][0] == {"ref": "astronaut.jpg", "score": lines["good.jpg"]["matches"][0]["score"], "match": True}
    for name, words in expected.items():
        assert lines[name]["matches"] == [] and words in lines[name]["error"]
    assert "queried 5 in" in result.stderr


def test_cli_without_an_index_says_so(tmp_path):
    (tmp_path / "q").mkdir()
    result = subprocess.run([sys.executable, "-m", "matching", "query", str(tmp_path / "q"), "--index",
                             str(tmp_path / "none")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no index" in result.stderr


def _maps(transform, point):
    import numpy as np

    H = np.array(transform).reshape(3, 3)
    x, y, w = H @ np.array([point[0], point[1], 1.0])
    return x / w, y / w


def test_a_match_says_where_the_copy_lies_on_the_work(engine):
    """The transform takes the copy's corners (normalised) to where they are on the work."""
    work = photo("rocket.jpg")
    w, h = work.size
    box = (int(w * 0.2), int(h * 0.1), int(w * 0.8), int(h * 0.7))
    copy = work.crop(box)
    found = engine.search(copy, k=1)[0]
    assert found.ref_id == "rocket.jpg" and found.transform is not None
    for corner, expected in [((0, 0), (box[0] / w, box[1] / h)), ((1, 1), (box[2] / w, box[3] / h))]:
        got = _maps(found.transform, corner)
        assert abs(got[0] - expected[0]) < 0.02 and abs(got[1] - expected[1]) < 0.02, (corner, got, expected)
    mirrored = engine.search(transforms.flip(copy), k=1)[0]
    assert mirrored.ref_id == "rocket.jpg"
    left_top = _maps(mirrored.transform, (0, 0))     # the mirror's left edge is the crop's right edge
    assert abs(left_top[0] - box[2] / w) < 0.02 and abs(left_top[1] - box[1] / h) < 0.02


def test_an_answer_does_not_depend_on_what_was_searched_before(engine):
    """A query's scores and placements are the same whatever ran before it in the process:
    other searches, other seeds of OpenCV's and numpy's random generators. (Verification draws
    its samples afresh for every pair, matching/verify.py; a draw from a shared generator would
    make a score depend on the queries before it, and a sharded search on its shards.)"""
    import cv2
    import numpy as np

    queries = [transforms.rotate(transforms.crop(photo("astronaut.png"), 0.6), 12),
               transforms.emoji_overlay(transforms.crop(photo("coffee.png"), 0.7)),
               photo("motorcycle_right.png"),                  # another view: a second plane
               transforms.screenshot(photo("chelsea.png"))]

    def answers(order=(0, 1, 2, 3)):
        return {i: [(m.ref_id, m.score, m.transform) for m in engine.search(queries[i], k=3)]
                for i in order}

    first = answers()
    assert [m[0] for m in first[0] if m[1] >= 0.5] == ["astronaut.png"]
    for seed in (1, 99):
        cv2.setRNGSeed(seed)
        np.random.seed(seed)
        engine.search(transforms.flip(photo("rocket.jpg")), k=3)     # another search between
        assert answers() == first
        assert answers(order=(3, 2, 1, 0)) == first


def _small_on_a_page(work: str, share: float = 0.25):
    """The work pasted small into the top right of a scanned text page (1600 x 1200), as a
    picture sits in a screenshot; and where it lies, normalised (left, top, right, bottom)."""
    page = photo("page.png").resize((1600, 1200))
    img = photo(work)
    w = int(page.width * share)
    small = img.resize((w, round(w * img.height / img.width)))
    x, y = int(0.9 * (page.width - small.width)), int(0.1 * (page.height - small.height))
    page.paste(small, (x, y))
    return page, (x / page.width, y / page.height, (x + small.width) / page.width, (y + small.height) / page.height)


def test_a_small_copy_in_a_page_is_found_by_an_enlarged_window(engine):
    """The whole page gives the small picture too few points to be found (first stage); an
    enlarged corner of the page finds it, and the match says where it lies on the page."""
    from matching.engine import query_signature

    page, box = _small_on_a_page("coffee.png")
    query = query_signature(page)
    first = engine._index.search([v.features for v in query.stage(0)], 3)
    assert not any(ref == "coffee.png" and score >= 0.5 for ref, score in first), first
    found = engine.search(query, k=3)
    assert found[0].ref_id == "coffee.png" and found[0].match, found
    assert all(not m.match for m in found[1:]), found
    for corner, expected in [((box[0], box[1]), (0.0, 0.0)), ((box[2], box[3]), (1.0, 1.0))]:
        got = _maps(found[0].transform, corner)
        assert abs(got[0] - expected[0]) < 0.03 and abs(got[1] - expected[1]) < 0.03, (corner, got, expected)


def test_a_copy_found_whole_is_described_once(engine):
    """The mirror is described only when the query as it is finds no copy, and the windows
    only when the mirror finds none either."""
    from PIL import ImageOps

    from matching.engine import query_signature

    found_whole = query_signature(transforms.crop(photo("rocket.jpg"), 0.6))
    assert engine.search(found_whole, k=3)[0].match
    assert len(found_whole.stages) == 1
    mirrored = query_signature(ImageOps.mirror(transforms.crop(photo("rocket.jpg"), 0.8)))
    assert engine.search(mirrored, k=3)[0].ref_id == "rocket.jpg" and engine.search(mirrored, k=3)[0].match
    assert [len(s) for s in mirrored.stages] == [1, 1]               # as it is, then the mirror: found
    missed_whole = query_signature(_small_on_a_page("coffee.png")[0])
    engine.search(missed_whole, k=3)
    assert [len(s) for s in missed_whole.stages] == [1, 1, 4]        # the four windows after the mirror


def test_the_mirror_is_described_from_the_points_found_as_it_is():
    """`mirrored` (descriptors at the mirrored points, orientation mirrored) gives what
    describing the mirrored image from scratch gives, for most points."""
    import faiss
    import numpy as np

    from matching.decode import load_gray
    from matching.features import extract, mirrored

    gray = load_gray(photo("astronaut.png"), 1024)
    found: dict = {}
    extract(gray, 1500, found)
    fresh = extract(np.ascontiguousarray(gray[:, ::-1]), 1500)
    reused = mirrored(gray, found["points"])
    flat = faiss.IndexBinaryFlat(256)
    flat.add(fresh.desc)
    distance, nearest = flat.search(reused.desc, 1)
    same_place = np.linalg.norm(fresh.xy[nearest[:, 0]] - reused.xy, axis=1) < 2
    assert np.mean((distance[:, 0] <= 20) & same_place) > 0.75


def test_a_window_starts_at_the_corner_threshold_the_whole_needed():
    """`lowest_first` skips the FAST thresholds above it (they would be tried in vain)."""
    from matching.decode import load_gray
    from matching.features import CFG, extract

    gray = load_gray(photo("astronaut.png"), 1024)
    found: dict = {}
    extract(gray, 1500, found)
    assert found["fast"] == CFG["fast"][0]            # a detailed photo: the first threshold is enough
    extract(gray, 1500, found, lowest_first=CFG["fast"][2])
    assert found["fast"] == CFG["fast"][2]
    extract(gray, 1500, found, lowest_first=CFG["fast"][2] + 1)   # between two: the one below
    assert found["fast"] == CFG["fast"][2]


@pytest.mark.parametrize("n", [1000, 3000, 3600, 4500])
def test_orb_keeps_at_most_its_quota_of_each_pyramid_level(n):
    """`_quotas` is what ORB keeps on each level: on a corner-dense picture it fills them all."""
    import collections

    import cv2

    from matching.decode import load_gray
    from matching.features import CFG, _orb, _quotas

    noise = cv2.resize(load_gray(_noise_jpeg(), 800, 640), (1200, 800))
    levels = collections.Counter(k.octave for k in _orb(n, CFG["fast"][0]).detect(noise, None))
    assert tuple(levels[i] for i in range(CFG["levels"])) == _quotas(n) and sum(_quotas(n)) == n


@pytest.mark.parametrize("counts, threshold, fills", [
    ({20: 526}, 20, False),   # 4,500 points, 4,050 needed: 977 on the first level at most,
    ({20: 527}, 20, True),    # so 527 of its corners at least
    ({40: 527}, 20, True),    # corners at a higher threshold are corners here: not counted again
    ({80: 526, 40: 527}, 20, True),
    ({40: 526, 20: 526}, 20, False),
    ({20: 5000}, 10, True),
])
def test_a_threshold_is_skipped_only_when_the_first_level_has_too_few_corners(counts, threshold, fills):
    from matching.features import _FirstLevel, _quotas

    assert _quotas(4500)[0] == 977
    first = _FirstLevel(None, 4500)      # no picture: counting again would fail
    first.counts = dict(counts)
    assert first.can_fill(threshold, 0.9 * 4500) is fills


class _Counted:
    """A FAST detector that finds `n` corners, whatever the picture."""

    def __init__(self, n: int) -> None:
        self.n = n

    def detect(self, img):
        return [None] * self.n


@pytest.mark.parametrize("corners, fills", [(526, False), (527, True)])
def test_a_threshold_is_tried_when_the_first_level_counts_enough_corners(monkeypatch, corners, fills):
    from matching import features

    monkeypatch.setattr(features, "_fast_detector", lambda threshold: _Counted(corners))
    assert features._FirstLevel(None, 4500).can_fill(20, 0.9 * 4500) is fills


@pytest.mark.parametrize("kept, threshold, fills", [
    (527, 10, True),     # ORB at 20 kept 527 on the first level: at 10 there are as many at least
    (526, 10, False),
    (527, 40, False),    # ... which says nothing of a higher threshold
])
def test_a_failed_try_bounds_the_lower_thresholds_for_free(monkeypatch, kept, threshold, fills):
    import cv2

    from matching import features

    monkeypatch.setattr(features, "_fast_detector", lambda threshold: _Counted(0))   # else: none
    first = features._FirstLevel(None, 4500)
    first.tried(20, [cv2.KeyPoint(1.0, 1.0, 31.0, 0.0, 1.0, 0)] * kept + [cv2.KeyPoint(1.0, 1.0, 37.2, 0.0, 1.0, 1)] * 900)
    assert first.can_fill(threshold, 0.9 * 4500) is fills


@pytest.mark.xfail(strict=True, reason=(
    "known (issue 21): ORB keeps every point tied with a level's last, so on an exactly periodic "
    "pattern a level keeps more than its quota and the first-level bound skips a threshold that "
    "would have sufficed (here 5: the description ends at 2). Found by review on synthetic "
    "checkerboards only: none on photos, grain, text pages, or a checkerboard once JPEG'd"))
def test_a_pure_checkerboard_is_described_as_when_every_threshold_is_tried(monkeypatch):
    import numpy as np

    from matching import features

    yy, xx = np.mgrid[0:600, 0:800]
    board = np.where(((yy // 4) + (xx // 4)) % 2 == 0, 204, 255).astype(np.uint8)
    found: dict = {}
    features.extract(board, 600, found)
    monkeypatch.setattr(features._FirstLevel, "can_fill", lambda self, threshold, need: True)
    every: dict = {}
    features.extract(board, 600, every)
    assert found["fast"] == every["fast"]


def test_a_lower_threshold_is_counted_again():
    """A count at a lower threshold says nothing of a higher one: FAST runs at the one asked."""
    import numpy as np

    from matching.features import _FirstLevel

    first = _FirstLevel(np.zeros((64, 64), np.uint8), 4500)
    first.counts = {10: 5000}
    assert first.can_fill(20, 4050) is False and first.counts[20] == 0   # a flat picture: none


def _ladder(name: str):
    import cv2
    import numpy as np

    from caseapp.clients.demo_pictures import landscape
    from matching.decode import load_gray

    if name == "noise":
        return load_gray(_noise_jpeg(), 1024, 640)
    if name == "noise window":     # a window of it, enlarged: corners everywhere at 80
        return cv2.resize(load_gray(_noise_jpeg(), 800, 640)[:256, :384], (1024, 683))
    if name == "landscape":
        return load_gray(landscape(7), 1024)
    if name == "gradient":      # a sky: hardly a corner anywhere
        ramp = np.tile(np.linspace(0, 255, 900, dtype=np.float32), (600, 1))
        return cv2.GaussianBlur(ramp + np.random.default_rng(3).normal(0, 2, ramp.shape).astype(np.float32),
                                (0, 0), 2).clip(0, 255).astype(np.uint8)
    return load_gray(photo(name), 1024)


@pytest.mark.parametrize("name, lowest_first, above, ends_at", [
    ("astronaut.png", None, (), 20), ("moon.png", None, (), 10), ("horse.png", None, (), 2),
    ("landscape", None, (), 2), ("gradient", None, (), 2), ("noise", None, (), 20),
    ("noise", None, (80, 40), 20), ("noise window", None, (80, 40), 80), ("astronaut.png", None, (80, 40), 20),
    ("moon.png", 20, (), 10),
    ("landscape", 5, (), 2),
])
def test_skipping_thresholds_that_cannot_fill_finds_the_same_points(monkeypatch, name, lowest_first, above, ends_at):
    """The first level's count only spares ORB's tries that would fail: the points, the
    threshold and the density are those found by trying every threshold, and a smooth picture
    is detected by ORB fewer times."""
    import numpy as np

    from matching import features

    gray = _ladder(name)
    tried: list[int] = []
    orb = features._orb

    def counted(n, fast):
        tried.append(fast)
        return orb(n, fast)

    monkeypatch.setattr(features, "_orb", counted)
    found: dict = {}
    skipping = features.extract(gray, 1500, found, lowest_first=lowest_first, above=above)
    skipped_tries = len(tried)
    tried.clear()
    monkeypatch.setattr(features._FirstLevel, "can_fill", lambda self, threshold, need: True)
    every: dict = {}
    trying = features.extract(gray, 1500, every, lowest_first=lowest_first, above=above)
    assert found["fast"] == every["fast"] == ends_at
    assert found["density"] == every["density"]
    assert np.array_equal(skipping.xy, trying.xy) and np.array_equal(skipping.desc, trying.desc)
    assert np.array_equal(found["points"], every["points"])
    if name in ("landscape", "gradient") and lowest_first is None:
        assert skipped_tries < len(tried)      # 20, 10 and 5 not tried: the first level had too few


def _noise_jpeg(sigma: float = 50.0) -> bytes:
    """Noise as the ingest benchmark's pictures that are no work: JPEG, 600 x 400."""
    import io

    import numpy as np
    from PIL import Image

    data = io.BytesIO()
    grain = np.random.default_rng(5).normal(128.0, sigma, (400, 600)).clip(0, 255).astype(np.uint8)
    Image.fromarray(grain, "L").convert("RGB").save(data, "JPEG", quality=85)
    return data.getvalue()


def test_a_corner_dense_window_finds_its_points_at_a_higher_threshold():
    """`above`: a picture with corners everywhere (noise) is described at the first higher
    threshold that finds enough points; a photo that has too few there falls back to the
    configuration's thresholds, as without it; and a description that starts lower (the whole
    query needed a lower threshold) never tries them."""
    import cv2
    import numpy as np

    from matching.decode import load_gray
    from matching.engine import WINDOW_FAST_ABOVE, WINDOW_POINTS
    from matching.features import CFG, extract

    assert WINDOW_FAST_ABOVE and min(WINDOW_FAST_ABOVE) > CFG["fast"][0]
    noise = cv2.resize(load_gray(_noise_jpeg(), 800, 640)[:256, :384], (1024, 683))   # a window, enlarged
    found: dict = {}
    dense = extract(noise, WINDOW_POINTS, found, above=WINDOW_FAST_ABOVE)
    assert found["fast"] == WINDOW_FAST_ABOVE[0] and len(dense.xy) == WINDOW_POINTS
    for lowest in (CFG["fast"][0], CFG["fast"][0] + 1):      # starting at the first: tried
        extract(noise, WINDOW_POINTS, found, lowest_first=lowest, above=WINDOW_FAST_ABOVE)
        assert found["fast"] == WINDOW_FAST_ABOVE[0]
    extract(noise, WINDOW_POINTS, found, lowest_first=CFG["fast"][1], above=WINDOW_FAST_ABOVE)
    assert found["fast"] == CFG["fast"][1]            # started lower: the higher ones are not tried

    gray = load_gray(photo("astronaut.png"), 1024)
    plain: dict = {}
    before = extract(gray, 1500, plain)
    extract(gray, 1500, found, above=WINDOW_FAST_ABOVE)
    assert found["fast"] == plain["fast"] == CFG["fast"][0]   # too few corners at 80 and 40
    assert np.array_equal(found["points"], plain["points"]) and len(before.xy) == 1500


@pytest.mark.parametrize("picture, dense", [("noise", True), ("astronaut.png", False), ("coffee.png", False)])
def test_only_a_corner_dense_query_has_its_windows_try_the_higher_thresholds(monkeypatch, picture, dense):
    """Query: the windows try WINDOW_FAST_ABOVE first only when the whole query is corner-dense
    (a photo's windows would pay two failed detections each: 15-27% slower); the whole query
    itself never tries them."""
    from matching import engine, features

    source = _noise_jpeg() if picture == "noise" else photo(picture)
    tried: list[tuple[int, int]] = []
    orb = features._orb
    monkeypatch.setattr(features, "_orb", lambda n, fast: tried.append((n, fast)) or orb(n, fast))
    query = engine.query_signature(source)
    query.stage(0)
    whole = [fast for n, fast in tried if fast in engine.WINDOW_FAST_ABOVE]
    assert whole == [] and query._fast == features.CFG["fast"][0]    # the whole: from the first threshold
    assert (query._density >= engine.WINDOW_DENSE) is dense
    tried.clear()
    windows = query.stage(2)
    assert len(windows) == len(engine.WINDOWS)
    higher = {fast for n, fast in tried if n == int(engine.WINDOW_POINTS * features.CFG["over"])} \
        & set(engine.WINDOW_FAST_ABOVE)
    assert bool(higher) is dense


def test_postings_gather_every_listed_slot_list_after_list():
    import numpy as np

    from matching.index import WORDS, _Postings

    words = np.array([5, 5, 9, 700, 9, 3], np.int64)
    slots = np.array([10, 11, 12, 13, 14, 15], np.uint32)
    post = _Postings.build(words, slots)
    # word 3's list, then 9's (empty lists between and after give nothing), in the order asked
    assert post.gather(np.array([9, 3, 4, 700], np.int64)).tolist() == [12, 14, 15, 13]
    assert post.gather(np.array([WORDS - 1], np.int64)).tolist() == []
    assert post.gather(np.zeros(0, np.int64)).tolist() == []


@pytest.mark.parametrize("pairs, tight, kept", [
    (29, 14.9, False),   # few pairs, under a match's evidence: a chance score, dropped
    (29, 15.0, True),    # few pairs, but a match (0.5): kept
    (30, 14.9, True),    # enough pairs: every score counts, for the ranking
    (14, 40.0, False),   # under min_pairs: RANSAC is not tried at all
])
def test_a_score_from_few_pairs_counts_only_as_a_match(engine, monkeypatch, pairs, tight, kept):
    """Index.verify: from min_pairs (15) to weak_pairs (30) paired points a reference keeps its
    score only when it is a match; below, it is not verified."""
    import numpy as np

    from matching import index as index_module

    index = engine._index
    assert (index.p["min_pairs"], index.p["weak_pairs"], index.p["half"]) == (15, 30, 15.0)
    f = signature(photo("rocket.jpg"))
    slot = index.slot_of["rocket.jpg"]
    shared = index._shortlist_index([slot])
    n = len(shared[0])
    # each of the first `pairs` query points paired with a record of the reference, and nothing else
    D = np.full((len(f.desc), index.p["nn"]), 99.0, np.float32)
    I = np.full((len(f.desc), index.p["nn"]), -1, np.int64)
    D[:pairs, 0], I[:pairs, 0] = 1.0, np.arange(pairs) % n
    monkeypatch.setitem(index.p, "confusers", False)
    st = dict(n=40.0, tight=tight, plane2=0.0, putative=pairs, coverage=1.0, H=np.eye(3))
    monkeypatch.setattr(index_module, "verify_pair", lambda *a, **k: dict(st))
    transforms: dict = {}
    score = index.verify(f, [slot], shared=shared, neighbours=(D, I), transforms=transforms)[slot]
    if kept:
        assert score == pytest.approx(index_module._score(tight, 15.0)) and score > 0
        assert slot in transforms
    else:
        assert score == 0.0 and slot not in transforms


def test_a_copy_found_small_is_looked_at_closer_and_stays_a_copy(engine, monkeypatch):
    """A copy the whole query finds on a small part of it (0.35 of a page's width) is described
    again enlarged (Query.closer), as it is, not mirrored; a true copy shows no second plane
    there and keeps its score."""
    from matching import engine as engine_module
    from matching.engine import CLOSER_SHARE, Query, query_signature

    looked: list = []
    real = Query.closer

    def recording(self, placed, mirror):
        variant = real(self, placed, mirror)
        looked.append((mirror, variant))
        return variant

    monkeypatch.setattr(Query, "closer", recording)
    query = query_signature(_small_on_a_page("astronaut.png", 0.35)[0])
    found = engine.search(query, k=1)[0]
    assert found.ref_id == "astronaut.png" and found.match, found
    assert len(query.stages) == 1                       # found by the whole query
    assert len(looked) == 1 and looked[0][0] is False and looked[0][1] is not None
    monkeypatch.setattr(engine_module, "CLOSER_SHARE", 0.0)   # no closer look
    alone = engine.search(query_signature(_small_on_a_page("astronaut.png", 0.35)[0]), k=1)[0]
    assert found.score >= 0.95 * alone.score, (found, alone)
    assert CLOSER_SHARE == 0.8


def test_a_copy_that_fills_the_query_gets_no_closer_look(engine):
    """A copy spanning more than CLOSER_SHARE of the query (here all of it, though the query
    is smaller than WINDOW_SIDE) gets no closer look: enlarged, it would tell nothing new."""
    from matching.engine import query_signature

    query = query_signature(transforms.crop(photo("rocket.jpg"), 0.8))
    found = engine.search(query, k=1)[0]
    assert found.match and query.closer(found.transform, False) is None


def test_a_closer_look_at_a_mirrored_copy_is_mirrored(engine, monkeypatch):
    """The enlarged part of a copy found mirrored is described mirrored: then, and only then,
    it finds the work."""
    from PIL import ImageOps

    from matching.engine import Query, query_signature

    asked: list = []
    real = Query.closer
    monkeypatch.setattr(Query, "closer", lambda self, placed, mirror: asked.append(mirror) or real(self, placed, mirror))
    query = query_signature(ImageOps.mirror(_small_on_a_page("astronaut.png", 0.35)[0]))
    found = engine.search(query, k=1)[0]
    assert found.ref_id == "astronaut.png" and found.match and len(query.stages) == 2   # by the mirror
    assert asked == [True]
    for mirror, expected in ((True, True), (False, False)):
        variant = query.closer(found.transform, mirror)
        hits = dict(engine._index.search([variant.features], 3))
        assert (hits.get("astronaut.png", 0.0) >= 0.5) is expected, (mirror, hits)


@pytest.mark.parametrize("share, mirrored", [
    *[(share, mirrored) for share in (0.45, 0.5, 0.55, 0.6) for mirrored in (False, True)],
    (0.35, True),
    pytest.param(0.35, False, marks=pytest.mark.xfail(strict=True, reason=(
        "defect (issue 21): at 0.35 of the page the whole query finds no copy and a window does "
        "(0.561); a window's score carries the whole query's second-plane discount, which at that "
        "scale shows none, and no closer look (a window is an enlarged part already)"))),
])
def test_another_view_of_the_scene_found_small_is_not_a_copy_after_a_closer_look(engine, monkeypatch, share,
                                                                                 mirrored):
    """The motorcycle's right view (another photo of the scene of the left view, which is
    indexed) small in a page, as it is or mirrored: the whole query (or its mirror) calls it a
    copy of the left view (0.56-0.80) when it is not looked at closer; enlarged, its parallax
    shows and it is none, also when the mirror is verified again with the windows."""
    from PIL import ImageOps

    from matching import engine as engine_module
    from matching.engine import query_signature

    page = _small_on_a_page("motorcycle_right.png", share)[0]
    if mirrored:
        page = ImageOps.mirror(page)
    monkeypatch.setattr(engine_module, "CLOSER_SHARE", 0.0)
    if share != 0.35:
        assert engine.search(query_signature(page), k=1)[0].match     # not looked at closer: a "copy"
    monkeypatch.setattr(engine_module, "CLOSER_SHARE", 0.8)
    found = engine.search(query_signature(page), k=3)
    assert not any(m.match for m in found), found


@pytest.mark.parametrize("window_planes, window_score, expected", [
    (1.0, 0.8, 0.24),    # the window shows no second plane: the closer look's 0.3 still holds
    (0.2, 0.8, 0.21),    # the window's own discount is lower: it holds (the whole query's 0.21 is best)
    (1.0, 0.6, 0.21),
])
def test_a_window_keeps_the_discount_a_closer_look_gave_its_work(window_planes, window_score, expected):
    """A work the whole query found small, and a closer look showed to be another view
    (second-plane factor 0.3), stays discounted when a window finds it again: a window's score
    takes the lower of its own factor and the closer look's. `run` stands in for the index."""
    import numpy as np

    from matching.engine import THRESHOLD, query_signature, staged_search

    small = np.array([[4.0, 0.0, -1.0], [0.0, 4.0, -1.0], [0.0, 0.0, 1.0]])   # the work: a quarter across
    calls: list[int] = []

    def run(features, k, transforms, planes):
        calls.append(len(features))
        if transforms is None:                      # the closer look's probe
            planes["w"] = 0.3
            return []
        if len(calls) == 1:                         # the whole query
            transforms["w"] = (0, small)
            return [("w", 0.7)]
        if len(features) > 2:                       # the windows, with the whole and its mirror
            transforms["w"] = (2, small)
            planes["w"] = window_planes
            return [("w", window_score)]
        return []                                   # the mirror

    found = staged_search(query_signature(photo("astronaut.png")), 3, run)
    assert calls == [1, 1, 1, 6]
    assert [(m.ref_id, m.score, m.match) for m in found] == [("w", expected, False)] and expected < THRESHOLD
