"""The transform families of copy detection (DISC21 / AugLy), made with Pillow
so the tests need no network and no model: each takes and returns a PIL image."""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # older Pillow
        return ImageFont.load_default()


def crop(img, frac=0.7, seed=0):
    rng = random.Random(seed)
    w, h = img.size
    cw, ch = int(w * frac), int(h * frac)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    return img.crop((x, y, x + cw, y + ch))


def rescale(img, factor=0.4):
    return img.resize((max(8, int(img.width * factor)), max(8, int(img.height * factor))), Image.BILINEAR)


def jpeg(img, quality=15):
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def text_overlay(img, seed=0):
    rng = random.Random(seed)
    out = img.copy()
    draw = ImageDraw.Draw(out)
    size = max(12, img.height // 10)
    for i in range(3):
        draw.text((rng.randint(0, img.width // 2), rng.randint(0, img.height - size)),
                  "SALE -50% www.shop.example", fill=(255, 255, 0), font=_font(size))
    return out


def emoji_overlay(img, seed=0):
    """Stickers: filled circles with a face, as emoji overlays cover a part of the picture."""
    rng = random.Random(seed)
    out = img.copy()
    draw = ImageDraw.Draw(out)
    for _ in range(2):
        r = img.width // 9
        x, y = rng.randint(r, img.width - r), rng.randint(r, img.height - r)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 204, 0), outline=(0, 0, 0), width=3)
        draw.ellipse((x - r // 2, y - r // 3, x - r // 4, y), fill=(0, 0, 0))
        draw.ellipse((x + r // 4, y - r // 3, x + r // 2, y), fill=(0, 0, 0))
        draw.arc((x - r // 2, y, x + r // 2, y + r // 2), 0, 180, fill=(0, 0, 0), width=4)
    return out


def screenshot(img):
    """The image inside a web page: browser chrome, text around it, scaled down."""
    w, h = img.size
    page = Image.new("RGB", (int(w * 1.5), int(h * 1.6)), (250, 250, 250))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, page.width, h // 8), fill=(222, 225, 230))
    draw.rounded_rectangle((w // 10, h // 40, page.width - w // 10, h // 12), 8, fill=(255, 255, 255))
    for row in range(6):
        y = h // 6 + row * h // 40
        draw.line((w // 20, y, page.width - w // 20, y), fill=(120, 120, 120), width=2)
    page.paste(img, (w // 6, h // 3))
    return page.resize((page.width * 2 // 3, page.height * 2 // 3), Image.BILINEAR)


def meme(img):
    """A white band on top with a caption, as meme generators make."""
    band = img.height // 4
    out = Image.new("RGB", (img.width, img.height + band), (255, 255, 255))
    out.paste(img, (0, band))
    ImageDraw.Draw(out).text((img.width // 20, band // 4), "when the client sees the invoice",
                             fill=(0, 0, 0), font=_font(max(12, band // 3)))
    return out


def colour(img):
    out = ImageEnhance.Color(img).enhance(1.8)
    out = ImageEnhance.Brightness(out).enhance(1.25)
    return ImageEnhance.Contrast(out).enhance(0.8)


def grayscale(img):
    return ImageOps.grayscale(img).convert("RGB")


def flip(img):
    return ImageOps.mirror(img)


def rotate(img, degrees=12):
    return img.rotate(degrees, resample=Image.BILINEAR, expand=True, fillcolor=(0, 0, 0))


def perspective(img, amount=0.12):
    w, h = img.size
    d = amount
    # map the output quad back to the input: a keystone tilt
    coeffs = _perspective_coeffs(
        [(0, 0), (w, 0), (w, h), (0, h)],
        [(w * d, h * d / 2), (w * (1 - d / 2), 0), (w, h), (0, h * (1 - d))],
    )
    return img.transform((w, h), Image.PERSPECTIVE, coeffs, Image.BILINEAR)


def _perspective_coeffs(out_pts, in_pts):
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(out_pts, in_pts):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for p in in_pts for c in p], dtype=float)
    return np.linalg.solve(a, b).tolist()


def pad(img, frac=0.3, colour_=(20, 120, 200)):
    w, h = img.size
    return ImageOps.expand(img, border=(int(w * frac), int(h * frac / 2)), fill=colour_)


def onto_background(img, background):
    """The image pasted, smaller, onto another picture."""
    bg = background.resize((img.width * 2, img.height * 2))
    small = img.resize((img.width * 3 // 4, img.height * 3 // 4))
    bg.paste(small, (img.width // 3, img.height // 2))
    return bg


def blur(img, radius=2):
    return img.filter(ImageFilter.GaussianBlur(radius))


FAMILIES = {
    "crop": crop,
    "rescale": rescale,
    "jpeg": jpeg,
    "text": text_overlay,
    "emoji": emoji_overlay,
    "screenshot": screenshot,
    "meme": meme,
    "colour": colour,
    "grayscale": grayscale,
    "flip": flip,
    "rotate": rotate,
    "perspective": perspective,
    "pad": pad,
    "blur": blur,
    "chain: crop+jpeg+text": lambda img: text_overlay(jpeg(crop(img, 0.8), 40)),
    "chain: flip+colour+rescale": lambda img: rescale(colour(flip(img)), 0.6),
    "chain: screenshot+meme": lambda img: meme(screenshot(img)),
}


# ---------------------------------------------------------------- other photographs of a scene (not copies)

def other_view(left, disparity, sideways: float = 0.0, closer: float = 0.0):
    """Another photograph of the scene of `left` (a PIL image), rendered from its disparity map
    (an array, NaN where unknown): the camera moved `sideways` (in disparities: 1.0 is the
    stereo pair's other camera) and `closer` toward the scene (the nearest point comes
    1 / (1 - closer) times bigger). Each pixel is moved by its own depth, nearer ones drawn over
    farther ones, the holes this opens filled in (OpenCV's inpainting): a view with parallax, as
    a photographer a step away would take. Rendered at twice the size and halved, so that
    enlarged parts show no cracks. (The method of a review of issue 21.)"""
    import cv2
    import numpy as np

    W, H = left.size
    big = np.asarray(left.convert("RGB").resize((2 * W, 2 * H), Image.BICUBIC))
    d = np.where(np.isfinite(disparity), disparity, np.nanmin(disparity))
    d = cv2.resize(d, (2 * W, 2 * H), interpolation=cv2.INTER_NEAREST) * 2
    h, w = d.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    grow = 1.0 / (1.0 - closer * d / d.max())
    x = w / 2 + (xs - sideways * d - w / 2) * grow
    y = h / 2 + (ys - h / 2) * grow
    order = np.argsort(d.ravel(), kind="stable")          # far first: near points overwrite them
    xi, yi = np.round(x.ravel()[order]).astype(int), np.round(y.ravel()[order]).astype(int)
    inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    out = np.zeros_like(big)
    filled = np.zeros((h, w), bool)
    out[yi[inside], xi[inside]] = big.reshape(-1, 3)[order][inside]
    filled[yi[inside], xi[inside]] = True
    out = cv2.inpaint(out, (~filled).astype(np.uint8), 3, cv2.INPAINT_TELEA)
    return Image.fromarray(out).resize((W, H), Image.LANCZOS)
