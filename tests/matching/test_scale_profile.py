"""`benchmarks/matching_scale.py --profile`: where a search's time goes, step by step and
stage by stage (docs/benchmarks.md, "Where a search's time goes")."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.matching import transforms
from tests.matching.conftest import photo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


def test_the_profile_finds_each_step_of_a_search_and_counts_none_twice(engine):
    """Each step is found by its function (a step whose function is not the one searches
    run would read 0), the second plane's fit is part of verification, the steps do not add
    up to more than the searches took, and each query is counted at the stage it stopped at."""
    from matching_scale import profile_steps

    # a copy pasted onto a star field: found by the whole query, verified with many matches
    # left out, so the second plane is looked for; an unrelated photo: searched through every
    # stage; a work as it is: answered by its perceptual hash, undescribed
    queries = [transforms.onto_background(photo("coffee.png"), photo("hubble_deep_field.jpg")),
               photo("grass.png"), photo("chelsea.png")]
    profile = profile_steps(engine, queries)
    steps = profile["ms_per_query"]
    assert set(steps) == {"description", "hash", "words", "votes", "records", "neighbours", "verification",
                          "second_plane", "other", "total"}
    for step in ("description", "hash", "words", "votes", "records", "neighbours"):
        assert steps[step] > 0, (step, steps)
    assert steps["description"] > 5 * steps["hash"]   # ORB over six pictures against three hash lookups
    # the star field's copy needs the second plane's fit (old RANSAC, 1,000 draws: about 14 ms a call)
    assert 1.0 <= steps["second_plane"] < steps["verification"]
    assert 0 <= steps["other"] < steps["total"]
    parts = sum(v for k, v in steps.items() if k not in ("second_plane", "other", "total"))
    assert abs(parts + steps["other"] - steps["total"]) <= 0.05   # `other` is the rest, the fit counted once
    stages = profile["by_stage"]
    assert {s: stages[s]["queries"] for s in stages} == {"hash": 1, "whole": 1, "mirror": 0, "windows": 1}
    assert stages["mirror"]["median_ms"] is None
    assert stages["hash"]["median_ms"] < stages["whole"]["median_ms"] < stages["windows"]["median_ms"]


def test_searching_an_index_never_built_says_so(tmp_path):
    """`--search-only` (with or without --profile) on a folder with no index: what is wrong and
    what to do, no traceback, and nothing written there."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "benchmarks" / "matching_scale.py"), "--search-only",
                          "--index", str(tmp_path / "none"), "--refs", "10", "--profile"],
                         capture_output=True, text=True, cwd=root)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "no index is saved at" in out.stderr and "build one first" in out.stderr
    assert not (tmp_path / "none").exists()


def test_where_a_search_lost_its_work_is_each_stage_with_the_work_verified_directly(engine):
    """--misses: a copy the whole query finds shows its work shortlisted and matched at that
    stage; an unrelated photograph shows the work neither shortlisted nor matched, in each of
    the three stages it was described for, and the searches' own answers are unchanged."""
    from matching_scale import where_lost

    from matching.engine import query_signature

    copy = query_signature(transforms.crop(photo("coffee.png")))
    before = [(m.ref_id, m.score) for m in engine.search(copy, k=3)]
    found = where_lost(engine, "coffee.png", copy)["stages"]
    assert [s["stage"] for s in found] == ["whole", "mirror", "windows"]
    whole = found[0]
    assert whole["shortlisted"] is not None and whole["shortlisted"] > 0 and whole["of"] >= 1
    assert whole["verified"][0]["score"] >= 0.5 and whole["verified"][0]["tight"] >= 15
    assert whole["verified"][0]["n"] >= whole["verified"][0]["tight"]
    assert [(m.ref_id, m.score) for m in engine.search(copy, k=3)] == before
    from matching import index, verify
    assert index.verify_pair is verify.verify_pair                    # put back
    coins = query_signature(photo("coins.png"))
    other = where_lost(engine, "rocket.jpg", coins)["stages"]
    assert len(other) == 3 and all(s["shortlisted"] is None for s in other)
    assert all(v["score"] < 0.5 for s in other for v in s["verified"])
    # the windows, with the whole and the mirror again, as the search shortlists them
    assert len(other[2]["verified"]) == len(coins.stage(0) + coins.stage(1) + coins.stage(2)) == 6
    # shortlisted by chance votes, and not a copy once verified
    chance = where_lost(engine, "coffee.png", coins)["stages"][0]
    assert chance["shortlisted"] >= 20 and chance["verified"][0]["score"] < 0.5


def test_where_lost_puts_verification_back_when_it_fails_and_names_a_missing_work(engine,
                                                                                 monkeypatch):
    from matching_scale import where_lost

    from matching import index, verify
    from matching.engine import query_signature

    def broken(*args, **kwargs):
        raise RuntimeError("verification failed")

    monkeypatch.setattr(engine._index, "verify", lambda *a, **k: broken())
    with pytest.raises(RuntimeError):
        where_lost(engine, "coffee.png", query_signature(photo("coins.png")))
    assert index.verify_pair is verify.verify_pair
    assert where_lost(engine, "nowhere.png", None) == {"stages": [],
                                                       "error": "nowhere.png is not in the index"}


def test_misses_are_asked_of_the_searching_process(monkeypatch, capsys):
    """--misses (as --profile) reaches the fresh process that searches."""
    import matching_scale

    ran = []

    class Done:
        stdout = "{}"

    monkeypatch.setattr(matching_scale, "build", lambda args: {})
    monkeypatch.setattr(matching_scale.subprocess, "run",
                        lambda cmd, **kw: ran.append(cmd) or Done())
    assert matching_scale.main(["--refs", "10", "--index", "/nonexistent", "--misses"]) == 0
    assert "--misses" in ran[0] and "--profile" not in ran[0]
    assert matching_scale.main(["--refs", "10", "--index", "/nonexistent"]) == 0
    assert "--misses" not in ran[1]
