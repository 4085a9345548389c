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
    """A JPEG thumbnail of `data` and the original's width and height."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise Image.DecompressionBombError(
                f"{width} x {height} pixels is over the {MAX_PIXELS:,}-pixel limit")
        image.draft("RGB", size)
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(size)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue(), width, height
