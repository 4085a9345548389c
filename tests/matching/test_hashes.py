"""The perceptual-hash tier (matching.hashes): near-exact copies are found by their hash before
any description, smooth pictures that geometry cannot place among them; different pictures and
flat ones never pass for copies; the hashes follow their references through save, load,
removal, compaction, stored signatures and shards."""
from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image, ImageFilter

from matching import Engine, THRESHOLD, query_signature, signature, signature_bytes, signature_from_bytes
from matching import hashes
from matching.engine import MIRRORED, WHOLE
from matching.features import Features
from matching.hashes import NEAR_256, NEAR_64, image_hash, near
from matching.shards import ShardedEngine
from tests.matching import transforms
from tests.matching.conftest import DISTRACTORS, REFERENCES, photo


def _stretched(img: Image.Image, wide: float = 2.2) -> Image.Image:
    return img.resize((round(img.width * wide), img.height), Image.BILINEAR)


def test_a_resized_recompressed_copy_is_found_by_its_hash_without_a_description(engine):
    copy = transforms.jpeg(transforms.rescale(photo("chelsea.png"), 0.5), 40)
    query = query_signature(copy)
    found = engine.search(query, k=3)
    assert [m.ref_id for m in found] == ["chelsea.png"]
    assert found[0].match and found[0].score >= 0.9 and found[0].transform == WHOLE
    assert query.stages == []     # no description: the hash answered


@pytest.mark.parametrize("work", ["chelsea.png", "rocket.jpg", "astronaut.png"])
def test_a_mirrored_copy_is_found_by_its_mirror_hash_without_a_description(engine, work):
    """A copy that is its work mirrored, resized and recompressed: its own hash finds nothing,
    its mirror's does; it is placed over the whole work turned back, and not described."""
    copy = transforms.jpeg(transforms.rescale(transforms.flip(photo(work)), 0.5), 40)
    query = query_signature(copy)
    found = engine.search(query, k=3)
    assert [m.ref_id for m in found] == [work]
    assert found[0].match and found[0].score >= 0.9 and found[0].transform == MIRRORED
    assert query.stages == []


def test_the_mirror_placement_turns_the_copy_back():
    """MIRRORED takes a point of the query to the work's point it shows: x -> 1 - x."""
    H = np.array(MIRRORED).reshape(3, 3)
    for x, y in ((0.0, 0.0), (0.2, 0.7), (1.0, 0.5)):
        px, py, w = H @ np.array([x, y, 1.0])
        assert (px / w, py / w) == pytest.approx((1.0 - x, y))


def test_a_copy_its_own_hash_finds_never_computes_the_mirror_hash(engine):
    query = query_signature(transforms.rescale(photo("coffee.png"), 0.5))
    assert engine.search(query, k=1)[0].transform == WHOLE
    assert query._mirror_hash is False    # not computed: the query's own hash answered


def test_no_mirrored_photograph_is_a_near_copy_of_another(engine):
    """The distractors and the stereo pair's other view, mirrored: no reference is a near copy
    of any; and no reference is a near copy of another reference mirrored."""
    for name in DISTRACTORS + ["motorcycle_right.png"]:
        query = query_signature(photo(name))
        assert query.mirror_hash is not None
        assert engine._index.near_copies(query.mirror_hash) == [], name
    for name in REFERENCES:
        mirrored = query_signature(transforms.flip(photo(name))).hash
        others = [ref for ref, _ in engine._index.near_copies(mirrored) if ref != name]
        assert others == [], name


def test_shards_find_a_mirrored_copy_by_its_hash(tmp_path):
    sharded = ShardedEngine.open(tmp_path / "shards", 2)
    sharded.add_many([("3", photo("coffee.png")), ("5", photo("brick.png"))])
    query = query_signature(transforms.jpeg(transforms.rescale(transforms.flip(photo("coffee.png")), 0.5), 50))
    got = sharded.search(query, k=5)
    assert [m.ref_id for m in got] == ["3"] and got[0].transform == MIRRORED and query.stages == []


def test_a_copy_the_hash_does_not_know_is_searched_by_description(engine):
    """A crop to 60% changes the picture's low frequencies: the stages find it, as before."""
    query = query_signature(transforms.crop(photo("rocket.jpg"), 0.6))
    found = engine.search(query, k=3)
    assert found[0].ref_id == "rocket.jpg" and found[0].match and found[0].transform != WHOLE
    assert len(query.stages) >= 1


@pytest.mark.parametrize("work, make", [("chelsea.png", lambda im: im.filter(ImageFilter.GaussianBlur(6))),
                                        ("astronaut.png", _stretched)])
def test_a_copy_geometry_cannot_place_is_found_by_its_hash(engine, work, make):
    """A copy blurred until few corners are left, or stretched to twice its width (corners
    are not described alike under so unequal a scale): the stages alone do not call it a copy
    of its work; the hash does."""
    from matching.engine import staged_search

    def described_only(variants, k, placed, planes):
        return engine._index.search(variants, k, placed, planes)

    copy = make(photo(work))
    alone = staged_search(query_signature(copy), 3, described_only)
    assert not any(m.ref_id == work and m.match for m in alone), alone
    found = engine.search(query_signature(copy), k=3)
    assert [m.ref_id for m in found] == [work] and found[0].match


def test_no_two_different_photographs_are_near_copies():
    pictures = REFERENCES + DISTRACTORS + ["motorcycle_right.png"]
    found = {name: signature(photo(name)).hash for name in pictures}
    assert all(h is not None for h in found.values())
    for a, b in itertools.combinations(pictures, 2):
        assert near(found[a], found[b][None, :], np.ones(1, bool)) == [], (a, b)


def test_the_other_view_of_a_stereo_pair_is_not_a_near_copy(engine):
    """The motorcycle's right view beside the left one in the index: as it is and resized."""
    for query in (photo("motorcycle_right.png"), transforms.rescale(photo("motorcycle_right.png"), 0.5)):
        assert all(m.ref_id != "motorcycle_left.png" or not m.match for m in engine.search(query, k=5))


def test_a_flat_picture_has_no_hash_and_matches_no_other_flat_picture(tmp_path):
    grey, blue = Image.new("RGB", (800, 600), (128, 128, 128)), Image.new("RGB", (800, 600), (20, 40, 200))
    assert signature(grey).hash is None and query_signature(blue).hash is None
    engine = Engine.open(tmp_path / "index")
    engine.add("grey", grey)
    assert engine.search(blue, k=3) == [] or not engine.search(blue, k=3)[0].match


@pytest.mark.parametrize("step, flat", [(hashes.MARGIN_TONE, True), (hashes.MARGIN_TONE + 1, False)])
def test_a_picture_within_the_margin_tone_of_its_border_is_flat(step, flat):
    """Both sides of MARGIN_TONE: a mid-grey picture with a textured square `step` grey levels
    lighter has no hash when the step is within the margin's tone (all of it is margin)."""
    gray = np.full((600, 600), 120, np.uint8)
    gray[150:450, 150:450] += np.uint8(step)
    gray[150:450:7, 150:450] = 120           # lines across the square: texture for the hash
    assert (image_hash(gray) is None) is flat


def _at(base: np.ndarray, coarse: int, fine: int) -> np.ndarray:
    """`base` with `coarse` bits of the 64-bit hash and `fine` of the 256-bit one flipped."""
    out = base.copy()
    out[0] ^= np.uint64((1 << coarse) - 1)
    for word in range(1, hashes.WORDS):
        flip = min(64, max(0, fine - 64 * (word - 1)))
        out[word] ^= np.uint64((1 << flip) - 1) if flip < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    return out


@pytest.mark.parametrize("coarse, fine, copy", [
    (NEAR_64, NEAR_256, True), (NEAR_64 + 1, 0, False), (0, NEAR_256 + 1, False), (0, 0, True),
    (NEAR_64 + 1, NEAR_256 + 1, False)])
def test_a_near_copy_is_near_on_both_hashes(coarse, fine, copy):
    base = np.array([0x0123456789ABCDEF, 0x1111, 0x2222, 0x3333, 0x4444], np.uint64)
    other = _at(base, coarse, fine)
    assert int(np.bitwise_count(base[0] ^ other[0])) == coarse
    assert int(np.bitwise_count(base[1:] ^ other[1:]).sum()) == fine
    assert near(base, other[None, :], np.ones(1, bool)) == ([(0, fine)] if copy else [])


def test_near_copies_come_nearest_first_and_only_among_the_usable():
    base = np.zeros(hashes.WORDS, np.uint64)
    rows = np.stack([_at(base, 2, 30), _at(base, 0, 0), _at(base, 1, 10), _at(base, 0, 0)])
    assert near(base, rows, np.array([True, True, True, False])) == [(1, 0), (2, 10), (0, 30)]
    assert near(base, rows[:0], np.zeros(0, bool)) == []


def test_the_coarse_column_kept_contiguous_finds_what_the_hashes_column_finds():
    """near() with the index's contiguous copy of the 64-bit hashes answers as from the
    hashes' own column: the same rows, the same order, the usable mask applied to them."""
    rng = np.random.default_rng(4)
    base = rng.integers(0, 2 ** 63, hashes.WORDS, dtype=np.uint64)
    rows = rng.integers(0, 2 ** 63, (2000, hashes.WORDS), dtype=np.uint64)
    for i, (c, f) in enumerate([(0, 0), (3, 20), (8, 48), (9, 0), (2, 49), (1, 5)]):
        rows[100 * i + 7] = _at(base, c, f)
    usable = np.ones(len(rows), bool)
    usable[507] = False   # (1, 5): near, but not usable
    expected = [(7, 0), (107, 20), (207, 48)]
    assert near(base, rows, usable) == expected
    assert near(base, rows, usable, np.ascontiguousarray(rows[:, 0])) == expected


def test_an_index_looks_up_the_hashes_it_holds_now(tmp_path):
    """The contiguous copy of the 64-bit hashes is made again when the hashes change after a
    lookup: a reference added; removed, compacted away and added again, so that the index holds
    as many hashes as at the last lookup, in other slots."""
    engine = Engine.open(tmp_path / "index")
    engine.add("astronaut.png", photo("astronaut.png"))
    copy = query_signature(transforms.jpeg(transforms.rescale(photo("coffee.png"), 0.6), 50))
    assert engine._index.near_copies(copy.hash) == []
    engine.add("coffee.png", photo("coffee.png"))
    assert [ref for ref, _ in engine._index.near_copies(copy.hash)] == ["coffee.png"]   # slots 0, 1
    engine.save()
    engine.remove("astronaut.png")
    engine.save()
    assert engine.compact()["compacted"]   # coffee.png moves to slot 0
    engine.add("astronaut.png", photo("astronaut.png"))   # slot 1: two hashes again, the other way round
    assert [ref for ref, _ in engine._index.near_copies(copy.hash)] == ["coffee.png"]
    assert [ref for ref, _ in engine._index.near_copies(query_signature(photo("astronaut.png")).hash)] \
        == ["astronaut.png"]


def test_the_hashes_lookup_refuses_flags_for_other_references():
    """near() takes one usable flag and one 64-bit hash a reference: others are a caller's
    mistake, said so, not answered from the wrong rows."""
    rows = np.zeros((3, hashes.WORDS), np.uint64)
    with pytest.raises(ValueError, match="3 hashes, 4 usable flags"):
        near(rows[0], rows, np.ones(4, bool))
    with pytest.raises(ValueError, match="3 hashes, 3 usable flags and 2 64-bit hashes"):
        near(rows[0], rows, np.ones(3, bool), np.zeros(2, np.uint64))


def test_a_near_copy_scores_by_its_fine_hash_and_is_always_a_match():
    assert hashes.score(0) == 1.0
    assert hashes.score(NEAR_256) == pytest.approx(1 - NEAR_256 / 256)
    assert hashes.score(NEAR_256) >= THRESHOLD


def test_hashes_survive_save_load_removal_and_compaction(tmp_path):
    names = ["astronaut.png", "coffee.png", "brick.png"]
    engine = Engine.open(tmp_path / "index")
    engine.add_many((name, photo(name)) for name in names)
    engine.save()
    copy = transforms.jpeg(transforms.rescale(photo("brick.png"), 0.6), 50)
    assert [m.ref_id for m in Engine.open(tmp_path / "index").search(query_signature(copy))] == ["brick.png"]
    engine.remove("astronaut.png")
    after = engine.search(query_signature(photo("astronaut.png")))
    assert all(m.ref_id in engine.ref_ids() and m.transform != WHOLE for m in after), after
    engine.save()
    assert engine.compact()["compacted"]
    again = Engine.open(tmp_path / "index")   # brick.png now sits in slot 1, its hash with it
    query = query_signature(copy)
    assert [m.ref_id for m in again.search(query)] == ["brick.png"] and query.stages == []
    assert [m.ref_id for m in again.search(query_signature(photo("coffee.png")))] == ["coffee.png"]


def test_an_index_saved_before_the_hash_tier_is_searched_by_description(tmp_path):
    engine = Engine.open(tmp_path / "index")
    engine.add("coffee.png", photo("coffee.png"))
    engine.save()
    slots = next((tmp_path / "index").glob("slots-*.npz"))
    with np.load(slots) as z:
        old = {key: z[key] for key in z.files if key not in ("hashes", "hashed")}
    np.savez(slots, **old)
    query = query_signature(transforms.jpeg(photo("coffee.png"), 50))
    found = Engine.open(tmp_path / "index").search(query)
    assert found[0].ref_id == "coffee.png" and found[0].match and found[0].transform != WHOLE
    assert len(query.stages) >= 1


def test_a_stored_signature_keeps_its_hash_and_an_older_one_has_none():
    from matching import hashed_signature

    features = signature(photo("coffee.png"))
    data = signature_bytes(features)
    assert np.array_equal(signature_from_bytes(data).hash, features.hash) and hashed_signature(data)
    older = io.BytesIO()
    np.savez_compressed(older, xy=features.xy, desc=features.desc, scale=features.scale,
                        size=np.array(features.size, np.int32))
    assert signature_from_bytes(older.getvalue()).hash is None and not hashed_signature(older.getvalue())
    flat = signature(Image.new("RGB", (800, 600), (90, 90, 90)))       # made with the tier: no hash to find
    assert flat.hash is None and hashed_signature(signature_bytes(flat))
    assert signature_from_bytes(signature_bytes(flat)).hash is None


def test_shards_answer_near_copies_as_one_index_nearest_first_then_by_id(tmp_path):
    """The same picture uploaded as two works (ids 3 and 4, in two shards) and another:
    a copy finds both, the lower id first, as one index would."""
    sharded = ShardedEngine.open(tmp_path / "shards", 2)
    single = Engine.open(tmp_path / "single")
    items = [("3", photo("coffee.png")), ("4", photo("coffee.png")), ("5", photo("brick.png"))]
    sharded.add_many(items)
    single.add_many(items)
    query = transforms.jpeg(transforms.rescale(photo("coffee.png"), 0.5), 50)
    got = sharded.search(query, k=5)
    assert [m.ref_id for m in got] == ["3", "4"] and all(m.match for m in got)
    assert got == single.search(query, k=5)
    assert [m.ref_id for m in sharded.search(query, k=1)] == ["3"]


def test_a_reference_signature_finds_its_twin_by_hash_and_a_crop_of_it_by_description(tmp_path):
    """A work's signature searched alone (as caseapp looks for the same image in other
    clients' portfolios): its resized twin is found by its hash, and a crop of it that
    another client holds by the description, both in one answer."""
    engine = Engine.open(tmp_path / "index")
    engine.add_many([("1", photo("coffee.png")), ("2", transforms.crop(photo("coffee.png"), 0.7)),
                     ("3", photo("brick.png"))])
    twin = signature(transforms.jpeg(transforms.rescale(photo("coffee.png"), 0.7), 60))
    found = engine.search([twin], k=3)
    assert [m.ref_id for m in found] == ["1", "2"] and all(m.match for m in found), found
    assert found[0].score >= hashes.score(NEAR_256) and found[1].transform != WHOLE
    twin.hash = None      # without a hash: both by description, as before
    assert [m.ref_id for m in engine.search([twin], k=3)][:2] == ["1", "2"]
    blurred = signature(photo("coffee.png").filter(ImageFilter.GaussianBlur(10)))   # the description misses it
    assert not any(m.ref_id == "1" and m.match for m in engine.search([Features(blurred.xy, blurred.desc,
                                                                                 blurred.size, blurred.scale)], k=3))
    found = engine.search([blurred], k=3)
    assert found[0].ref_id == "1" and found[0].transform == WHOLE and found[0].match


def _on_canvas(name: str, share: float, tone: int = 255, side: int = 800) -> Image.Image:
    """The photograph `share` of the canvas wide, in the middle of a plain square canvas (a
    product shot or a clip-art on white)."""
    canvas = Image.new("RGB", (side, side), (tone,) * 3)
    picture = photo(name)
    width = round(side * share)
    picture = picture.resize((width, max(1, round(width * picture.height / picture.width))))
    canvas.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    return canvas


def _marked(img: Image.Image) -> Image.Image:
    """A dark mark in the bottom right corner of the canvas (a watermark, a studio logo)."""
    from PIL import ImageDraw

    out = img.copy()
    ImageDraw.Draw(out).rectangle((700, 770, 790, 784), fill=(90, 90, 90))
    return out


@pytest.mark.parametrize("share", [0.4, 0.25, 0.15])
def test_different_subjects_on_a_marked_canvas_are_not_near_copies(share):
    """A corner mark stretches the content's box back over the canvas: what is hashed would be
    mostly canvas, so there is no hash (2 subjects a quarter wide hashed alike before)."""
    pictures = REFERENCES + DISTRACTORS
    found = {name: signature(_marked(_on_canvas(name, share))).hash for name in pictures}
    hashed = [name for name in pictures if found[name] is not None]
    for a, b in itertools.combinations(hashed, 2):
        assert near(found[a], found[b][None, :], np.ones(1, bool)) == [], (a, b)


def test_flat_content_on_a_canvas_has_no_hash():
    """A black card and a grey banner on white: trimmed, each is one tone (their hashes were
    noise, one bit apart, before the flat check)."""
    from PIL import ImageDraw

    card, banner = Image.new("RGB", (800, 800), "white"), Image.new("RGB", (800, 800), "white")
    ImageDraw.Draw(card).rectangle((300, 250, 500, 550), fill="black")
    ImageDraw.Draw(banner).rectangle((150, 250, 650, 550), fill=(128, 128, 128))
    assert signature(card).hash is None and signature(banner).hash is None


@pytest.mark.parametrize("canvas, hashed", [(0.48, True), (0.53, False)])
def test_content_that_is_mostly_canvas_has_no_hash(canvas, hashed):
    """Both sides of CANVAS_SHARE: on a plain canvas, a 600-pixel square whose left part is
    textured, its right edge a textured line, and the rest the canvas's tone: `canvas` of the
    square (less the line) is canvas."""
    rng = np.random.default_rng(5)
    gray = np.full((800, 800), 250, np.uint8)
    band = round(600 * (1 - canvas))
    gray[100:700, 100:100 + band] = rng.integers(0, 120, (600, band), dtype=np.uint8)
    gray[100:700, 696:700] = rng.integers(0, 120, (600, 4), dtype=np.uint8)
    assert hashes.content(gray)[0].shape == (600, 600)
    assert (image_hash(gray) is not None) is hashed


@pytest.mark.parametrize("share, tone", [(0.25, 255), (0.15, 255), (0.1, 255), (0.25, 0)])
def test_different_subjects_on_plain_canvases_are_not_near_copies(share, tone):
    """The canvas's outline is not the picture: different subjects a quarter, 15% or a tenth
    of a white (or black) canvas wide never hash alike (they did before margins were trimmed)."""
    pictures = REFERENCES + DISTRACTORS
    found = {name: signature(_on_canvas(name, share, tone)).hash for name in pictures}
    hashed = [name for name in pictures if found[name] is not None]
    assert len(hashed) >= len(pictures) // 2
    for a, b in itertools.combinations(hashed, 2):
        assert near(found[a], found[b][None, :], np.ones(1, bool)) == [], (a, b)


def test_a_work_on_a_plain_canvas_is_found_from_its_copy_without_the_canvas(engine):
    """A padded copy and the work itself hash alike once the margin is trimmed."""
    padded = transforms.jpeg(_on_canvas("chelsea.png", 0.6), 60)
    query = query_signature(padded)
    found = engine.search(query, k=3)
    assert [m.ref_id for m in found] == ["chelsea.png"] and query.stages == []


@pytest.mark.parametrize("side, hashed", [(hashes.MIN_CONTENT - 1, False), (hashes.MIN_CONTENT, True)])
def test_content_smaller_than_the_bound_has_no_hash(side, hashed):
    """Both sides of MIN_CONTENT: a textured square `side` pixels wide on a white canvas."""
    rng = np.random.default_rng(3)
    gray = np.full((600, 600), 255, np.uint8)
    gray[200:200 + side, 300:300 + side] = rng.integers(0, 200, (side, side), dtype=np.uint8)
    assert (image_hash(gray) is not None) is hashed
    assert hashes.content(gray)[0].shape == (side, side) if hashed else hashes.content(gray) is None


def test_a_picture_without_a_plain_margin_is_hashed_whole():
    from matching.decode import load_gray

    gray = load_gray(photo("astronaut.png"), 800)
    found, canvas = hashes.content(gray)
    assert found is gray and canvas is None


def test_a_name_given_twice_in_one_batch_is_one_reference(tmp_path):
    engine = Engine.open(tmp_path / "index")
    engine.add_many([("a", photo("coffee.png")), ("a", photo("coffee.png")), ("b", photo("brick.png"))])
    assert len(engine) == 2 and len(engine._index.names) == 2
    assert [m.ref_id for m in engine.search(query_signature(photo("coffee.png")), k=5)] == ["a"]
