"""Decoding any image people put on the web into an RGB array of bounded size.

JPEG, PNG, WebP, GIF (first frame), BMP, TIFF; modes RGB, RGBA, LA, P, L, 1,
CMYK, I;16, I, F; EXIF orientation applied; big JPEGs decoded at reduced size
with Pillow's draft mode. Anything else raises DecodeError with a message that
says what is wrong."""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# A decompression bomb guard: images larger than this are refused unread.
MAX_PIXELS = 80_000_000
# Decoded images are reduced so that their longer side is at most this.
WORK_SIZE = 640

Source = Union[str, os.PathLike, bytes, Image.Image, np.ndarray]


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
    except OSError as error:
        raise DecodeError(f"cannot open the image: {error}") from None


def load_rgb(source: Source, max_side: int = WORK_SIZE) -> np.ndarray:
    """The image as an H x W x 3 uint8 array, longer side at most `max_side`."""
    image = _open(source)
    try:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise DecodeError(f"{width} x {height} pixels is over the {MAX_PIXELS:,}-pixel limit "
                              "(a possible decompression bomb); not decoded")
        if width < 8 or height < 8:
            raise DecodeError(f"{width} x {height} pixels is too small to match")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's bomb warning: we checked the size ourselves
            if image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _to_rgb(image)
            if max(image.size) > max_side:
                image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
        return np.asarray(image, dtype=np.uint8)
    except DecodeError:
        raise
    except Image.DecompressionBombError as error:
        raise DecodeError(f"refused as a possible decompression bomb: {error}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise DecodeError(f"the image data is broken or truncated ({error})") from None
    finally:
        if not isinstance(source, Image.Image):
            image.close()


def _to_rgb(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        low, high = float(array.min()), float(array.max())
        scaled = (array - low) * (255.0 / (high - low)) if high > low else np.zeros_like(array)
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")
