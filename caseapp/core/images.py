"""Thumbnails for the pages: small JPEGs made once, stored content-addressed."""
from __future__ import annotations

import io

from PIL import Image, ImageOps

THUMBNAIL_SIZE = (320, 320)


def thumbnail_bytes(data: bytes, size: tuple[int, int] = THUMBNAIL_SIZE) -> tuple[bytes, int, int]:
    """A JPEG thumbnail of `data` and the original's width and height."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        image.draft("RGB", size)
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(size)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue(), width, height
