"""Choosing frames by motion or evenly, and the key frame among them (pure functions)."""

import numpy as np
import pytest

from custom_components.ollama_vision.media.key_frames import (
    THUMBNAIL_SIZE,
    FrameSelection,
    Thumbnail,
    choose_by_motion,
    choose_evenly,
    choose_frames,
    jpeg_thumbnail,
    key_frame_index,
)
from tests.image_server import make_jpeg

WIDTH, HEIGHT = THUMBNAIL_SIZE


def scene(person_at: int | None = None, noise: int = 0, width: int = 4) -> Thumbnail:
    """A grey thumbnail; a dark person `width` cells wide from column `person_at`."""
    picture = np.full((HEIGHT, WIDTH), 150 + noise, dtype=np.uint8)
    if person_at is not None:
        picture[4:, person_at : person_at + width] = 30
    return picture


def test_choose_by_motion_edges() -> None:
    """No frames, fewer frames than asked, and a JPEG thumbnail's shape."""
    assert choose_by_motion([], [], 3) == []
    thumbnail = jpeg_thumbnail(make_jpeg(640, 360, colour=(230, 20, 20)))
    assert thumbnail.shape == (HEIGHT, WIDTH)
    assert choose_by_motion([thumbnail, thumbnail], [0.0, 1.0], 5) == [0, 1]


def test_choose_evenly_over_the_time() -> None:
    """The first and the last, the others nearest to equal steps."""
    times = [float(second) for second in range(11)]

    assert choose_evenly(times, 3) == [0, 5, 10]
    assert choose_evenly(times, 4) == [0, 3, 7, 10]
    assert choose_evenly(times, 1) == [0]
    assert choose_evenly(times, 0) == []
    assert choose_evenly(times[:2], 5) == [0, 1]
    assert choose_evenly([], 3) == []


def test_choose_evenly_takes_each_frame_once() -> None:
    """Frames bunched at the start still give as many as asked, in order."""
    assert choose_evenly([0.0, 0.1, 0.2, 0.3, 10.0], 3) == [0, 3, 4]
    assert choose_evenly([0.0, 9.8, 9.9, 10.0], 3) == [0, 1, 3]


def test_choose_frames_by_selection() -> None:
    """A brief change: motion takes it, even spacing takes the clock."""
    thumbnails = [scene(), scene(10), *[scene()] * 9]
    times = [float(second) for second in range(11)]

    assert choose_frames(FrameSelection.MOTION, thumbnails, times, 3) == [0, 1, 10]
    assert choose_frames(FrameSelection.EVEN, thumbnails, times, 3) == [0, 5, 10]


def test_the_key_frame_is_the_most_different_from_the_background() -> None:
    """An empty scene, then a person coming in (half, then the whole of
    them), then gone: the key frame shows all of the person."""
    empty = scene()
    frames = [empty, scene(0, width=2), scene(14), empty]

    assert key_frame_index(frames, empty) == 2


@pytest.mark.parametrize(
    "frames",
    [[scene()], [scene(), scene(noise=1), scene(noise=-1)], [scene(5), scene(5)]],
    ids=["one-picture", "noise", "still-person"],
)
def test_without_a_change_the_key_frame_is_the_first(frames: list[Thumbnail]) -> None:
    """A single picture, compression noise or a still scene: the first frame."""
    assert key_frame_index(frames, frames[0]) == 0
