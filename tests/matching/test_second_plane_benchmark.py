"""`benchmarks/matching_second_plane.py`: the second-plane fit's calls from real searches of a
yardstick set, timed with OpenCV and with matching.ransac, and compared call by call."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from matching import Engine, ransac
from tests.matching import transforms
from tests.matching.conftest import photo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


def _set(tmp_path: Path) -> Path:
    """A yardstick-shaped folder: engine-index/, queries/, truth.json."""
    engine = Engine.open(tmp_path / "engine-index")
    assert not engine.add_many((name, photo(name)) for name in ("coffee.png", "astronaut.png", "rocket.jpg"))
    engine.save()
    (tmp_path / "queries").mkdir()
    queries = {"pasted.png": transforms.onto_background(photo("coffee.png"), photo("hubble_deep_field.jpg")),
               "screenshot.png": transforms.screenshot(photo("astronaut.png")),
               "other.png": photo("grass.png")}
    for name, image in queries.items():
        image.save(tmp_path / "queries" / name)
    (tmp_path / "truth.json").write_text(json.dumps({name: [] for name in queries}))
    return tmp_path


def test_the_calls_of_real_searches_are_timed_both_ways_and_give_the_same_inliers(tmp_path, capsys, monkeypatch):
    from matching_second_plane import main

    monkeypatch.setattr(ransac, "MOST", ransac.MOST)        # the benchmark lifts it; put it back after
    assert main([str(_set(tmp_path))]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["calls"] >= 1                              # the star field leaves many matches out
    for run in ("cold", "warm"):
        assert report[run]["differ"] == 0
        assert sum(band["calls"] for band in report[run]["bands"]) == report["calls"]
        assert report[run]["opencv_ms"] > 0 and report[run]["ransac_ms"] > 0


def test_a_folder_without_an_index_is_refused_with_what_to_do(tmp_path, capsys):
    from matching_second_plane import main

    assert main([str(tmp_path)]) == 2
    assert "run the yardstick with --engine first" in capsys.readouterr().err


def test_a_call_whose_inliers_differ_is_counted_and_fails_the_run(tmp_path, capsys, monkeypatch):
    from matching_second_plane import main

    monkeypatch.setattr(ransac, "MOST", ransac.MOST)
    data = _set(tmp_path)
    real = ransac.find_homography

    def one_off(src, dst, thr, *args):
        H, mask = real(src, dst, thr, *args)
        if mask is not None and len(src) > 40:       # the fits of the searches' capture are real;
            mask = mask.copy()                       # only the timed comparison is given a wrong one
            mask[0] = not mask[0]
        return H, mask

    import matching_second_plane
    calls = matching_second_plane.capture(data, 0)
    monkeypatch.setattr(matching_second_plane, "capture", lambda *a: calls)
    monkeypatch.setattr(ransac, "find_homography", one_off)
    assert main([str(data)]) == 1
    report = json.loads(capsys.readouterr().out)
    wrong = sum(len(src) > 40 for src, _, _ in calls)
    assert wrong >= 1
    assert report["cold"]["differ"] == report["warm"]["differ"] == wrong
