"""Thumbnails are made from the image decoded reduced: a big image is never turned or
converted at full size."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from caseapp.core.images import thumbnail_bytes


@pytest.mark.parametrize("mode, fmt", [("P", "GIF"), ("L", "PNG"), ("RGB", "JPEG"), ("I;16", "TIFF"), ("1", "PNG")])
def test_a_big_image_is_converted_only_once_small(monkeypatch, mode, fmt):
    base = Image.effect_mandelbrot((6000, 5000), (-2, -1.2, 1, 1.2), 50)
    image = base.convert("I;16") if mode == "I;16" else base.convert(mode)
    out = io.BytesIO()
    image.save(out, fmt)
    converted = []
    real_convert = Image.Image.convert

    def convert(self, *args, **kwargs):
        converted.append(self.size)
        return real_convert(self, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "convert", convert)
    thumb, width, height = thumbnail_bytes(out.getvalue())
    assert (width, height) == (6000, 5000)
    assert all(max(size) <= 4 * 320 for size in converted), converted
    with Image.open(io.BytesIO(thumb)) as small:
        assert small.size == (320, 267) and small.mode == "RGB"
        assert max(small.convert("L").getextrema()) > 100        # not a black (or clipped white) picture
