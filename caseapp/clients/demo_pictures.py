"""Landscape 'photographs' drawn with Pillow: skies, ridges, a sun, water,
texture. Deterministic per seed, so every run makes the same works."""
from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

PALETTES = [
    ((18, 32, 74), (250, 160, 90), (40, 30, 50)),     # dusk
    ((90, 160, 230), (220, 240, 255), (40, 80, 50)),  # noon
    ((30, 20, 60), (240, 110, 120), (20, 25, 40)),    # sunset
    ((150, 190, 210), (235, 235, 225), (70, 90, 100)),  # haze
    ((10, 40, 60), (120, 200, 190), (10, 50, 40)),    # teal
    ((200, 120, 60), (255, 220, 150), (90, 50, 30)),  # desert
]


def _lerp(a, b, t):
    return tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3))


def landscape(seed: int, size: tuple[int, int] = (1200, 800)) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    top, horizon, ground = PALETTES[rng.randrange(len(PALETTES))]
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=_lerp(top, horizon, min(1.0, y / (height * 0.65))))
    # the sun or moon
    r = rng.randint(height // 14, height // 7)
    cx, cy = rng.randint(r, width - r), rng.randint(height // 8, height // 2)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_lerp(horizon, (255, 250, 230), 0.7))
    # ridges, far to near
    layers = rng.randint(3, 5)
    for layer in range(layers):
        t = (layer + 1) / layers
        base = int(height * (0.45 + 0.4 * t))
        color = _lerp(_lerp(horizon, top, 0.4), ground, t)
        points = [(0, height)]
        x, y = 0, base - rng.randint(0, height // 6)
        while x <= width:
            points.append((x, y))
            x += max(1, rng.randint(width // 30, width // 10))   # a picture under 30 pixels wide still ends
            y = max(height // 5, min(height - 10, y + rng.randint(-height // 8, height // 8)))
        points += [(width, height)]
        draw.polygon(points, fill=color)
    # trees or rocks on the nearest ridge
    for _ in range(rng.randint(5, 25)):
        tx = rng.randint(0, width)
        ty = rng.randint(int(height * 0.8), height)
        th = rng.randint(height // 20, height // 7)
        draw.polygon([(tx, ty - th), (tx - th // 4, ty), (tx + th // 4, ty)], fill=_lerp(ground, (0, 0, 0), 0.5))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    # film grain, so JPEG has texture to keep
    sigma = rng.randint(8, 20)
    return Image.blend(image, grain(rng.getrandbits(64), sigma, size), 0.06)


def grain(seed, sigma: float, size: tuple[int, int]) -> Image.Image:
    """Gaussian noise around mid-grey (RGB, `size` as width, height), the same for a seed (an
    int or a sequence of ints) in every process. Not Pillow's effect_noise: it draws from the C
    library's rand(), whose state is whatever the process drew before, so a seed made another
    picture after any earlier noise."""
    width, height = size
    values = np.random.default_rng(seed).normal(128.0, sigma, (height, width))
    return Image.fromarray(values.clip(0, 255).astype(np.uint8), "L").convert("RGB")


def landscape_jpeg(seed: int, size: tuple[int, int] = (1200, 800)) -> bytes:
    out = io.BytesIO()
    landscape(seed, size).save(out, "JPEG", quality=88)
    return out.getvalue()
