"""The duplicate threshold of works (clients.services.DUPLICATE_BITS), measured: the Hamming
distance between the perceptual hashes of an image and its resized / recompressed copies,
against the distance between different images (real photographs shipped with scikit-image and
the demo's generated landscapes, which look much alike). Run: python benchmarks/phash_threshold.py"""
from __future__ import annotations

import io
import itertools
from pathlib import Path

import skimage
from PIL import Image, ImageEnhance

from caseapp.clients.demo_pictures import landscape_jpeg
from caseapp.clients.services import CONFIRM_BITS, DUPLICATE_BITS, image_facts, phash_of_thumbnail

DATA = Path(skimage.__file__).parent / "data"
PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png", "retina.jpg",
          "brick.png", "hubble_deep_field.jpg", "ihc.png", "grass.png", "gravel.png", "moon.png", "camera.png",
          "coins.png", "page.png", "motorcycle_right.png", "logo.png", "text.png", "horse.png", "cell.png"]


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def resized(image: Image.Image, factor: float) -> Image.Image:
    return image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                        Image.Resampling.LANCZOS)


def phash(data: bytes) -> int:
    return int(image_facts("x", data).phash, 16)


def fine(data: bytes):
    return phash_of_thumbnail(image_facts("x", data).thumbnail, 16)


def main() -> None:
    originals = {}
    for name in PHOTOS:
        path = DATA / name
        if path.exists():
            with Image.open(path) as image:
                originals[name] = image.convert("RGB")
    for seed in range(60):
        originals[f"landscape-{seed}"] = Image.open(io.BytesIO(landscape_jpeg(seed))).convert("RGB")
    copies = {"jpeg q95": lambda im: jpeg(im, 95), "jpeg q60": lambda im: jpeg(im, 60),
              "jpeg q30": lambda im: jpeg(im, 30), "50% q75": lambda im: jpeg(resized(im, 0.5), 75),
              "25% q75": lambda im: jpeg(resized(im, 0.25), 75), "150% q85": lambda im: jpeg(resized(im, 1.5), 85),
              "50% q60 +10% contrast": lambda im: jpeg(ImageEnhance.Contrast(resized(im, 0.5)).enhance(1.1), 60)}
    near = {"crop 5% off one side": lambda im: jpeg(im.crop((round(im.width * 0.05), 0, im.width, im.height)), 90),
            "shifted 3% (burst-like)": lambda im: jpeg(im.crop((round(im.width * 0.03), round(im.height * 0.03),
                                                                im.width, im.height)).resize(im.size), 90)}
    base = {name: phash(jpeg(im, 95)) for name, im in originals.items()}
    base_fine = {name: fine(jpeg(im, 95)) for name, im in originals.items()}
    print(f"{len(originals)} images ({len(PHOTOS)} photographs, 60 demo landscapes)")
    for label, make in {**copies, **near}.items():
        made = {name: make(im) for name, im in originals.items()}
        bits = sorted((phash(made[name]) ^ base[name]).bit_count() for name in originals)
        fine_bits = sorted(fine(made[name]) - base_fine[name] for name in originals)
        print(f"  {label:28} 64-bit: max {bits[-1]:2} median {bits[len(bits) // 2]:2} "
              f"<= {DUPLICATE_BITS}: {sum(b <= DUPLICATE_BITS for b in bits) / len(bits):4.0%} | 256-bit: "
              f"min {fine_bits[0]:3} max {fine_bits[-1]:3}; duplicate (both): "
              f"{sum(b <= DUPLICATE_BITS and f <= CONFIRM_BITS for b, f in zip(bits, fine_bits)) / len(bits):4.0%}")
    pairs = sorted(((base[a] ^ base[b]).bit_count(), a, b) for a, b in itertools.combinations(base, 2))
    print(f"different images: {len(pairs)} pairs, closest {pairs[0][0]} bits ({pairs[0][1]} / {pairs[0][2]}), "
          f"pairs <= {DUPLICATE_BITS}: {sum(p[0] <= DUPLICATE_BITS for p in pairs)}; 256-bit of those: "
          f"{[base_fine[a] - base_fine[b] for bits, a, b in pairs if bits <= DUPLICATE_BITS]}")


if __name__ == "__main__":
    main()
