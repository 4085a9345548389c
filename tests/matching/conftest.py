"""Real photographs that ship with scikit-image (no download), as references,
distractors and the stereo pair."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import skimage

DATA = Path(skimage.__file__).parent / "data"
# References: the works whose copies the tests look for.
REFERENCES = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
              "retina.jpg", "brick.png"]
# Distractors: photos that are not in the index.
DISTRACTORS = ["hubble_deep_field.jpg", "ihc.png", "grass.png", "gravel.png", "moon.png",
               "camera.png", "coins.png", "page.png"]


def photo(name: str) -> Image.Image:
    with Image.open(DATA / name) as image:
        return image.convert("RGB")


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    from matching import Engine

    engine = Engine.open(tmp_path_factory.mktemp("index"))
    errors = engine.add_many((name, photo(name)) for name in REFERENCES)
    assert not errors
    engine.save()
    return engine
