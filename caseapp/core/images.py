"""Thumbnails for the pages: small JPEGs made once, stored content-addressed."""
from __future__ import annotations

import io

from PIL import Image, ImageOps

THUMBNAIL_SIZE = (320, 320)
# Larger images are refused as possible decompression bombs. Set once, here, for every
# decoder in the process (Pillow raises past twice this, and thumbnail_bytes past it).
MAX_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def thumbnail_bytes(data: bytes, size: tuple[int, int] = THUMBNAIL_SIZE) -> tuple[bytes, int, int]:
    """A JPEG thumbnail of `data` and the original's width and height. The image is decoded
    reduced (JPEG draft, then a whole-factor reduce) before it is turned or converted, so a
    big image costs about what its decoded pixels take, once."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise Image.DecompressionBombError(
                f"{width} x {height} pixels is over the {MAX_PIXELS:,}-pixel limit")
        sixteen = image.mode.startswith("I;16")
        if image.mode in ("1", "P") or sixteen:   # Image.reduce cannot take them: first a nearest-pixel shrink
            image.thumbnail((size[0] * 4, size[1] * 4), Image.Resampling.NEAREST, reducing_gap=None)
            image = image.convert({"P": "RGBA", "1": "L"}.get(image.mode, "I"))
        image.thumbnail(size, reducing_gap=2.0)        # draft (JPEG) and reduce, then resample
        image = ImageOps.exif_transpose(image)
        if sixteen and image.getextrema()[1] > 255:   # 16-bit values: to 8 bits, as the matching engine reads them
            image = image.point(lambda v: v / 257)
        if image.mode == "I":
            image = image.convert("L")
        image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue(), width, height
