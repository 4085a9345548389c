"""Decoding any image people put on the web into an 8-bit grayscale array of bounded size.

JPEG, PNG, WebP, GIF (first frame), BMP, TIFF; modes RGB, RGBA, LA, P, L, 1, CMYK,
I;16, I, F; EXIF orientation applied. Anything else raises DecodeError with a message that
says what is wrong.

Decoding is bounded by pixels and by work. An image of more than MAX_PIXELS is refused
unread (a decompression bomb). A JPEG is decoded reduced by DCT scaling (Pillow's draft) to
about the size the engine describes; other formats cannot be decoded reduced, so what they
would cost to decode whole (the bytes of the decoded pixels, and of the one full-size copy
some modes need before reducing) must stay within `max_decode_bytes`; once decoded they are
reduced by a whole factor (Image.reduce) before any other work, so conversions and EXIF
rotation run on the small image."""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, UnidentifiedImageError

# A decompression-bomb guard: images with more pixels are refused before decoding.
MAX_PIXELS = 120_000_000
# The work bound: what decoding may cost, in bytes of decoded pixels (see decode_cost).
# 192 MB: a 50-megapixel RGB PNG or a 100-megapixel grayscale one; any JPEG under
# MAX_PIXELS costs far less, since it is decoded reduced.
MAX_DECODE_BYTES = 192 * 1024 * 1024
# Bytes a pixel costs to decode whole, by mode: Pillow keeps RGB, CMYK, LA, I and F in 4 bytes
# a pixel; modes with alpha need a premultiplied full-size copy to reduce; "1", "P" and
# "I;16" are converted at full size first (to L, RGBA or L, and I).
_COST = {"1": 2, "L": 1, "P": 2, "P+alpha": 9, "PA": 8, "LA": 8, "La": 4, "RGB": 4, "RGBA": 8, "RGBa": 4,
         "RGBX": 4, "CMYK": 4, "YCbCr": 4, "LAB": 4, "HSV": 4, "I": 4, "F": 4, "I;16": 6, "I;16B": 6,
         "I;16L": 6, "I;16N": 6}
# Reduce to at least this many times the wanted size (Pillow's reducing_gap): close to fair resampling.
REDUCING_GAP = 2
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}

Source = Union[str, os.PathLike, bytes, bytearray, Image.Image, np.ndarray]


class DecodeError(ValueError):
    """The input is not an image we can read; the message says why."""


def _open(source: Source) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, np.ndarray):
        return Image.fromarray(source)
    try:
        if isinstance(source, (bytes, bytearray)):
            if not source:
                raise DecodeError("the file is empty (0 bytes)")
            return Image.open(io.BytesIO(source))
        path = Path(source)
        if path.stat().st_size == 0:
            raise DecodeError("the file is empty (0 bytes)")
        return Image.open(path)
    except FileNotFoundError:
        raise DecodeError(f"no such file: {source}") from None
    except UnidentifiedImageError:
        raise DecodeError("not an image (unknown format); expected JPEG, PNG, WebP or GIF") from None
    except Image.DecompressionBombError as error:
        raise DecodeError(f"refused as a possible decompression bomb ({error})") from None
    except OSError as error:
        raise DecodeError(f"cannot open the image: {error}") from None


def _to_gray(im: Image.Image) -> Image.Image:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(im, dtype=np.float32)
        hi = float(a.max()) if a.size else 0.0
        if hi > 255:
            a = a * (255.0 / (65535.0 if hi <= 65535 else hi))
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    if mode == "P":
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        background = Image.new("RGBA", im.size, (255, 255, 255, 255))
        background.alpha_composite(im)  # transparent areas read as white, as browsers show them
        im = background
    if im.mode == "CMYK":
        im = im.convert("RGB")
    if im.mode != "L":
        im = im.convert("L")
    return im


def _has_alpha(im: Image.Image) -> bool:
    return im.mode == "P" and ("transparency" in im.info or (im.palette is not None and im.palette.mode == "RGBA"))


def decode_cost(im: Image.Image) -> int:
    """Bytes that decoding `im` at its current size (after any draft) costs, before reducing."""
    mode = "P+alpha" if _has_alpha(im) else im.mode
    return im.size[0] * im.size[1] * _COST.get(mode, 8)


def _reduced(im: Image.Image, max_side: int) -> Image.Image:
    """`im` made smaller by the largest whole factor that keeps its long side at least twice
    `max_side` (a box filter over the decoded pixels: cheap, no full-size copy for most modes;
    the final resize from twice the size is as good as one from the full size)."""
    factor = max(im.size) // (REDUCING_GAP * max_side) if max_side else 1
    if factor < 2:
        return im
    if im.mode == "1":
        im = im.convert("L")
    elif im.mode == "P":
        im = im.convert("RGBA" if _has_alpha(im) else "L")
    elif im.mode.startswith("I;16"):
        im = im.convert("I")
    elif im.mode not in _COST:
        im = im.convert("RGBA")
    return im.reduce(factor)


def load_gray(source: Source, max_side: int = 1024, min_side: int = 0,
              max_decode_bytes: int = MAX_DECODE_BYTES) -> np.ndarray:
    """Decode `source` (path, bytes, PIL image or array): first frame, EXIF orientation
    applied, decoded reduced to about `max_side` (JPEG draft; a whole-factor reduce for the
    rest), then scaled so that the long side is at most `max_side` (and, with `min_side`, at
    least `min_side`). DecodeError past MAX_PIXELS or past `max_decode_bytes` of work."""
    im = _open(source)
    try:
        w, h = im.size
        if w * h > MAX_PIXELS:
            raise DecodeError(f"{w} x {h} pixels is over the {MAX_PIXELS:,}-pixel limit "
                              "(a possible decompression bomb); not decoded")
        if w < 16 or h < 16:
            raise DecodeError(f"{w} x {h} pixels is too small to match")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: checked above
            if im.format == "JPEG":
                s = max_side / max(w, h)
                if s < 1:  # the smallest DCT scale that keeps both sides >= the request
                    im.draft(im.mode if im.mode in ("L", "RGB") else None,
                             (int(w * s) + 1, int(h * s) + 1))
            cost = decode_cost(im)
            if cost > max_decode_bytes:
                raise DecodeError(f"{w} x {h} pixels ({im.mode}) would take {cost / 2 ** 20:.0f} MB to decode, "
                                  f"over the {max_decode_bytes / 2 ** 20:.0f} MB limit; not decoded "
                                  "(a smaller image or a JPEG, which is decoded reduced, is read)")
            try:
                im.seek(0)
            except EOFError:
                pass
            orientation = im.getexif().get(0x0112)
            im.load()
            small = _reduced(im, max_side)
            if orientation in _TRANSPOSE:
                small = small.transpose(_TRANSPOSE[orientation])
            g = _to_gray(small)
            if g is im:   # nothing to reduce, turn or convert: keep it past close() below
                g = g.copy()
    except DecodeError:
        raise
    except Image.DecompressionBombError as error:
        raise DecodeError(f"refused as a possible decompression bomb: {error}") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as error:
        raise DecodeError(f"the image data is broken or truncated ({error})") from None
    finally:
        if not isinstance(source, Image.Image):
            im.close()
    w, h = g.size
    long = max(w, h)
    target = max_side if long > max_side else (min_side if min_side and long < min_side else long)
    if target != long:
        s = target / long
        g = g.resize((max(1, round(w * s)), max(1, round(h * s))),
                     Image.BILINEAR if s > 1 else Image.BOX)
    return np.asarray(g, dtype=np.uint8)
