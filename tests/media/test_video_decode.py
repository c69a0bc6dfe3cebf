"""Reading clips: containers, key-frame spacing, limits and the choice of frames."""

from collections.abc import Callable
import io
import time
from typing import TypedDict, Unpack

import numpy as np
from PIL import Image
import pytest

from custom_components.ollama_vision.media import video_decode
from custom_components.ollama_vision.media.key_frames import FrameSelection
from custom_components.ollama_vision.media.video_decode import (
    ClipFrames,
    DecodedFrame,
    VideoDecodeTimeoutError,
    VideoTooLongError,
    VideoUnreadableError,
    read_frames,
)
from tests.clips_factory import crossing, make_clip, make_person_clip
from tests.ollama_emulator.vision import look_at

RED = (230, 20, 20)
GREEN = (20, 200, 20)
BLUE = (20, 20, 230)
GREY = (128, 128, 128)


FPS = 10


class Limits(TypedDict, total=False):
    """A read's limits other than the frame count; each has a default."""

    max_edge: int
    max_seconds: float
    seconds: float
    """Time allowed for the read (its deadline from now)."""


def read_clip(
    data: bytes,
    max_frames: int = 3,
    selection: FrameSelection = FrameSelection.MOTION,
    **limits: Unpack[Limits],
) -> ClipFrames:
    return read_frames(
        data,
        max_frames=max_frames,
        max_edge=limits.get("max_edge", 1280),
        max_seconds=limits.get("max_seconds", 120),
        deadline=time.monotonic() + limits.get("seconds", 30),
        selection=selection,
    )


def read(
    data: bytes, max_frames: int = 3, **limits: Unpack[Limits]
) -> list[DecodedFrame]:
    return read_clip(data, max_frames, **limits).frames


def shows_person(frame: DecodedFrame) -> bool:
    """Whether the picture has the dark person of make_person_clip in it."""
    with Image.open(io.BytesIO(frame.data)) as picture:
        return int(np.asarray(picture.convert("L")).min()) < 80


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


@pytest.mark.parametrize("container", ["mp4", "matroska", "mpegts"])
@pytest.mark.parametrize("room", [0, 2], ids=["no-frame", "two-frames"])
@pytest.mark.parametrize(
    ("key_frame_every", "b_frames"),
    [(10, 0), (40, 0), (1000, 0), (40, 2)],
    ids=["key-every-second", "key-every-4-s", "first-key-only", "b-frames"],
)
def test_chosen_frames_not_kept_are_decoded_again(
    monkeypatch: pytest.MonkeyPatch,
    room: int,
    key_frame_every: int,
    b_frames: int,
    container: str,
) -> None:
    """With room for few whole frames, the chosen others are decoded again."""
    monkeypatch.setattr(video_decode, "_KEPT_FRAMES_BYTES", room * 320 * 180 * 3 // 2)
    clip = make_clip(
        [(RED, 2), (GREEN, 2), (BLUE, 2)],
        key_frame_every=key_frame_every,
        b_frames=b_frames,
        container=container,
    )

    frames = read(clip)

    assert colours(frames) == ["red", "green", "blue"]
    assert [frame.time for frame in frames] == [0.0, 3.0, 5.0]


def test_frames_are_scaled_to_the_largest_side() -> None:
    frames = read(make_clip([(RED, 1)], size=(640, 360)), max_edge=160)

    with Image.open(io.BytesIO(frames[0].data)) as picture:
        assert (picture.format, picture.size) == ("JPEG", (160, 90))


def test_examined_frames_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """With at most 3 examined over 6 s, frames 2.9 s apart: green is never seen."""
    monkeypatch.setattr(video_decode, "MAX_EXAMINED", 3)
    clip = make_clip([(RED, 1.5), (GREEN, 1), (BLUE, 3.5)])

    frames = read(clip, max_frames=10)

    assert colours(frames) == ["red", "blue", "blue"]
    assert [frame.time for frame in frames] == [0.0, 2.9, 5.8]


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


@pytest.mark.parametrize("container", ["mp4", "matroska", "mpegts", "avi"])
@pytest.mark.parametrize("b_frames", [0, 2], ids=["p-frames", "b-frames"])
@pytest.mark.parametrize(
    "key_seconds", [0.5, 2, 4, 10], ids=["key-0.5-s", "key-2-s", "key-4-s", "key-10-s"]
)
def test_a_frame_is_examined_every_second(
    key_seconds: float, b_frames: int, container: str
) -> None:
    """Whatever the key-frame spacing, no two examined frames are more than a
    second apart, nor the last from the end (all are returned when max_frames
    allows)."""
    if container == "avi" and b_frames:
        pytest.skip("AVI gives B-frames no presentation time")
    clip = make_clip(
        [(GREY, 12.5)],
        key_frame_every=round(key_seconds * FPS),
        b_frames=b_frames,
        container=container,
    )

    times = [frame.time for frame in read(clip, max_frames=100)]

    # A second apart from the first frame on: no more than that needs.
    assert times == [float(second) for second in range(13)]


# Key frames N s apart, and an event between the second and the third.
EVENTS = {
    "key-2-s-event-1-s": (2, 2.3, 1.0),
    "key-2-s-event-1.5-s": (2, 2.2, 1.5),
    "key-4-s-event-1-s": (4, 5.5, 1.0),
    "key-4-s-event-1.5-s": (4, 6.1, 1.5),
    "key-10-s-event-1-s": (10, 13.4, 1.0),
    "key-10-s-event-2-s": (10, 16.7, 2.0),
}


@pytest.mark.parametrize(
    ("key_seconds", "start", "seconds"), EVENTS.values(), ids=EVENTS.keys()
)
def test_a_moment_between_key_frames_is_chosen(
    key_seconds: int, start: float, seconds: float
) -> None:
    """A second or two of red between two key frames is among the chosen frames."""
    clip = make_clip(
        [(GREY, start), (RED, seconds), (GREY, 3 * key_seconds - start - seconds)],
        key_frame_every=key_seconds * FPS,
    )

    frames = read(clip)

    [red] = [frame for frame in frames if look_at(frame.data).colour == "red"]
    assert start <= red.time < start + seconds


@pytest.mark.parametrize("container", ["mp4", "matroska", "mpegts", "avi"])
@pytest.mark.parametrize("b_frames", [0, 2], ids=["p-frames", "b-frames"])
def test_a_person_crossing_between_key_frames_is_chosen(
    container: str, b_frames: int
) -> None:
    """Key frames 4 s apart; a person crosses the picture in 1.5 s between two."""
    if container == "avi" and b_frames:
        pytest.skip("AVI gives B-frames no presentation time")
    clip = make_person_clip(
        12,
        crossing(5.2, 6.7),
        key_frame_every=4 * FPS,
        b_frames=b_frames,
        container=container,
    )

    frames = read(clip)

    assert [5.2 <= frame.time < 6.7 for frame in frames] == [False, True, False]
    assert [shows_person(frame) for frame in frames] == [False, True, False]


def stays(enters: float) -> Callable[[float], float | None]:
    """A person who walks in at `enters` and stays in the middle of the picture."""
    return lambda moment: None if moment < enters else min(0.5, (moment - enters) / 2)


@pytest.mark.parametrize("selection", list(FrameSelection))
@pytest.mark.parametrize(
    "where", [stays(3), crossing(2, 8)], ids=["comes-and-stays", "crosses"]
)
def test_the_key_frame_shows_what_happened(
    selection: FrameSelection, where: Callable[[float], float | None]
) -> None:
    """An empty scene, then a person: the key frame shows the person, not the
    empty first frame, whichever way the frames are chosen."""
    clip = read_clip(make_person_clip(10, where), 4, selection)

    assert not shows_person(clip.frames[0])
    assert shows_person(clip.frames[clip.key_frame])


def test_a_still_clips_key_frame_is_its_first() -> None:
    clip = read_clip(make_clip([(GREY, 5)]))

    assert clip.key_frame == 0
    assert read_clip(make_clip([(RED, 1)]), 1).key_frame == 0


def test_frames_evenly_spaced() -> None:
    """Blue for a second: motion sends it, even spacing does not."""
    clip = make_clip([(RED, 1), (BLUE, 1), (RED, 6)])

    moving = read_clip(clip, 3, FrameSelection.MOTION).frames
    even = read_clip(clip, 3, FrameSelection.EVEN).frames

    assert [frame.time for frame in moving] == [0.0, 1.0, 7.0]
    assert colours(moving) == ["red", "blue", "red"]
    assert [frame.time for frame in even] == [0.0, 3.0, 7.0]
    assert colours(even) == ["red", "red", "red"]
