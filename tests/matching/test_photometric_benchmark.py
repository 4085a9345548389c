"""`benchmarks/matching_photometric.py`: whether the picture tells a self-similar work's copy
from another view of its scene (docs/benchmarks.md, "Does the picture tell a copy from a view")."""
from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.matching import transforms
from tests.matching.conftest import photo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import matching_photometric as photometric  # noqa: E402


def _gray(name: str) -> np.ndarray:
    return np.asarray(photo(name).convert("L"))


def _middle(picture):
    """A picture's middle: 80% of its width, 75% of its height (a crop as copies are)."""
    w, h = picture.size
    return picture.crop((w // 10, h // 8, w * 9 // 10, h * 7 // 8))


def _moved(dx: float, dy: float, scale: float = 1.0) -> np.ndarray:
    return np.array([[scale, 0, dx], [0, scale, dy], [0, 0, 1]], np.float64)


def test_a_copy_agrees_with_its_work_everywhere_it_covers():
    work = _gray("astronaut.png")
    H = _moved(40, 30, 0.8)                     # query pixel -> work pixel
    query = cv2.warpPerspective(work, H, (300, 300), flags=cv2.WARP_INVERSE_MAP)
    ncc = photometric.agreement(query, work, H)
    assert len(ncc) > 50 and (ncc >= 0.95).mean() > 0.98


def _right_half_moved():
    """A work, the homography of its copy, and the copy with its right half 9 pixels aside."""
    work = _gray("astronaut.png")
    H = _moved(40, 30, 0.8)
    query = cv2.warpPerspective(work, H, (300, 300), flags=cv2.WARP_INVERSE_MAP)
    query[:, 150:] = cv2.warpPerspective(work, _moved(49, 30, 0.8), (300, 300),
                                         flags=cv2.WARP_INVERSE_MAP)[:, 150:]
    return work, H, query


def test_a_part_moved_by_parallax_disagrees_there():
    work, H, query = _right_half_moved()
    ncc = photometric.agreement(query, work, H)
    share = (ncc >= 0.85).mean()
    assert 0.3 < share < 0.75                   # the left half agrees, the moved half does not


def test_flat_patches_and_patches_the_work_does_not_cover_are_not_compared():
    flat = np.full((200, 200), 128, np.uint8)
    assert len(photometric.agreement(flat, flat, np.eye(3))) == 0
    work = _gray("astronaut.png")
    far = _moved(10_000, 0)                     # the work lies nowhere in the query
    assert len(photometric.agreement(work[:200, :200], work, far)) == 0


def test_a_copy_verified_directly_gives_the_homography_that_makes_it_agree(engine):
    picture = photo("coffee.png")
    crop = transforms.jpeg(_middle(picture), 75)
    found = photometric.verified(engine, crop, "coffee.png")
    assert found is not None and found["stage"] == 0 and found["score"] >= 0.5
    assert 0.3 < found["coverage"] < 0.8        # the crop keeps 80% x 75% of the work
    qw, qh = found["size"]
    query = cv2.resize(found["gray"], (int(qw), int(qh)), interpolation=cv2.INTER_AREA)
    rw, rh = engine._index.sizes[engine._index.slot_of["coffee.png"]]
    work = cv2.resize(np.asarray(picture.convert("L")), (int(rw), int(rh)),
                      interpolation=cv2.INTER_AREA)
    assert (photometric.agreement(query, work, found["H"]) >= 0.85).mean() > 0.9


def test_a_mirrored_copy_is_measured_in_the_mirrored_frame(engine):
    from PIL import ImageOps

    picture = photo("coffee.png")
    mirrored = transforms.jpeg(ImageOps.mirror(picture), 90)
    found = photometric.verified(engine, mirrored, "coffee.png")
    assert found is not None and found["stage"] == 1
    rw, rh = engine._index.sizes[engine._index.slot_of["coffee.png"]]
    work = cv2.resize(np.asarray(picture.convert("L")), (int(rw), int(rh)),
                      interpolation=cv2.INTER_AREA)
    in_its_frame = photometric.agreement(found["gray"], work, found["H"])
    unmirrored = np.ascontiguousarray(found["gray"][:, ::-1])
    as_it_came = photometric.agreement(unmirrored, work, found["H"])
    assert (in_its_frame >= 0.85).mean() > 0.9 > 0.5 > (as_it_came >= 0.85).mean()


def test_verification_is_put_back_even_when_it_fails(engine, monkeypatch):
    from matching import index

    real = index.verify_pair

    def broken(*args, **kwargs):
        raise RuntimeError("verification failed")

    monkeypatch.setattr(index, "verify_pair", broken)
    with pytest.raises(RuntimeError):
        photometric.verified(engine, transforms.jpeg(photo("coffee.png"), 90), "coffee.png")
    assert index.verify_pair is broken
    monkeypatch.setattr(index, "verify_pair", real)


def _case(score, tight, ncc):
    return {"score": score, "n": tight + 10, "tight": tight, "plane2": 20.0, "ncc": ncc}


def test_a_rule_lifts_only_cases_below_the_threshold_that_their_own_inliers_would_make_matches():
    agree = [0.99] * 19 + [0.5]                 # 95% of the patches at 0.9 or more
    cases = {
        "copy a crop": _case(0.2, 15.0, agree),          # 15 tight: undiscounted exactly 0.5
        "copy b crop": _case(0.2, 14.9, agree),          # just below: no lift can make it a match
        "copy c crop": _case(0.5, 30.0, agree),          # a match already: nothing to recover
        "view a step": _case(0.1, 20.0, agree),
        "view b step": _case(0.1, 20.0, [0.99] * 18 + [0.5] * 2),   # 90%: below a 0.93 share
        "view c step": _case(0.1, 20.0, [0.99] * 9),     # fewer patches than MIN_PATCHES
        "view d step": None,
        "view e step": {"score": 0.1, "n": 30.0, "tight": 20.0, "plane2": 0.0},   # no second plane
        "view f step": {**_case(0.1, 20.0, agree), "plane2": 8.0},    # p0: no discount taken
        "view g step": {**_case(0.1, 20.0, agree), "coverage": 0.05},   # a third of full weight
        "view h step": {**_case(0.1, 20.0, agree), "coverage": 0.15},   # full weight
    }
    out = photometric.report(cases)
    rule = next(r for r in out["rules"] if r["ncc"] == 0.9 and r["share"] == 0.93)
    assert rule["copies_recovered"] == ["copy a crop"]
    assert rule["views_newly_copies"] == ["view a step", "view h step"]
    looser = next(r for r in out["rules"] if r["ncc"] == 0.9 and r["share"] == 0.9)
    assert looser["views_newly_copies"] == ["view a step", "view b step", "view h step"]
    stricter = next(r for r in out["rules"] if r["ncc"] == 0.95 and r["share"] == 0.98)
    assert stricter["copies_recovered"] == [] and stricter["views_newly_copies"] == []
    assert out["with_a_second_plane"] == {"copy": 3, "view": 5}
    assert out["could_be_lifted"] == {"copy": 1, "view": 3}


def test_a_file_that_is_not_a_saved_run_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{\"no\": 1}")
    with pytest.raises(SystemExit):
        photometric.main(["--report", str(bad)])
    assert "not a file --save wrote" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        photometric.main([])
    assert "a folder of pictures is needed" in capsys.readouterr().err


def test_a_saved_run_is_reported_without_running(tmp_path, capsys):
    import json

    saved = tmp_path / "run.json"
    cases = {"copy a crop": _case(0.2, 20.0, [0.99] * 20),
             "view a step": {**_case(0.2, 20.0, [0.99] * 20), "ncc2": [0.99] * 4 + [0.1] * 4}}
    cases["copy a crop"]["ncc2"] = [0.99] * photometric.MIN_AT
    saved.write_text(json.dumps({"cases": cases}))
    assert photometric.main(["--report", str(saved)]) == 0
    out = json.loads(capsys.readouterr().out)
    first = out["over_the_picture"]["rules"][0]
    assert first["copies_recovered"] == "1: copy a crop" and first["views_newly_copies"] == 1
    at = out["at_the_second_planes_points"]["rules"][0]       # the view's points disagree
    assert at["copies_recovered"] == "1: copy a crop" and at["views_newly_copies"] == 0


def test_too_few_patches_at_the_second_planes_points_say_nothing():
    few = {"copy a crop": {**_case(0.2, 20.0, [0.99] * 20),
                           "ncc2": [0.99] * (photometric.MIN_AT - 1)}}
    assert photometric.report(few, "ncc2", photometric.MIN_AT)["with_a_second_plane"]["copy"] == 0
    few["copy a crop"]["ncc2"].append(0.99)
    assert photometric.report(few, "ncc2", photometric.MIN_AT)["with_a_second_plane"]["copy"] == 1


def test_patches_at_points_are_compared_once_each_and_only_on_the_query():
    work, H, query = _right_half_moved()
    left = np.array([[100.2, 200.0], [100.0, 200.4], [80.0, 250.0], [2.0, 150.0]])  # twins, edge
    right = np.array([[220.0, 80.0], [250.0, 200.0], [200.0, 120.0]])
    at_left = photometric.agreement_at(query, work, H, left)
    assert len(at_left) == 2 and (at_left >= 0.95).all()
    at_right = photometric.agreement_at(query, work, H, right)
    assert len(at_right) == 3 and (at_right < 0.85).all()


def test_a_point_is_the_pixel_it_rounds_to_and_a_patch_must_fit_on_the_query():
    assert photometric._centres([[100.6, 200.4], [100.5, 199.6]]) == [(200, 101), (200, 100)]
    textured = np.random.default_rng(4).integers(0, 255, (100, 100)).astype(np.float32)
    inside = np.ones((100, 100), bool)
    last = 100 - photometric.HALF - 1        # the last centre whose patch fits
    fits = [(last, last), (photometric.HALF, photometric.HALF)]
    assert len(photometric._correlations(textured, textured, inside, fits)) == 2
    over = [(last + 1, 50), (50, last + 1), (photometric.HALF - 1, 50), (50, photometric.HALF - 1)]
    assert len(photometric._correlations(textured, textured, inside, over)) == 0


def test_the_second_planes_points_are_those_of_the_fit_it_counted(engine):
    from matching import verify

    real = verify.ransac
    src, dst, qidx, thr = _two_planes()
    with photometric.second_fits_kept() as fits:
        assert verify.ransac is not real
        verify.second_plane(src, dst, qidx, thr)
    assert verify.ransac is real and len(fits) == 1
    # the larger plane's query points (the pairs' first side), in their order
    assert np.array_equal(photometric._second_points(fits), src[20:])
    with pytest.raises(RuntimeError), photometric.second_fits_kept():
        raise RuntimeError("a verification that fails")
    assert verify.ransac is real                               # put back all the same
    assert photometric._second_points([]) is None
    first, last = np.zeros((3, 2)), np.ones((3, 2))
    kept = [(first, None, None, np.array([1, 1, 1])), (last, None, None, np.array([1, 0, 1]))]
    assert photometric._second_points(kept).tolist() == [[1, 1], [1, 1]]   # the last fit counts
    assert photometric._second_points(kept + [(first, None, None, None)]) is None   # found none
    found = photometric.verified(engine, transforms.jpeg(_middle(photo("coffee.png")), 75),
                                 "coffee.png")
    # this crop shows a (chance) second plane: its points are kept, one a pair at least
    assert found["plane2"] > 0 and len(found["second"]) >= found["plane2"]


def _two_planes():
    """Matches of two planes: x < 100 moved by (5, 0), x >= 100 by (30, 10), the larger."""
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 100, (20, 2)).astype(np.float32)
    b = (rng.uniform(0, 100, (30, 2)) + [100, 0]).astype(np.float32)
    src = np.concatenate([a, b])
    dst = np.concatenate([a + [5, 0], b + [30, 10]]).astype(np.float32)
    return src, dst, np.arange(50), 3.0


def test_only_patches_wholly_on_the_work_are_compared():
    work = _gray("astronaut.png")
    H = _moved(0, 0)
    query = np.random.default_rng(1).integers(0, 255, (300, 300)).astype(np.uint8)
    query[:, :150] = work[:300, :150]           # the work covers the query's left half only...
    ncc = photometric.agreement(query, cv2.copyMakeBorder(work[:300, :150], 0, 0, 0, 0, 0), H)
    assert len(ncc) > 20 and (ncc >= 0.95).all()    # ...and no patch across its edge is compared


def test_a_patch_flat_on_the_work_is_not_compared_even_when_the_query_is_not():
    work = _gray("astronaut.png").copy()
    work[100:250, 100:250] = 90                 # a flat square on the work...
    query = work.copy()
    query[100:250, 100:250] = np.random.default_rng(2).integers(0, 255, (150, 150))   # textured
    ncc = photometric.agreement(query, work, np.eye(3))
    whole = photometric.agreement(_gray("astronaut.png"), _gray("astronaut.png"), np.eye(3))
    # the square's inner patches are left out (no NaN from a flat patch); those across its edge,
    # where the blur mixes both, are compared
    assert np.isfinite(ncc).all() and len(whole) - len(ncc) >= 25 and (ncc >= 0.95).mean() > 0.9


def test_the_variant_with_the_most_inliers_is_the_one_measured(engine, monkeypatch):
    """A query that matches both as it is and mirrored (a picture beside its mirror image):
    the variant whose verification holds more inliers gives the homography."""
    from PIL import Image, ImageOps

    from matching import index

    picture = photo("coffee.png")
    w, h = picture.size
    both = Image.new("RGB", (2 * w, h))
    both.paste(picture, (0, 0))
    both.paste(ImageOps.mirror(picture), (w, 0))
    real, calls = index.verify_pair, []

    def counted(*args, **kwargs):
        out = dict(real(*args, **kwargs))
        calls.append(out)
        out.update(n=[10.0, 50.0, 20.0][len(calls) - 1], H=np.eye(3) * len(calls))   # 2nd most
        return out

    monkeypatch.setattr(index, "verify_pair", counted)
    found = photometric.verified(engine, transforms.jpeg(both, 90), "coffee.png")
    assert len(calls) >= 2 and found["n"] == 50.0
    assert np.array_equal(found["H"], np.eye(3) * 2)


def test_a_saved_case_without_its_evidence_is_refused(tmp_path, capsys):
    import json

    for cases in ([1], {"copy a crop": [1]}, {"copy a crop": {"score": 0.1}}):
        saved = tmp_path / "run.json"
        saved.write_text(json.dumps({"cases": cases}))
        with pytest.raises(SystemExit):
            photometric.main(["--report", str(saved)])
        assert "not a file --save wrote" in capsys.readouterr().err


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_copys_second_plane_is_measured_where_its_points_are(engine, mirrored):
    from PIL import ImageOps

    picture = photo("coffee.png")
    part = _middle(picture)
    crop = transforms.jpeg(ImageOps.mirror(part) if mirrored else part, 75)
    found = photometric.verified(engine, crop, "coffee.png")
    record = photometric._measured(engine, crop, "coffee.png", picture)
    assert found["stage"] == int(mirrored) and found["plane2"] > 0
    ncc2 = np.array(record["ncc2"])
    # one patch a point (twins once; none of this copy's on flat ground or the edge), all agreeing
    assert len(ncc2) == len(photometric._centres(found["second"])) >= 8
    assert (ncc2 >= 0.95).all()
