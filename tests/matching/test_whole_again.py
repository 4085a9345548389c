"""Whole descriptors for a discounted candidate: an index of compact records (8 bytes of each
descriptor) verifies a reference that the second-plane discount alone keeps from a match again
with its whole signature (Engine.signatures, Index.search's `whole`), and that score stands."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matching import Engine, signature
from matching.engine import THRESHOLD
from matching.index import MATCH, Index
from matching.shards import ShardedEngine
from tests.matching import transforms
from tests.matching.conftest import DATA, REFERENCES, photo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from matching_scale import KINDS, queries_of  # noqa: E402

# The colour wheel, the phantom and the clock are self-similar works (the horse a silhouette): 64-bit codes pair a copy
# with their look-alike parts, and those pairs fit a "second plane" that zeroes the copy.
WORKS = REFERENCES + ["color.png", "phantom.png", "horse.png", "clock_motion.png"]


def copy_of(name: str, kind: str) -> bytes:
    """matching_scale's copy of a scikit-image picture: crop, turned, mirrored, caption band."""
    return dict(zip(KINDS, queries_of(DATA / name)))[kind]


@pytest.fixture(scope="module")
def described():
    return {name: signature(photo(name)) for name in WORKS}


def _engine(path, described, code_bytes=8):
    engine = Engine.open(path, code_bytes)
    engine.add_many(described.items())
    engine.make_searchable()
    return engine


@pytest.fixture(scope="module")
def compact(tmp_path_factory, described):
    return _engine(tmp_path_factory.mktemp("compact"), described)


class Asked:
    """Engine.signatures that remembers what it was asked for."""

    def __init__(self, described: dict, answer=None) -> None:
        self.described, self.asked = described, []
        self.answer = answer or (lambda name: self.described.get(name))

    def __call__(self, name: str):
        self.asked.append(name)
        return self.answer(name)


def _best(engine, query, signatures=None):
    engine.signatures = signatures
    try:
        return engine.search(query, k=3)[0]
    finally:
        engine.signatures = None


def test_the_match_score_is_the_engines_threshold():
    assert MATCH == THRESHOLD


@pytest.mark.parametrize("work", ["color.png", "phantom.png"])
def test_a_self_similar_works_copy_the_codes_discount_is_found_with_its_whole_signature(compact, described,
                                                                                         work):
    query = copy_of(work, "caption band")
    before = _best(compact, query)
    assert before.ref_id == work and before.score < 0.1 and not before.match   # zeroed by the codes
    asked = Asked(described)
    after = _best(compact, query, asked)
    assert after.ref_id == work and after.match and after.score > 0.6
    assert set(asked.asked) == {work}          # that work's, and no other reference's
    # placed by its whole-descriptor homography: the band's picture (below its top sixth) on the work
    H = np.array(after.transform).reshape(3, 3)
    x, y, w = H @ [0.5, (1 / 6 + 1) / 2, 1.0]
    assert (x / w, y / w) == (pytest.approx(0.5, abs=0.05), pytest.approx(0.5, abs=0.05))


def test_a_copy_the_codes_find_asks_for_no_signature(compact, described):
    asked = Asked(described)
    best = _best(compact, copy_of("brick.png", "caption band"), asked)
    assert best.ref_id == "brick.png" and best.match and asked.asked == []


def test_a_query_that_copies_nothing_asks_for_none_either(compact, described):
    asked = Asked(described)
    found = _best(compact, photo("coins.png"), asked)
    assert not found.match and asked.asked == []


def test_without_a_signature_the_codes_word_stands(compact, described):
    query = copy_of("color.png", "caption band")
    before = _best(compact, query)
    missing = Asked(described, lambda name: None)
    assert _best(compact, query, missing).score == before.score and missing.asked == ["color.png"]
    # a signature of another picture than the one indexed (its size differs) is not used either,
    # even of the same work described at another size (it would place the copy in another frame)
    smaller = photo("color.png").resize((400, 300))
    other = Asked(described, lambda name: signature(smaller))
    assert _best(compact, query, other).score == before.score and other.asked == ["color.png"]


def test_an_index_of_whole_descriptors_never_asks(tmp_path, described):
    whole = _engine(tmp_path / "whole", described, code_bytes=None)
    query = copy_of("color.png", "caption band")
    asked = Asked(described)
    assert _best(whole, query, asked).score == _best(whole, query).score and asked.asked == []


def test_the_shards_give_their_references_whole_signatures_too(tmp_path, described):
    sharded = ShardedEngine.open(tmp_path / "sharded", 2, code_bytes=8)
    sharded.add_many(described.items())
    sharded.make_searchable()
    query = copy_of("color.png", "caption band")
    assert not sharded.search(query, k=3)[0].match
    sharded.signatures = Asked(described)
    best = sharded.search(query, k=3)[0]
    assert best.ref_id == "color.png" and best.match and sharded.signatures.asked == ["color.png"]


# ---------------------------------------------------------------- the trigger, on both sides of its edges

def _evidence(tight: float, plane2: float, n: float = 100.0, coverage: float = 0.5) -> dict:
    return dict(n=n, tight=tight, plane2=plane2, putative=200, coverage=coverage,
                H=np.eye(3))


@pytest.mark.parametrize("tight, plane2, coverage, asked", [
    (15.0, 9.0, 0.5, True),      # a match without the discount (15 tight: 0.5), below one with it
    (14.9, 9.0, 0.5, False),     # below a match even without the discount
    (15.0, 8.0, 0.5, False),     # no discount (a second plane of p0 pairs or fewer): a match as it is
    (40.0, 60.0, 0.5, True),     # zeroed by the discount
    (30.0, 9.0, 0.075, True),    # half the coverage: 15 tight inliers' worth, discounted below a match
    (30.0, 9.0, 0.074, False),   # under half the coverage: below a match without the discount too
])
def test_only_a_candidate_the_discount_alone_keeps_from_a_match_is_verified_again(
        compact, described, monkeypatch, tight, plane2, coverage, asked):
    import matching.index as index_module

    monkeypatch.setattr(index_module, "verify_pair", lambda *a, **k: _evidence(tight, plane2, coverage=coverage))
    who = Asked(described)
    compact._index.search([signature(transforms.crop(photo("coffee.png"), 0.7))], 3, {}, None, who)
    assert bool(who.asked) is asked


def test_an_index_of_whole_descriptors_never_asks_even_for_a_discounted_candidate(tmp_path, described,
                                                                                  monkeypatch):
    import matching.index as index_module

    whole = _engine(tmp_path / "whole", {n: described[n] for n in ("coffee.png", "color.png")}, code_bytes=None)
    monkeypatch.setattr(index_module, "verify_pair", lambda *a, **k: _evidence(40.0, 60.0))
    who = Asked(described)
    whole._index.search([signature(transforms.crop(photo("coffee.png"), 0.7))], 3, {}, None, who)
    assert who.asked == []


def test_a_work_verified_again_without_a_fit_keeps_no_placement_from_its_codes(compact, described,
                                                                               monkeypatch):
    import matching.index as index_module
    from matching.verify import _ZERO

    asked = Asked(described)
    # the codes: a fit, discounted; the whole descriptors (once a signature was asked for): none
    monkeypatch.setattr(index_module, "verify_pair",
                        lambda *a, **k: dict(_ZERO) if asked.asked else _evidence(40.0, 60.0))
    transforms_found: dict = {}
    found = compact._index.search([signature(transforms.crop(photo("coffee.png"), 0.7))], 3, transforms_found,
                                  None, asked)
    assert found and all(score == 0.0 for _, score in found) and asked.asked
    assert transforms_found == {}


def test_the_work_verified_again_is_paired_by_its_whole_descriptors_and_the_others_by_their_codes(
        compact, described, monkeypatch):
    """The neighbours _verify_whole gives verify: for each query point the nearest `nn` of the
    other shortlisted references' codes (found before) and the work's whole descriptors, nearest
    first, each with its own distance; none of the work's codes."""
    from matching.index import _Counted

    seen = []
    real = Index.verify

    def verify(self, f, slots, targets=None, words=None, shared=None, neighbours=None, *rest):
        seen.append((self, f, slots, targets, shared, neighbours))
        return real(self, f, slots, targets, words, shared, neighbours, *rest)
    monkeypatch.setattr(Index, "verify", verify)
    assert _best(compact, copy_of("color.png", "caption band"), Asked(described)).match
    at = next(i for i, call in enumerate(seen) if isinstance(call[4][2], _Counted))
    index, f, slots, [again], (both, owners, counted), (D2, I2) = seen[at]
    _, f0, slots0, _, (allrec, owner, _), (D, I) = next(c for c in reversed(seen[:at]) if c[1] is f)
    work = slots.index(again)
    assert slots0 == slots and index.names[again] == "color.png"
    assert counted.ntotal == len(both) == len(allrec) + len(described["color.png"].desc)
    assert (np.diff(np.where(I2 >= 0, D2, np.inf), axis=1) >= 0).all()           # nearest first
    whole = I2 >= len(allrec)
    assert whole.any() and (owners[I2[whole]] == work).all()
    codes = (I2 >= 0) & ~whole
    assert codes.any() and (owner[I2[codes]] != work).all()                     # none of the work's codes
    rows, cols = np.nonzero(whole)
    exact = np.bitwise_count(f.desc[rows] ^ described["color.png"].desc[I2[rows, cols] - len(allrec)]).sum(axis=1)
    assert np.array_equal(D2[rows, cols], exact)                                 # whole distances, exact
    found = {(r, i): d for r, row in enumerate(I) for i, d in zip(row, D[r])}
    assert all(found[(r, I2[r, c])] == D2[r, c] for r, c in zip(*np.nonzero(codes)))   # the codes' own
    # and nothing nearer was left out: each row's nearest whole descriptor is among its pairs
    from matching.index import _Neighbours, _records_of

    rec = index._verified(_records_of(described["color.png"], index.quantize(described["color.png"].desc)))
    Dw, _ = _Neighbours(rec, index._top_index(), index.p["vprobe"]).search(f.desc, 1)
    assert (D2[:, 0] <= Dw[:, 0]).all()


def test_the_undiscounted_score_leaves_out_only_the_second_plane(compact):
    index = compact._index
    st = _evidence(30.0, 60.0, coverage=0.075)
    assert index.score(st) == 0.0                          # zeroed by the discount
    assert index.score(st, discount=False) == pytest.approx(MATCH)   # the coverage still counts
    assert index.score(_evidence(30.0, 0.0)) == index.score(_evidence(30.0, 0.0), discount=False)


def test_a_probe_for_the_windows_is_never_verified_again(compact, described, monkeypatch):
    import matching.index as index_module

    monkeypatch.setattr(index_module, "verify_pair", lambda *a, **k: _evidence(40.0, 60.0))
    who = Asked(described)
    variant = signature(transforms.crop(photo("coffee.png"), 0.7))
    planes: dict = {}
    compact._index.search([variant], 3, {}, planes, who)   # the only variant is the probe
    assert planes and who.asked == []


# ---------------------------------------------------------------- the command line

def test_the_command_line_verifies_again_from_the_reference_folder(tmp_path):
    refs, queries = tmp_path / "refs", tmp_path / "queries"
    refs.mkdir(), queries.mkdir()
    for name in ["color.png", "coffee.png", "brick.png"]:
        photo(name).save(refs / name)
    (queries / "band.jpg").write_bytes(copy_of("color.png", "caption band"))
    index = tmp_path / "index"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "matching", *args], capture_output=True, text=True)
    assert run("index", str(refs), "--index", str(index), "--code-bytes", "8").returncode == 0

    def best(*extra):
        done = run("query", str(queries), "--index", str(index), "--workers", "1", *extra)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[0])["matches"][0]
    assert not best()["match"]
    found = best("--signatures-from", str(refs))
    assert found["ref"] == "color.png" and found["match"]
    (refs / "color.png").unlink()   # the work's file gone: the codes' word stands
    assert not best("--signatures-from", str(refs))["match"]
    refused = run("query", str(queries), "--index", str(index), "--signatures-from", str(tmp_path / "nowhere"))
    assert refused.returncode == 2 and "nowhere is not a folder" in refused.stderr
