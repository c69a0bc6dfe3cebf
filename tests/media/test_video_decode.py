"""Reading clips: containers, key-frame spacing, limits and the choice of frames."""

import io
import time

from PIL import Image
import pytest

from custom_components.ollama_vision.media import video_decode
from custom_components.ollama_vision.media.video_decode import (
    DecodedFrame,
    VideoDecodeTimeoutError,
    VideoTooLongError,
    VideoUnreadableError,
    read_key_frames,
)
from tests.clips_factory import make_clip
from tests.ollama_emulator.vision import look_at

RED = (230, 20, 20)
GREEN = (20, 200, 20)
BLUE = (20, 20, 230)
GREY = (128, 128, 128)


def read(data: bytes, max_frames: int = 3, **limits: float) -> list[DecodedFrame]:
    return read_key_frames(
        data,
        max_frames=max_frames,
        max_edge=int(limits.get("max_edge", 1280)),
        max_seconds=limits.get("max_seconds", 120),
        deadline=time.monotonic() + limits.get("seconds", 30),
    )


def colours(frames: list[DecodedFrame]) -> list[str]:
    return [look_at(frame.data).colour for frame in frames]


@pytest.mark.parametrize("container", ["mp4", "matroska", "mpegts", "avi"])
@pytest.mark.parametrize(
    "key_frame_every", [5, 10, 1000], ids=["half-second", "second", "first-only"]
)
def test_one_frame_per_scene_whatever_the_key_frames(
    container: str, key_frame_every: int
) -> None:
    """Key frames every second or only at the start: the same three scenes."""
    clip = make_clip(
        [(RED, 2), (GREEN, 2), (BLUE, 2)],
        container=container,
        key_frame_every=key_frame_every,
    )

    frames = read(clip)

    assert colours(frames) == ["red", "green", "blue"]
    assert frames[0].time == 0.0
    assert 2 <= frames[1].time < 4 <= frames[2].time < 6
    assert Image.open(io.BytesIO(frames[0].data)).size == (320, 180)


def test_scene_that_comes_back_is_sent_once() -> None:
    """Red, blue, red again: the third frame is a new scene, not the first again."""
    clip = make_clip([(RED, 2), (BLUE, 2), (RED, 2), (GREY, 2)])

    frames = read(clip)

    assert colours(frames) == ["red", "blue", "grey"]


def test_still_clip_is_sampled_evenly() -> None:
    """Nothing changes: the frames are spread over the clip."""
    frames = read(make_clip([(GREY, 8)]))

    assert [frame.time for frame in frames] == [0.0, 3.0, 7.0]


@pytest.mark.parametrize("key_frame_every", [10, 1000], ids=["key", "sampled"])
def test_chosen_frames_not_kept_are_decoded_again(
    monkeypatch: pytest.MonkeyPatch, key_frame_every: int
) -> None:
    """With no memory for whole frames, the chosen ones are found again by seeking."""
    monkeypatch.setattr(video_decode, "_KEPT_FRAMES_BYTES", 0)
    clip = make_clip([(RED, 2), (GREEN, 2), (BLUE, 2)], key_frame_every=key_frame_every)

    frames = read(clip)

    assert colours(frames) == ["red", "green", "blue"]
    assert 2 <= frames[1].time < 4 <= frames[2].time < 6


def test_frames_are_scaled_to_the_largest_side() -> None:
    frames = read(make_clip([(RED, 1)], size=(640, 360)), max_edge=160)

    with Image.open(io.BytesIO(frames[0].data)) as picture:
        assert (picture.format, picture.size) == ("JPEG", (160, 90))


def test_examined_frames_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """With at most 2 examined over 6 s, frames 3 s apart: green is never seen."""
    monkeypatch.setattr(video_decode, "MAX_EXAMINED", 2)
    clip = make_clip([(RED, 2), (GREEN, 1), (BLUE, 3)])

    frames = read(clip, max_frames=10)

    assert colours(frames) == ["red", "blue"]
    assert [frame.time for frame in frames] == [0.0, 3.0]


@pytest.mark.parametrize("container", ["mp4", "matroska", "mpegts", "avi"])
def test_too_many_pixels_are_not_decoded(
    monkeypatch: pytest.MonkeyPatch, container: str
) -> None:
    """The frame size is checked before any decoding (as images' pixel limit).

    Opening does not decode a frame, so every container must tell the size
    without one.
    """
    monkeypatch.setattr(video_decode, "MAX_PIXELS", 320 * 180 - 1)

    with pytest.raises(VideoUnreadableError, match="too many pixels"):
        read(make_clip([(RED, 1)], container=container))


def test_too_long_is_found_while_scanning() -> None:
    with pytest.raises(VideoTooLongError):
        read(make_clip([(RED, 3)]), max_seconds=2)


def test_deadline_stops_the_reading() -> None:
    with pytest.raises(VideoDecodeTimeoutError):
        read(make_clip([(RED, 1)]), seconds=-1)
