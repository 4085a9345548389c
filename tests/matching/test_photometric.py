"""The pixels' word on a copy a second plane discounted (matching/photometric.py, and its use
in engine.staged_search): the work placed on the query agrees with it as a copy does, or not."""
from __future__ import annotations

import io

import cv2
import numpy as np
import pytest

from matching import photometric
from matching.engine import THRESHOLD, query_signature
from matching.index import Index
from matching.photometric import AGREE_NCC, AGREE_SHARE, MIN_PATCHES, agreement, agrees, in_pixels
from tests.matching import transforms
from tests.matching.conftest import REFERENCES, photo


def _gray(name: str) -> np.ndarray:
    return np.asarray(photo(name).convert("L"))


def _moved(dx: float, dy: float, scale: float = 1.0) -> np.ndarray:
    return np.array([[scale, 0, dx], [0, scale, dy], [0, 0, 1]], np.float64)


def test_a_copy_agrees_with_its_work_everywhere_it_covers():
    work = _gray("astronaut.png")
    H = _moved(40, 30, 0.8)                     # query pixel -> work pixel
    query = cv2.warpPerspective(work, H, (300, 300), flags=cv2.WARP_INVERSE_MAP)
    ncc = agreement(query, work, H)
    assert len(ncc) > 50 and (ncc >= 0.95).mean() > 0.98


def test_a_part_moved_by_parallax_disagrees_there():
    work = _gray("astronaut.png")
    H = _moved(40, 30, 0.8)
    query = cv2.warpPerspective(work, H, (300, 300), flags=cv2.WARP_INVERSE_MAP)
    query[:, 150:] = cv2.warpPerspective(work, _moved(49, 30, 0.8), (300, 300),
                                         flags=cv2.WARP_INVERSE_MAP)[:, 150:]   # 9 pixels aside
    ncc = agreement(query, work, H)
    share = (ncc >= 0.85).mean()
    assert 0.3 < share < 0.75                   # the left half agrees, the moved half does not


def test_flat_patches_and_patches_the_work_does_not_cover_are_not_compared():
    flat = np.full((200, 200), 128, np.uint8)
    assert len(agreement(flat, flat, np.eye(3))) == 0
    work = _gray("astronaut.png")
    far = _moved(10_000, 0)                     # the work lies nowhere in the query
    assert len(agreement(work[:200, :200], work, far)) == 0


def test_only_patches_wholly_on_the_work_are_compared():
    work = _gray("astronaut.png")
    H = _moved(0, 0)
    query = np.random.default_rng(1).integers(0, 255, (300, 300)).astype(np.uint8)
    query[:, :150] = work[:300, :150]           # the work covers the query's left half only...
    ncc = agreement(query, cv2.copyMakeBorder(work[:300, :150], 0, 0, 0, 0, 0), H)
    assert len(ncc) > 20 and (ncc >= 0.95).all()    # ...and no patch across its edge is compared


def test_a_patch_flat_on_the_work_is_not_compared_even_when_the_query_is_not():
    work = _gray("astronaut.png").copy()
    work[100:250, 100:250] = 90                 # a flat square on the work...
    query = work.copy()
    query[100:250, 100:250] = np.random.default_rng(2).integers(0, 255, (150, 150))   # textured
    ncc = agreement(query, work, np.eye(3))
    whole = agreement(_gray("astronaut.png"), _gray("astronaut.png"), np.eye(3))
    # the square's inner patches are left out (no NaN from a flat patch); those across its edge,
    # where the blur mixes both, are compared
    assert np.isfinite(ncc).all() and len(whole) - len(ncc) >= 25 and (ncc >= 0.95).mean() > 0.9


def _patches(agreeing: int, others: int, at: float = 0.9, below: float = 0.5) -> np.ndarray:
    return np.array([at] * agreeing + [below] * others, np.float32)


def test_the_rule_needs_enough_patches():
    assert agrees(_patches(MIN_PATCHES, 0))
    assert not agrees(_patches(MIN_PATCHES - 1, 0))
    assert not agrees(np.zeros(0, np.float32))


def test_the_rule_needs_its_share_of_patches_at_its_correlation():
    assert AGREE_SHARE == 0.97 and AGREE_NCC == 0.85   # as declared (docs/benchmarks.md)
    assert agrees(_patches(97, 3))                     # 97% exactly
    assert not agrees(_patches(96, 4))
    assert agrees(_patches(100, 0, at=AGREE_NCC))      # the correlation itself counts
    assert not agrees(_patches(100, 0, at=np.nextafter(np.float32(AGREE_NCC), np.float32(0))))


def test_a_placement_in_pixels_maps_the_query_onto_the_work():
    placement = (0.5, 0.0, 0.25, 0.0, 0.5, 0.1, 0.0, 0.0, 1.0)   # the query on part of the work
    H = in_pixels(placement, (100, 200), (300, 400))   # query 200 x 100, work 400 x 300 (w x h)
    corner = H @ np.array([200.0, 100.0, 1.0])
    assert corner[:2] / corner[2] == pytest.approx([400 * 0.75, 300 * 0.6])
    origin = H @ np.array([0.0, 0.0, 1.0])
    assert origin[:2] / origin[2] == pytest.approx([100.0, 30.0])


def _crop_and_placement(name: str):
    """A crop of a work (JPEG) and its placement on the work (query -> work, normalised)."""
    picture = photo(name)
    w, h = picture.size
    x0, y0, x1, y1 = w // 10, h // 8, w * 9 // 10, h * 7 // 8
    placement = ((x1 - x0) / w, 0.0, x0 / w, 0.0, (y1 - y0) / h, y0 / h, 0.0, 0.0, 1.0)
    return transforms.jpeg(picture.crop((x0, y0, x1, y1)), 80), placement


def test_a_crop_agrees_with_its_work_and_not_with_another():
    data, placement = _crop_and_placement("coffee.png")
    query = query_signature(data).gray
    assert photometric.copy_by_pixels(query, _gray("coffee.png"), placement)
    assert not photometric.copy_by_pixels(query, _gray("astronaut.png"), placement)


def test_another_view_of_the_scene_does_not_agree():
    picture = photo("coffee.png")
    w, h = picture.size
    disparity = np.where(np.mgrid[0:h, 0:w][1] > w / 2, 40.0, 8.0)   # the right half nearer
    view = transforms.other_view(picture, disparity, sideways=1.0)
    query = np.asarray(view.convert("L"))
    shift = 8.0 / w                                                 # the far plane's own move
    placement = (1.0, 0.0, shift, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    ncc = agreement(query, _gray("coffee.png"), in_pixels(placement, query.shape, (h, w)))
    assert len(ncc) > 100 and not agrees(ncc)


# ----------------------------------------------------------------- in the search

def _discounting(monkeypatch, factor: float) -> None:
    """Every second plane found discounts by `factor` (a self-similar work's own copy)."""
    monkeypatch.setattr(Index, "plane_factor", lambda self, st: factor if st["n"] > 0 else 1.0)


def _pictures(**files):
    return lambda ref: files.get(ref)


def test_the_index_reports_what_the_discount_took(engine, monkeypatch):
    data, _ = _crop_and_placement("coffee.png")
    features = [query_signature(data).stage(0)[0].features]
    full: dict = {}
    plain = engine._index.search(features, 3, {}, None, full)
    assert full == {}                                    # no discount: nothing to report
    _discounting(monkeypatch, 0.01)
    discounted = dict(engine._index.search(features, 3, {}, None, full))
    assert full["coffee.png"] == pytest.approx(dict(plain)["coffee.png"], abs=1e-6)
    assert discounted["coffee.png"] < THRESHOLD <= full["coffee.png"]


@pytest.fixture
def discounted_engine(engine, monkeypatch):
    """The session's engine, every second plane discounting to 0.01; its pictures unset after."""
    _discounting(monkeypatch, 0.01)
    yield engine
    engine.pictures = None


def test_the_pixels_lift_a_discount_that_alone_kept_a_copy_from_its_match(discounted_engine):
    data, placement = _crop_and_placement("coffee.png")
    before = discounted_engine.search(data, 3)
    assert not any(m.ref_id == "coffee.png" and m.match for m in before)
    discounted_engine.pictures = _pictures(**{"coffee.png": photo("coffee.png")})
    found = discounted_engine.search(data, 3)
    assert found[0].ref_id == "coffee.png" and found[0].match
    assert np.allclose(found[0].transform, placement, atol=0.02)


def test_no_lift_from_other_pixels_a_missing_picture_or_a_broken_one(discounted_engine):
    data, _ = _crop_and_placement("coffee.png")
    for pictures in (_pictures(**{"coffee.png": photo("astronaut.png")}), _pictures(),
                     _pictures(**{"coffee.png": b"not an image"})):
        discounted_engine.pictures = pictures
        assert not any(m.match for m in discounted_engine.search(data, 3))


def test_no_lift_where_the_undiscounted_score_would_not_match_either(engine, monkeypatch):
    _discounting(monkeypatch, 0.01)
    monkeypatch.setitem(engine._index.p, "half", 400.0)   # so many inliers needed: no match at all
    engine.pictures = _pictures(**{name: photo(name) for name in REFERENCES})
    try:
        data, _ = _crop_and_placement("coffee.png")
        assert not any(m.match for m in engine.search(data, 3))
    finally:
        engine.pictures = None


def test_a_query_given_as_features_gets_no_pixels_word(discounted_engine):
    data, _ = _crop_and_placement("coffee.png")
    discounted_engine.pictures = _pictures(**{"coffee.png": photo("coffee.png")})
    features = [query_signature(data).stage(0)[0].features]
    assert not any(m.match for m in discounted_engine.search(features, 3))


def test_a_sharded_index_lifts_as_one_index_does(tmp_path, monkeypatch):
    from matching.shards import ShardedEngine

    sharded = ShardedEngine.open(tmp_path / "sharded", 2)
    assert not sharded.add_many((name, photo(name)) for name in REFERENCES)
    sharded.save()
    _discounting(monkeypatch, 0.01)
    data, _ = _crop_and_placement("coffee.png")
    assert not any(m.match for m in sharded.search(data, 3))
    sharded.pictures = _pictures(**{"coffee.png": photo("coffee.png")})
    found = sharded.search(data, 3)
    assert found[0].ref_id == "coffee.png" and found[0].match


def test_a_picture_given_as_a_path_is_read_in_the_frame_it_was_described_in(tmp_path, engine):
    from matching.engine import described_picture

    path = tmp_path / "coffee.jpg"
    photo("coffee.png").resize((1600, 1200)).save(path)
    gray = described_picture(lambda ref: path)("coffee.png")
    assert max(gray.shape) == 800 and gray.shape == (600, 800)
    assert described_picture(None) is None
    buf = io.BytesIO()
    assert described_picture(lambda ref: buf.getvalue())("x") is None   # empty: no word


# ----------------------------------------------------------------- the command line

def test_an_index_remembers_the_folders_it_was_built_from(tmp_path):
    import json

    from matching.__main__ import pictures_of, remember_folder

    index, first, second = tmp_path / "index", tmp_path / "a", tmp_path / "b"
    for folder in (index, first, second):
        folder.mkdir()
    assert pictures_of(str(index)) is None                  # built before: no pixels' word
    (first / "w.jpg").write_bytes(b"first")
    (second / "w.jpg").write_bytes(b"second")
    (first / "only-a.jpg").write_bytes(b"a")
    remember_folder(str(index), str(first))
    remember_folder(str(index), str(second))
    remember_folder(str(index), str(second))                # once, however often it is indexed
    assert json.loads((index / "pictures.json").read_text())["folders"] == [str(first), str(second)]
    picture = pictures_of(str(index))
    assert picture("w.jpg") == second / "w.jpg"             # the latest folder first
    assert picture("only-a.jpg") == first / "only-a.jpg"
    assert picture("gone.jpg") is None and picture("../a/w.jpg") is None
    (index / "pictures.json").write_text("{not json")
    assert pictures_of(str(index)) is None


def test_the_command_line_query_has_the_pixels_word_unless_told_not_to(tmp_path, monkeypatch,
                                                                       capsys):
    import json

    from matching.__main__ import main

    refs, queries, index = tmp_path / "refs", tmp_path / "queries", tmp_path / "index"
    refs.mkdir()
    queries.mkdir()
    for name in REFERENCES:
        photo(name).save(refs / name.replace(".png", ".jpg"), quality=95)
    data, _ = _crop_and_placement("coffee.png")
    data.save(queries / "crop.jpg", quality=90)
    assert main(["index", str(refs), "--index", str(index), "--workers", "1"]) == 0
    assert json.loads((index / "pictures.json").read_text()) == {"folders": [str(refs.resolve())]}
    _discounting(monkeypatch, 0.01)                          # inherited by the forked workers
    capsys.readouterr()

    def best(*options):
        assert main(["query", str(queries), "--index", str(index), "--workers", "1", *options]) == 0
        return json.loads(capsys.readouterr().out.splitlines()[0])["matches"][0]

    lifted = best()
    assert lifted["ref"] == "coffee.jpg" and lifted["match"] is True
    assert best("--no-pixels")["match"] is False


# ----------------------------------------------------------------- the edges, with stand-ins

def _stand_in_search(score: float, full: float | None, placement=(1, 0, 0, 0, 1, 0, 0, 0, 1)):
    """staged_search's `run` for one work, "w", scored `score` after the index's discount and
    `full` before it (None: not discounted), placed by `placement`."""
    def run(variants, k, transforms, planes, undiscounted=None):
        transforms["w"] = (0, np.array(placement, np.float64).reshape(3, 3))
        if full is not None and undiscounted is not None:
            undiscounted["w"] = full
        return [("w", score)]
    return run


@pytest.mark.parametrize("score, full, lifted", [
    (0.49, 0.5, True),           # below the threshold, at it undiscounted: lifted
    (0.49, 0.4999, False),       # undiscounted, still no match: not lifted
    (0.5, 0.9, False),           # a match already: kept as the index scored it
    (0.2, None, False),          # no discount to lift
])
def test_only_a_discount_that_alone_stands_between_a_copy_and_its_match_is_lifted(score, full,
                                                                                    lifted):
    from matching.engine import staged_search

    data, _ = _crop_and_placement("coffee.png")
    query = query_signature(data)
    asked = []
    found = staged_search(query, 3, _stand_in_search(score, full),
                          picture=lambda ref: asked.append(ref) or np.zeros((8, 8), np.uint8))
    assert set(asked) == ({"w"} if lifted else set())   # read only where they may lift
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("matching.engine.copy_by_pixels", lambda *a: True)
        found = staged_search(query, 3, _stand_in_search(score, full), picture=lambda ref: "w")
    assert found[0].score == (full if lifted else score)
    assert found[0].match is (lifted or score >= THRESHOLD)


def test_the_index_reports_an_undiscounted_score_only_where_it_could_count(engine, monkeypatch):
    data, _ = _crop_and_placement("coffee.png")
    features = [query_signature(data).stage(0)[0].features]
    _discounting(monkeypatch, 0.01)
    monkeypatch.setitem(engine._index.p, "weak_pairs", 10 ** 6)   # every verification "few pairs"
    full, placed = {}, {}
    scores = dict(engine._index.search(features, 3, placed, None, full))
    # discounted to a chance score from "few" pairs: 0, yet placed, for the pixels to have a word
    assert scores["coffee.png"] == 0.0 and "coffee.png" in placed
    assert full["coffee.png"] >= THRESHOLD
    monkeypatch.setitem(engine._index.p, "half", 10 ** 4)          # undiscounted, still a chance
    full, placed = {}, {}
    engine._index.search(features, 3, placed, None, full)
    assert full == {} and placed == {}


def test_the_undiscounted_score_is_the_best_variants_own(engine, monkeypatch):
    data, _ = _crop_and_placement("coffee.png")
    query = query_signature(data)
    first, second = query.stage(0)[0].features, query.stage(1)[0].features
    slot = engine._index.slot_of["coffee.png"]

    def verify(f, slots, targets, *rest):
        found_u = rest[-1]
        if f is first:            # discounted: 0.3, 0.9 without
            found_u[slot] = 0.9
            return {slot: 0.3}
        return {slot: 0.8}        # the better variant, not discounted
    monkeypatch.setattr(engine._index, "verify", verify)
    full: dict = {}
    assert dict(engine._index.search([first, second], 3, {}, None, full))["coffee.png"] == 0.8
    assert full == {}


def test_a_discount_the_windows_probe_made_is_lifted_as_the_indexs_own_is():
    from matching.engine import staged_search

    data, _ = _crop_and_placement("coffee.png")
    query = query_signature(data)
    assert query.stage(2)                       # a query with windows

    def run(variants, k, transforms, planes, undiscounted=None):
        if planes is None:                      # the first two stages: no copy
            return [("w", 0.1)]
        transforms["w"] = (2, np.eye(3))        # a window found it...
        planes["w"] = 0.1                       # ...and the whole query showed a second plane
        return [("w", 0.8)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("matching.engine.copy_by_pixels", lambda *a: True)
        lifted = staged_search(query, 3, run, picture=lambda ref: "w")
    assert lifted[0].score == 0.8 and lifted[0].match
    assert staged_search(query, 3, run)[0].score == 0.1   # the earlier stages'; 0.8 * 0.1 is less
