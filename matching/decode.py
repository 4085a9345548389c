"""Decoding any image people put on the web into an 8-bit grayscale array of bounded size.

JPEG, PNG, WebP, GIF (first frame), BMP, TIFF; modes RGB, RGBA, LA, P, L, 1, CMYK,
I;16, I, F; EXIF orientation applied; big JPEGs decoded at reduced size with Pillow's
draft mode. Anything else raises DecodeError with a message that says what is wrong."""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# A decompression-bomb guard: images with more pixels are refused before decoding.
MAX_PIXELS = 120_000_000

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


def load_gray(source: Source, max_side: int = 1024, min_side: int = 0) -> np.ndarray:
    """Decode `source` (path, bytes, PIL image or array): first frame, EXIF orientation
    applied, JPEG draft decoding for big files, then scaled so that the long side is at
    most `max_side` (and, with `min_side`, at least `min_side`)."""
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
            try:
                im.seek(0)
            except EOFError:
                pass
            im.load()
            g = _to_gray(ImageOps.exif_transpose(im))
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
