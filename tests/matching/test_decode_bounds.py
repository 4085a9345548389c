"""Decoding is bounded by pixels and by work: a JPEG is decoded reduced (DCT scaling), other
formats are refused unread past the decoding budget and otherwise reduced right after they
are decoded, before any conversion; the hard pixel limit stays for everything."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from matching import decode
from matching.decode import DecodeError, load_gray
from matching.engine import QUERY_MIN_SIDE, query_signature

SIDE = 1024   # the long side these tests' sizes are worked out for (a query's is engine.QUERY_SIDE)


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.fixture()
def decoded_sizes(monkeypatch):
    """The sizes at which Pillow decodes (load) and at which the gray conversion runs."""
    seen = {"load": [], "gray": []}
    real_load, real_gray = Image.Image.load, decode._to_gray

    def load(self):
        if getattr(self, "tile", None):   # a real decode, not an image already in memory
            seen["load"].append(self.size)
        return real_load(self)

    def to_gray(im):
        seen["gray"].append(im.size)
        return real_gray(im)

    monkeypatch.setattr(Image.Image, "load", load)
    monkeypatch.setattr(decode, "_to_gray", to_gray)
    return seen


def test_a_big_jpeg_is_decoded_reduced(decoded_sizes):
    data = _encoded(Image.effect_mandelbrot((8000, 6000), (-2, -1.2, 1, 1.2), 50).convert("RGB"), "JPEG")
    gray = load_gray(data, SIDE, QUERY_MIN_SIDE)
    assert gray.shape == (768, 1024)
    (decoded,) = decoded_sizes["load"]
    assert decoded == (2000, 1500)     # DCT scaling by 1/4: 48 megapixels never decoded whole


def test_a_big_png_is_reduced_before_it_is_converted(decoded_sizes):
    data = _encoded(Image.effect_mandelbrot((8000, 6000), (-2, -1.2, 1, 1.2), 50), "PNG")   # L: 48 MB decoded
    gray = load_gray(data, SIDE, QUERY_MIN_SIDE)
    assert gray.shape == (768, 1024)
    assert decoded_sizes["gray"] == [(2667, 2000)]   # reduced by 3 right after decoding


@pytest.mark.parametrize("mode, size", [("RGB", (8000, 7000)), ("RGBA", (6000, 5000)), ("I;16", (12000, 10000))])
def test_past_the_decoding_budget_an_image_is_refused_unread(decoded_sizes, mode, size):
    image = Image.new("RGB" if mode == "I;16" else mode, size, "white")
    data = _encoded(image.convert("I;16") if mode == "I;16" else image, "PNG" if mode != "I;16" else "TIFF")
    with pytest.raises(DecodeError, match=r"MB to decode, over the 192 MB limit"):
        query_signature(data)
    assert decoded_sizes["load"] == []


def test_the_budget_is_a_parameter_and_the_pixel_limit_stays(decoded_sizes):
    data = _encoded(Image.new("RGB", (8000, 7000), "white"), "PNG")
    assert load_gray(data, 800, max_decode_bytes=512 * 1024 * 1024).shape == (700, 800)   # a work's budget
    bomb = _encoded(Image.new("1", (12000, 11000)), "PNG")
    with pytest.raises(DecodeError, match="pixel limit"):
        load_gray(bomb, 800, max_decode_bytes=2 ** 40)
    assert len(decoded_sizes["load"]) == 1


@pytest.mark.parametrize("mode", ["P", "1", "LA", "I;16", "CMYK"])
def test_modes_that_cannot_be_reduced_directly_still_are(mode):
    image = Image.effect_mandelbrot((3000, 2500), (-2, -1.2, 1, 1.2), 50)
    image = image.convert("I;16") if mode == "I;16" else image.convert(mode)
    gray = load_gray(_encoded(image, "TIFF"), SIDE, QUERY_MIN_SIDE)
    assert gray.shape == (853, 1024) and gray.std() > 10
