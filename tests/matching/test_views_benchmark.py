"""benchmarks/matching_views.py: the made-up depths it renders views with, what it calls a false
copy and a copy found, and how it tells two runs apart (what a change to verification is weighed
on: new false copies against copies found)."""
from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import matching_views as views  # noqa: E402
from matching.engine import Match  # noqa: E402


@pytest.mark.parametrize("kind", views.MAPS)
def test_every_disparity_map_spans_far_to_near(kind):
    d = views.disparity(kind, 200, 100, seed=3)
    assert d.shape == (100, 200)
    assert d.min() == pytest.approx(views.FAR, abs=0.5)      # blobs: their tails, a little nearer
    assert d.max() == pytest.approx(views.NEAR)


def test_the_step_is_the_right_half_nearer():
    d = views.disparity("step", 200, 100, seed=0)
    assert (d[:, :100] == views.FAR).all() and (d[:, 101:] == views.NEAR).all()


def test_the_box_is_nearer_in_the_middle_two_fifths_only():
    d = views.disparity("box", 200, 100, seed=0)
    assert d[50, 100] == d[50, 61] == d[31, 100] == views.NEAR
    assert d[50, 59] == d[29, 100] == d[0, 0] == d[99, 199] == views.FAR


def test_stairs_are_four_even_steps():
    d = views.disparity("stairs", 400, 10, seed=0)
    assert sorted(set(d[0])) == pytest.approx([8.0, 8.0 + 32 / 3, 8.0 + 64 / 3, 40.0])
    assert list(d[0, ::100]) == pytest.approx([8.0, 8.0 + 32 / 3, 8.0 + 64 / 3, 40.0])


def test_columns_alternate():
    d = views.disparity("columns", 160, 10, seed=0)
    assert list(d[0, ::20]) == [views.FAR, views.NEAR] * 4


def test_blobs_are_the_same_for_the_same_seed_and_not_for_another():
    a, b, c = (views.disparity("blobs", 120, 90, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_an_unknown_map_or_drawing_says_which_there_are():
    with pytest.raises(ValueError, match="step, box, stairs, blobs, columns"):
        views.disparity("wave", 10, 10, seed=0)
    with pytest.raises(ValueError, match="building, fence, tiles, textpage"):
        views.drawn("castle")


class _Engine:
    """Answers every search with the same matches."""

    def __init__(self, *found):
        self.found = list(found)
        self.searched = 0

    def search(self, query, k=3):
        self.searched += 1
        return self.found[:k]


@pytest.fixture
def small():
    return Image.fromarray((np.indices((48, 64)).sum(axis=0) * 3 % 256).astype(np.uint8)).convert("RGB")


def test_a_view_is_called_a_copy_when_any_answer_is_a_match(monkeypatch, small):
    seeds = []

    def disparity(kind, width, height, seed):
        seeds.append(seed)
        return real(kind, width, height, seed)
    real = views.disparity
    monkeypatch.setattr(views, "disparity", disparity)
    monkeypatch.setattr(views, "_ENGINE", _Engine(Match("scene", 0.2, False), Match("other", 0.7, True)))
    cases = dict(views._views_of(("scene", small)))
    assert len(cases) == 60 == views._ENGINE.searched
    assert all(v["call"] and v["score"] == 0.2 and v["ref"] == "scene" and v["scene"] == "scene"
               for v in cases.values())
    # each scene's made-up depths are seeded by its name: the same views whatever else is run
    assert seeds == [zlib.crc32(b"scene")] * len(views.MAPS)
    monkeypatch.setattr(views, "_ENGINE", _Engine(Match("scene", 0.49, False)))
    assert not any(v["call"] for _, v in views._views_of(("scene", small)))


def test_a_copy_is_found_only_when_its_scene_comes_first_and_matches(monkeypatch, small):
    monkeypatch.setattr(views, "_ENGINE", _Engine(Match("scene", 0.9, True)))
    found = dict(views._copies_of(("scene", small)))
    assert sorted(found) == sorted(f"copy scene {kind}" for kind in views.COPIES)
    assert all(v["call"] for v in found.values())
    for answers in ([Match("other", 0.9, True), Match("scene", 0.8, True)], [Match("scene", 0.4, False)], []):
        monkeypatch.setattr(views, "_ENGINE", _Engine(*answers))
        assert not any(v["call"] for _, v in views._copies_of(("scene", small))), answers


def _calls(*rows) -> dict:
    """A run's `cases` from (case, called a copy, best score) rows; the case's second word is its scene."""
    return {case: {"call": call, "score": score, "scene": case.split()[1]} for case, call, score in rows}


def test_compare_sorts_each_changed_call_and_counts_the_cases_only_one_run_has():
    before = _calls(("view a step", False, 0.1), ("view a box", True, 0.7), ("view a blobs", False, 0.2),
                    ("copy a crop", False, 0.3), ("copy a turned", True, 0.9), ("copy a mirrored", True, 0.9),
                    ("copy gone", True, 0.9))
    now = _calls(("view a step", True, 0.8), ("view a box", False, 0.4), ("view a blobs", False, 0.45),
                 ("copy a crop", True, 0.6), ("copy a turned", False, 0.2), ("copy a mirrored", True, 0.95),
                 ("copy new", True, 0.9), ("view new", False, 0.0))
    assert views.compare(now, before, {"horse.png"}) == {
        "new_false_copies": ["view a step: 0.1 -> 0.8"],
        "views_no_longer_copies": ["view a box: 0.7 -> 0.4"],
        "copies_now_found": ["copy a crop: 0.3 -> 0.6"],
        "copies_lost": ["copy a turned: 0.9 -> 0.2"],
        "flat_views_now_copies": [],
        "flat_views_no_longer_copies": [],
        "only_in_base": 1,
        "only_in_this_run": 2,
    }


def test_views_of_a_flat_work_are_reported_apart_and_its_copies_count_as_any_scenes():
    """A made-up parallax view of a drawing or a page is a picture nobody can take: a change that
    calls one a copy is listed apart, not among the new false copies; a flat work's copy found
    or lost is listed as any copy."""
    before = _calls(("view horse.png step", False, 0.3), ("view horse.png box", True, 0.6),
                    ("view brick.png step", False, 0.42), ("copy horse.png crop", False, 0.2))
    now = _calls(("view horse.png step", True, 0.7), ("view horse.png box", False, 0.3),
                 ("view brick.png step", True, 0.59), ("copy horse.png crop", True, 0.8))
    changed = views.compare(now, before, {"horse.png"})
    assert changed["new_false_copies"] == ["view brick.png step: 0.42 -> 0.59"]
    assert changed["flat_views_now_copies"] == ["view horse.png step: 0.3 -> 0.7"]
    assert changed["flat_views_no_longer_copies"] == ["view horse.png box: 0.6 -> 0.3"]
    assert changed["views_no_longer_copies"] == []
    assert changed["copies_now_found"] == ["copy horse.png crop: 0.2 -> 0.8"]


def test_a_run_is_tallied_with_flat_works_views_apart():
    cases = _calls(("view horse.png step", True, 0.7), ("view horse.png box", False, 0.3),
                   ("view brick.png step", True, 0.6), ("view brick.png box", False, 0.1),
                   ("view coins.png step", False, 0.2), ("copy horse.png crop", False, 0.2),
                   ("copy brick.png crop", True, 0.9))
    assert views.tally(cases, {"horse.png"}) == {
        "views": 3, "views_called_copies": 1, "flat_views": 2, "flat_views_called_copies": 1,
        "copies": 2, "copies_found": 1, "false_copy_scenes": ["brick.png"], "copies_missed": ["horse.png crop"]}
    everything = views.tally(cases, set())
    assert (everything["views"], everything["views_called_copies"], everything["flat_views"]) == (5, 2, 0)
    assert everything["false_copy_scenes"] == ["brick.png", "horse.png"]


def test_flat_works_are_the_benchmark_s_own_never_a_folder_s():
    assert views.flat_works(["horse.png", "brick.png", "drawn-textpage"], None) == {"horse.png", "drawn-textpage"}
    assert views.flat_works(["horse.png", "brick.png"], "/some/folder") == set()


def test_a_folder_run_reaches_the_folder_s_pictures_and_counts_every_view(tmp_path, small, capsys, monkeypatch):
    """A folder's horse.png is a picture like any other: its views are scene views, saved and
    compared as such (a view of it that becomes a copy is a new false copy)."""
    small.save(tmp_path / "horse.png")
    seen, calls = {}, [False]

    def run(args, pictures):
        seen.update(pictures)
        cases = _calls(("view horse.png step", calls[0], 0.7), ("copy horse.png crop", True, 0.9))
        return views.result_of(args, pictures, cases, 1.0)
    monkeypatch.setattr(views, "run", run)
    saved = tmp_path / "base.json"
    assert views.main(["--folder", str(tmp_path), "--save", str(saved)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert list(seen) == ["horse.png"] and seen["horse.png"].size == small.size
    assert summary["flat_works"] == [] and (summary["views"], summary["views_called_copies"]) == (1, 0)
    assert json.loads(saved.read_text())["settings"]["flat"] == []
    calls[0] = True
    assert views.main(["--folder", str(tmp_path), "--compare", str(saved)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["false_copy_scenes"] == ["horse.png"]
    assert summary["changed"]["new_false_copies"] == ["view horse.png step: 0.7 -> 0.7"]
    assert summary["changed"]["flat_views_now_copies"] == []
    # the same names with other pixels: not a base of this run
    Image.new("RGB", small.size, "white").save(tmp_path / "horse.png")
    assert "other pictures under the same names (horse.png)" in _fails(
        ["--folder", str(tmp_path), "--compare", str(saved)], capsys)


def test_the_benchmark_s_own_flat_works_are_saved_as_flat(small):
    class Args:
        folder, wallpapers, only = None, 0, None
    cases = _calls(("view horse.png step", True, 0.7), ("view brick.png step", False, 0.2))
    result = views.result_of(Args, {"horse.png": small, "brick.png": small}, cases, 2.04)
    assert result["settings"]["flat"] == ["horse.png"] and result["settings"]["scenes"] == ["brick.png", "horse.png"]
    assert (result["views"], result["views_called_copies"], result["flat_views_called_copies"]) == (1, 0, 1)
    assert result["seconds"] == 2.0 and result["cases"] is cases


def test_a_picture_too_big_or_a_folder_that_cannot_be_listed_is_named(tmp_path, small, monkeypatch):
    from PIL import Image as PILImage

    small.save(tmp_path / "a.png")
    monkeypatch.setattr(PILImage, "MAX_IMAGE_PIXELS", 100)      # 48 x 64 is over twice that: a bomb
    with pytest.raises(SystemExit, match="a.png: cannot be read"):
        views.scenes(0, None, str(tmp_path))
    monkeypatch.undo()

    def refuse(self):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(SystemExit, match="cannot be listed"):
        views.scenes(0, None, str(tmp_path))


def test_every_flat_work_is_a_scene_the_benchmark_has_and_each_says_why():
    import matching_scale

    names = {p.name for p in matching_scale.base_images(None)} | {f"drawn-{k}" for k in views.DRAWN}
    wallpapers = set(views.FLAT) - names
    assert wallpapers == {"umang_by_Abhishek_Mudgal.jpg"}
    if (views.WALLPAPERS / "umang_by_Abhishek_Mudgal.jpg").parent.is_dir() and \
            any(views.WALLPAPERS.glob("*_by_Aitzol_Berasategi.jpg")):    # lomiri-wallpapers-16.04 installed
        assert wallpapers <= {p.name for p in views.WALLPAPERS.glob("*.jpg")}
    assert "horse.png" in views.FLAT and "drawn-textpage" in views.FLAT
    # photographs of surfaces in the world, and drawings standing for them, stay scenes
    assert not {"brick.png", "coins.png", "drawn-building", "drawn-fence", "drawn-tiles"} & set(views.FLAT)
    assert all(len(why) > 10 for why in views.FLAT.values())


def test_a_folder_s_pictures_are_the_scenes_instead_and_a_broken_one_is_named(tmp_path, small, capsys):
    small.save(tmp_path / "a.png")
    small.save(tmp_path / "b.JPG")
    (tmp_path / "notes.txt").write_text("not a picture")
    Image.new("RGB", (1000, 900), "grey").save(tmp_path / "big.png")
    read = views.scenes(15, None, str(tmp_path))
    assert read["big.png"].size == (800, 720)                       # read at 800 pixels at most
    (tmp_path / "big.png").unlink()
    assert sorted(views.scenes(15, None, str(tmp_path))) == ["a.png", "b.JPG"]
    assert sorted(views.scenes(15, ["b."], str(tmp_path))) == ["b.JPG"]
    (tmp_path / "c.jpg").write_bytes(b"\xff\xd8 cut short")
    with pytest.raises(SystemExit, match="c.jpg: cannot be read"):
        views.scenes(15, None, str(tmp_path))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SystemExit, match="no JPEG or PNG picture in it"):
        views.scenes(15, None, str(empty))
    assert "no such folder" in _fails(["--folder", str(tmp_path / "missing")], capsys)


def _fails(argv, capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        views.main(argv)
    assert stop.value.code != 0
    out = capsys.readouterr()
    return out.err + str(stop.value.code)


def test_a_wrong_base_or_scene_set_is_said_before_the_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(views, "run", lambda args, pictures: pytest.fail("ran although the command was wrong"))
    assert "make it with --save on the base first" in _fails(["--compare", str(tmp_path / "missing.json")], capsys)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "not a file this matching_views.py --save wrote" in _fails(["--compare", str(broken)], capsys)
    other = tmp_path / "scale.json"
    other.write_text(json.dumps({"search": {"right_first_and_matched": "74/84"}}))
    assert "not a file this matching_views.py --save wrote" in _fails(["--compare", str(other)], capsys)
    base = tmp_path / "base.json"
    base.write_text(json.dumps({"settings": {"scenes": ["astronaut.png"], "only": ["astronaut"], "wallpapers": 0},
                                "cases": {"copy astronaut.png crop": {"call": True, "score": 0.9,
                                                                      "scene": "astronaut.png"}}}))
    assert "the same file" in _fails(["--only", "astronaut", "--wallpapers", "0", "--compare", str(base),
                                      "--save", str(base)], capsys)
    assert "was run on other scenes" in _fails(["--only", "coffee", "--wallpapers", "0", "--compare", str(base)],
                                               capsys)
    assert "not a file that can be written" in _fails(["--save", str(tmp_path / "no" / "run.json")], capsys)
    assert "not a file that can be written" in _fails(["--save", str(tmp_path)], capsys)
    assert "no scene's name contains that" in _fails(["--only", "astronuat", "--wallpapers", "0"], capsys)
    assert "at least 1" in _fails(["--workers", "0"], capsys)
    assert "a whole number" in _fails(["--workers", "x"], capsys)
    assert "give --save too" in _fails(["--planes"], capsys)


def test_a_worker_describes_second_planes_only_when_asked(monkeypatch, tmp_path):
    import matching_planes

    installed = []
    monkeypatch.setattr(matching_planes, "install", lambda: installed.append(True))
    monkeypatch.setattr(views, "_PLANES", False)
    views._open(str(tmp_path / "index"))
    assert installed == [] and views._PLANES is False
    views._open(str(tmp_path / "index"), True)
    assert installed == [True] and views._PLANES is True


def test_with_planes_each_case_keeps_the_second_fits_of_its_own_searches(monkeypatch):
    import matching_planes

    monkeypatch.setattr(matching_planes, "_KEPT", [])
    matching_planes._KEPT.append({"plane2": 20.0})
    assert "planes" not in views._case("copy a crop", "a", True, [Match("a", 0.9, True)])[1]
    monkeypatch.setattr(views, "_PLANES", True)
    _, record = views._case("copy a crop", "a", True, [Match("a", 0.9, True)])
    assert record["planes"] == [{"plane2": 20.0}]
    # taken by the case before
    assert views._case("copy a turned", "a", True, [])[1]["planes"] == []


def test_a_run_renders_sixty_views_and_four_copies_a_scene_and_leaves_no_index_behind(tmp_path, capsys,
                                                                                         monkeypatch):
    """One scene end to end: indexed, its views rendered and searched, its copies found (the
    astronaut is no self-similar puzzle: its four copies are found) and saved; the index is gone
    afterwards; and the saved run, compared with itself, accepted as a base with nothing changed
    (two real runs of a scene give the same cases: checked by a review, not run twice here)."""
    monkeypatch.setattr(views.tempfile, "tempdir", str(tmp_path))
    saved = tmp_path / "run.json"
    argv = ["--only", "astronaut", "--wallpapers", "0", "--workers", "1"]
    assert views.main(argv + ["--save", str(saved)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["scenes"] == 1 and first["views"] == 60 and first["copies"] == 4
    assert first["copies_found"] == 4, first["copies_missed"]
    result = json.loads(saved.read_text())
    assert {k: v for k, v in result["settings"].items() if k != "fingerprints"} == {
        "scenes": ["astronaut.png"], "wallpapers": 0, "only": ["astronaut"], "folder": None, "flat": []}
    assert list(result["settings"]["fingerprints"]) == ["astronaut.png"]
    assert first["flat_works"] == [] and first["flat_views"] == 0
    assert len(result["cases"]) == 64
    called = {v["scene"] for k, v in result["cases"].items() if k.startswith("view ") and v["call"]}
    assert sorted(called) == first["false_copy_scenes"]
    assert list(tmp_path.iterdir()) == [saved]              # the index was a temporary folder
    monkeypatch.setattr(views, "run", lambda args, pictures: result)   # the same run again, compared
    assert views.main(argv + ["--compare", str(saved)]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == {
        "new_false_copies": [], "views_no_longer_copies": [], "copies_now_found": [], "copies_lost": [],
        "flat_views_now_copies": [], "flat_views_no_longer_copies": [], "only_in_base": 0, "only_in_this_run": 0}
