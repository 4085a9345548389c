"""The perceptual-hash tier: near-exact copies found in a lookup, before any description.

A copy that is its work resized, recompressed, cropped by a few per cent, stretched, blurred
or with its brightness changed keeps the work's low frequencies, which a perceptual hash records (pHash:
the signs of the image's lowest DCT coefficients against their median; Zauner, "Implementation
and Benchmarking of Perceptual Image Hash Functions", 2010; the `imagehash` library). Such a
copy is found by comparing the query's hash with every reference's (16 microseconds for
1,000 references and 0.14 ms for 100,000, measured when the 64-bit hashes were read as a column
of all the hashes; for 1,000,000 about 1.3 ms from the index's contiguous copy of them, against
4.3 ms from the column: `near`), and
costs no description and no search. It is also the one evidence for smooth pictures (fog,
soft gradients, flat-colour designs) and for copies stretched or blurred until their corners
no longer correspond, which the geometric verification cannot place.

Two hashes of each image, one 64-bit and one 256-bit pHash: a pair is a near-exact copy when
both are close (NEAR_64 and NEAR_256 bits). Chance agreement of the coarse hash between
unrelated pictures is common; of both, not seen: on the tuning set (docs/benchmarks.md), every
wrong pair within 12 bits on the 64-bit hash was 102 bits or more apart on the 256-bit one
(with plain margins trimmed, none came within 12, and those at 14 were 98 or more apart).
A plain margin around the picture is trimmed first; flat pictures, and content too small to
hash, get no hash."""
from __future__ import annotations

import numpy as np
from PIL import Image

# A hash: 5 unsigned 64-bit words, the 64-bit pHash and then the 256-bit one.
WORDS = 5
# Bits a near-exact copy may differ by (chosen on the tuning set of docs/benchmarks.md, never on
# the yardsticks): 64-bit within 8 and 256-bit within 48 found 70 of its 228 copies with no wrong
# pair (the nearest wrong pair: 8 and 108 bits); within 6 and 32 found 65, within 12 and 72 74.
# With margins trimmed (below): 83 with no wrong pair.
NEAR_64 = 8
NEAR_256 = 48
# The image is reduced to this side (a box filter) before hashing: pHash's own LANCZOS resize
# of an 800-pixel image costs 7 ms, from 256 pixels 1.4 ms, for the same hash give or take 2 bits.
_SIDE = 256
# A plain margin (a canvas of one tone: a product shot or a clip-art on white, a padded copy) is
# trimmed before hashing: else its outline is most of the low frequencies, and two different
# subjects a quarter of the canvas wide hashed alike (found by review: 2 wrong pairs among 15
# photographs at a quarter of the width, 16 at 15%). The margin is the image's outermost pixels
# when MARGIN_SHARE of them lie within MARGIN_TONE grey levels of their median; the content is
# the rows and columns where more than CONTENT_SHARE of the pixels differ from it by more. A
# picture with no such pixel is flat (all one tone: its DCT coefficients are noise, and its hash
# would match any other flat picture's) and has no hash.
MARGIN_TONE = 12
MARGIN_SHARE = 0.9
CONTENT_SHARE = 0.01
# Content smaller than this (pixels, its shorter side after trimming) is too small to hash.
MIN_CONTENT = 48
# What is hashed must not be the canvas: when the border is a canvas (CANVAS_RING of its pixels
# within CANVAS_TONE grey levels of its median) and more than CANVAS_SHARE of what is hashed
# (reduced) is that tone too, there is no hash. A mark in a corner of the canvas (a watermark,
# a logo) stretches the content's box back over it, and a subject standing on an edge keeps the
# border from being a margin at all: different subjects a quarter of a white canvas wide with
# one corner mark hashed alike (11 pairs of 105; found by review). (A photograph's border is
# seldom that even: a texture such as a brick wall, box-filtered, is mostly its mean tone.)
CANVAS_TONE = 4
CANVAS_RING = 0.75
CANVAS_SHARE = 0.5
# Content whose reduced pixels vary less than this (standard deviation, grey levels) is flat: its
# DCT coefficients are noise (a black card on a white canvas, once trimmed).
FLAT = 4.0


def content(gray: np.ndarray) -> tuple[np.ndarray, int | None] | None:
    """`gray` without its plain margin, if it has one (see MARGIN_TONE), and the border's
    tone (the median of its outermost pixels) when the border is a canvas (CANVAS_RING), else
    None; None when what is left is under MIN_CONTENT pixels on a side (or nothing)."""
    ring = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]]).astype(np.int16)
    tone = int(np.median(ring))
    off = np.abs(ring - tone)
    canvas = tone if np.mean(off <= CANVAS_TONE) >= CANVAS_RING else None
    if np.mean(off <= MARGIN_TONE) >= MARGIN_SHARE:
        differs = np.abs(gray.astype(np.int16) - tone) > MARGIN_TONE
        rows = np.flatnonzero(differs.mean(axis=1) > CONTENT_SHARE)
        cols = np.flatnonzero(differs.mean(axis=0) > CONTENT_SHARE)
        if not len(rows) or not len(cols):
            return None
        gray = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return (gray, canvas) if min(gray.shape) >= MIN_CONTENT else None


def image_hash(gray: np.ndarray) -> np.ndarray | None:
    """The hash (WORDS uint64) of an 8-bit grayscale image's content (inside any plain
    margin), or None for a flat picture, content too small to hash, or content that is
    mostly the canvas's tone."""
    import imagehash

    found = content(gray)
    if found is None:
        return None
    small = Image.fromarray(found[0]).resize((_SIDE, _SIDE), Image.BOX)
    pixels = np.asarray(small, dtype=np.float32)
    if pixels.std() < FLAT:
        return None
    if found[1] is not None and np.mean(np.abs(pixels - found[1]) <= CANVAS_TONE) > CANVAS_SHARE:
        return None
    bits = np.concatenate([imagehash.phash(small, 8).hash.ravel(), imagehash.phash(small, 16).hash.ravel()])
    return np.packbits(bits).view(">u8").astype(np.uint64)


def near(query: np.ndarray, hashes: np.ndarray, usable: np.ndarray,
         coarse: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(row, bits apart on the 256-bit hash) of the `hashes` rows (n x WORDS) that are
    near-exact copies of `query` by both hashes, among the rows `usable` (a bool mask: live
    references that have a hash), nearest first. `coarse`: the 64-bit hashes (`hashes[:, 0]`)
    in one contiguous array, when the caller keeps one: every row's is compared, and read
    from a column of `hashes` that sweep takes three times as long (4.3 against 1.3 ms for a
    million references: docs/benchmarks.md, "Where a search's time goes")."""
    if len(usable) != len(hashes) or (coarse is not None and len(coarse) != len(hashes)):
        raise ValueError(f"{len(hashes)} hashes, {len(usable)} usable flags and "
                         f"{len(hashes) if coarse is None else len(coarse)} 64-bit hashes: one of each a reference")
    if not len(hashes):
        return []
    coarse = hashes[:, 0] if coarse is None else coarse
    rows = np.flatnonzero(np.bitwise_count(coarse ^ query[0]) <= NEAR_64)
    rows = rows[usable[rows]]   # the few near ones, not every row
    if not len(rows):
        return []
    fine = np.bitwise_count(hashes[rows, 1:] ^ query[1:]).sum(axis=1)
    keep = fine <= NEAR_256
    order = np.argsort(fine[keep], kind="stable")
    return [(int(r), int(d)) for r, d in zip(rows[keep][order], fine[keep][order])]


def score(bits: int) -> float:
    """A near-exact copy's score from the bits its 256-bit hash differs by: 1.0 for the same
    hash, down to 0.8125 at NEAR_256 (always a match: THRESHOLD is 0.5)."""
    return round(1.0 - bits / 256.0, 6)
