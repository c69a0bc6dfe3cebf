"""The picture hash that tells a changed picture from an unchanged one, without Home Assistant."""

import pytest

from custom_components.ollama_vision.media.picture_hash import (
    ALIKE_DISTANCE,
    HASH_BITS,
    difference_hash,
    hash_distance,
    prepare_and_hash,
)
from custom_components.ollama_vision.media.prepare import NotAnImageError, prepare_image
from tests.images_factory import make_jpeg, make_png, make_scene

# The setup's default threshold.
THRESHOLD = ALIKE_DISTANCE


def distance(first: bytes, second: bytes) -> int:
    return hash_distance(difference_hash(first), difference_hash(second))


def test_the_same_picture_hashes_the_same() -> None:
    """Deterministic, 256 bits, and 0 apart from itself."""
    scene = make_scene()
    assert difference_hash(scene) == difference_hash(scene)
    assert 0 < difference_hash(scene) < 2**HASH_BITS
    assert distance(scene, scene) == 0


@pytest.mark.parametrize("size", [(640, 480), (1280, 720), (1920, 1080)])
@pytest.mark.parametrize(("noise", "quality"), [(5, 95), (10, 70), (15, 50), (20, 40)])
def test_jpeg_noise_is_unchanged(
    size: tuple[int, int], noise: float, quality: int
) -> None:
    """Sensor grain and heavy compression stay within the threshold."""
    width, height = size
    noisy = make_scene(width, height, noise=noise, quality=quality)
    assert distance(make_scene(width, height), noisy) <= THRESHOLD


@pytest.mark.parametrize("brightness", [0.9, 1.1])
def test_a_small_change_of_light_is_unchanged(brightness: float) -> None:
    """Ten per cent more or less light, with grain, stays within the threshold."""
    lighter = make_scene(brightness=brightness, noise=8, quality=60)
    assert distance(make_scene(), lighter) <= THRESHOLD


@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
@pytest.mark.parametrize("person_at", [0.02, 0.2, 0.45, 0.62, 0.88])
def test_a_person_entering_is_a_change(size: tuple[int, int], person_at: float) -> None:
    """A person-sized figure anywhere across the picture is beyond the threshold."""
    width, height = size
    with_person = make_scene(width, height, person_at=person_at, noise=8, quality=60)
    assert distance(make_scene(width, height), with_person) > THRESHOLD


def test_flat_pictures_are_alike_whatever_their_grain() -> None:
    """A featureless picture (a lens cap, fog) is not turned into random bits."""
    grey = make_jpeg(640, 480, colour=(90, 90, 90), quality=40)
    assert difference_hash(grey) == 0
    assert difference_hash(make_png(320, 240)) == 0


def test_prepare_and_hash_hashes_what_the_model_gets() -> None:
    """One executor job: the prepared picture, and the hash of exactly it."""
    big = make_scene(1920, 1080)
    prepared, picture_hash = prepare_and_hash(big, 640)
    assert prepared == prepare_image(big, 640)
    assert picture_hash == difference_hash(prepared)
    assert distance(prepared, big) <= THRESHOLD


def test_prepare_and_hash_decodes_a_fitting_jpeg_once_and_checks_it() -> None:
    """A JPEG that goes to the model as it is: the hash's own decoding is the
    completeness check, so a cut-off file is still refused."""
    scene = make_scene(640, 480)
    prepared, picture_hash = prepare_and_hash(scene, 1280)
    assert prepared == scene
    assert picture_hash == difference_hash(scene)
    with pytest.raises(NotAnImageError):
        prepare_and_hash(scene[: len(scene) * 2 // 3], 1280)
