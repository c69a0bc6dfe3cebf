"""Preparing a picture for the model, without Home Assistant."""

import io

from PIL import Image
import pytest

from custom_components.ollama_vision.media.prepare import (
    MAX_PIXELS,
    NotAnImageError,
    TooManyPixelsError,
    fit_within,
    prepare_image,
)
from tests.images_factory import make_jpeg, make_png


def test_fit_within() -> None:
    """Scaling keeps the aspect ratio and never enlarges."""
    assert fit_within((3840, 2160), 1280) == (1280, 720)
    assert fit_within((2160, 3840), 1280) == (720, 1280)
    assert fit_within((640, 480), 1280) == (640, 480)
    assert fit_within((5000, 1), 1000) == (1000, 1)
    assert fit_within((5000, 4000), 0) == (5000, 4000)


def test_jpeg_that_fits_is_kept_byte_for_byte() -> None:
    """A complete JPEG within the limit goes to the model as it is."""
    data = make_jpeg(640, 480)
    assert prepare_image(data, 1280) is data


def test_large_and_other_formats_become_jpegs_within_the_limit() -> None:
    """A big JPEG is shrunk, a PNG re-encoded; both come out as JPEGs."""
    for data in (make_jpeg(3840, 2160), make_png(2000, 1000)):
        with Image.open(io.BytesIO(prepare_image(data, 1280))) as image:
            assert image.format == "JPEG"
            assert max(image.size) == 1280


@pytest.mark.parametrize(
    "data", [b"", b"<html>not a picture</html>", make_jpeg(64, 64)[:200]]
)
def test_broken_input_is_not_an_image(data: bytes) -> None:
    """Empty, foreign and truncated data are refused as not images."""
    with pytest.raises(NotAnImageError):
        prepare_image(data, 1280)


def test_too_many_pixels_are_not_decoded() -> None:
    """A header that declares more than MAX_PIXELS is refused before decoding."""
    side = int(MAX_PIXELS**0.5) + 1
    with pytest.raises(TooManyPixelsError):
        prepare_image(make_png(side, side), 1280)
