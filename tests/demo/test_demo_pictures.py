"""The demo's works are the same pictures in every process: a seed draws one picture, whatever
the process drew before (the journeys copy the demo's first works and expect them found)."""
import hashlib


def test_a_seed_draws_the_same_picture_whatever_the_process_drew_before():
    from PIL import Image

    from caseapp.clients.demo_pictures import landscape_jpeg

    first = hashlib.sha256(landscape_jpeg(2026000)).hexdigest()
    Image.effect_noise((64, 64), 10)            # the C library's rand() moves on
    assert hashlib.sha256(landscape_jpeg(2026000)).hexdigest() == first
    assert hashlib.sha256(landscape_jpeg(2026001)).hexdigest() != first   # another seed, another picture


def test_a_picture_narrower_than_its_ridge_steps_is_drawn():
    """The ridges step at least a pixel: a picture under 30 pixels wide used to loop forever."""
    from caseapp.clients.demo_pictures import landscape

    assert landscape(3, (10, 7)).size == (10, 7)
