"""Read the key frames of a video clip with PyAV (FFmpeg).

Blocking, CPU-bound work: call it from the executor, never from the event loop.
It decodes as little as it can, in three passes over the clip in memory (one
container, seeking back between passes):

1. demux only (no decoding) to learn where the key frames are and how long
   the clip is;
2. decode about one frame a second into a tiny grey thumbnail: only key frames
   when the clip has them that often (the usual camera setting), otherwise
   every frame, keeping a thumbnail once a second; the first of these frames
   are kept whole, as far as _KEPT_FRAMES_BYTES allows;
3. for each chosen frame not kept, seek to the key frame before it and decode
   up to it; every chosen frame is scaled and encoded for the model.
"""

from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
import io
from itertools import pairwise
import time
from typing import Final

import av
from av.container import InputContainer
from av.video.stream import VideoStream
import numpy as np
from PIL import Image

from .key_frames import THUMBNAIL_SIZE, Thumbnail, choose_by_motion
from .prepare import MAX_PIXELS, fit_within, prepare_frame

# Containers cameras and NVRs write. Other demuxers (playlists, concat lists,
# image sequences) could make FFmpeg open further files: never for untrusted input.
_FORMATS: Final = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mpegts,avi"
# About one examined frame a second is enough to see what happened...
SAMPLE_INTERVAL: Final = 1.0
# ...up to this many, spread over the clip (a cap on the work per clip).
MAX_EXAMINED: Final = 240
# With key frames at most this far apart, only key frames are decoded.
MAX_KEY_FRAME_GAP: Final = 4.0
# Bytes per read from the clip in memory: each read takes Python's lock, so
# few large ones leave the event loop alone.
_READ_BUFFER: Final = 1024 * 1024
# Examined frames kept whole (not decoded again when chosen), in bytes: about
# twenty 1080p frames.
_KEPT_FRAMES_BYTES: Final = 64 * 1024 * 1024
# How often the deadline is checked, in packets.
_DEADLINE_EVERY: Final = 64


class VideoUnreadableError(Exception):
    """Empty, truncated, or not a video container FFmpeg may read."""


class VideoNoFramesError(Exception):
    """A container without a video stream, or whose stream has no frame."""


class VideoTooLongError(Exception):
    """The clip lasts longer than allowed."""

    def __init__(self, seconds: float) -> None:
        """Remember how long the clip is (at least)."""
        super().__init__(f"{seconds:.0f} s")
        self.seconds = seconds


class VideoDecodeTimeoutError(Exception):
    """Reading the clip did not finish by its deadline."""


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """A chosen frame, ready for the model (a JPEG), and its time in the clip."""

    time: float
    data: bytes


@dataclass(frozen=True, slots=True)
class _Packet:
    pts: int
    key: bool


def read_key_frames(
    data: bytes,
    *,
    max_frames: int,
    max_edge: int,
    max_seconds: float,
    deadline: float,
) -> list[DecodedFrame]:
    """Return up to max_frames frames of the clip, the first included, in time order.

    deadline is a time.monotonic() value. Raises VideoUnreadableError,
    VideoNoFramesError, VideoTooLongError or VideoDecodeTimeoutError.
    """
    try:
        return _read(data, max_frames, max_edge, max_seconds, deadline)
    except (
        VideoNoFramesError,
        VideoTooLongError,
        VideoDecodeTimeoutError,
        VideoUnreadableError,
    ):
        raise
    except Exception as err:
        # FFmpeg reports broken input with many error types (InvalidDataError,
        # EOFError, OSError, ValueError...): all mean the clip cannot be read.
        raise VideoUnreadableError(str(err)) from err


@contextmanager
def _open(data: bytes) -> Iterator[tuple[InputContainer, VideoStream]]:
    if not data:
        raise VideoUnreadableError("no data")
    with av.open(
        io.BytesIO(data),
        "r",
        options={
            "format_whitelist": _FORMATS,
            # Opening need not decode a frame only to throw it away (FFmpeg's
            # probing does by default: a whole key frame's work): these
            # containers describe the picture in their headers. Streams found
            # only by probing (MPEG-TS) are still probed as before.
            "skip_frame": "all",
        },
        buffer_size=_READ_BUFFER,
    ) as container:
        if not container.streams.video:
            raise VideoNoFramesError("no video stream")
        stream = container.streams.video[0]
        # One decoding thread: FFmpeg's default of one per core would leave no
        # core for Home Assistant's event loop on a small machine.
        stream.codec_context.thread_count = 1
        if stream.codec_context.width * stream.codec_context.height > MAX_PIXELS:
            raise VideoUnreadableError("too many pixels")
        yield container, stream


def _read(
    data: bytes, max_frames: int, max_edge: int, max_seconds: float, deadline: float
) -> list[DecodedFrame]:
    with _open(data) as (container, stream):
        # The packets' own times, not the header's claim, say how long it is.
        packets = _scan(container, stream, max_seconds, deadline)
        if not packets:
            raise VideoNoFramesError("no frames")
        tick = _seconds_per_tick(stream)
        start, end = packets[0].pts, packets[-1].pts
        interval = max(SAMPLE_INTERVAL, (end - start) * tick / MAX_EXAMINED)
        spacing = max(1, round(interval / tick))
        key_frames = [packet.pts for packet in packets if packet.key]

        container.seek(start, stream=stream)
        if _key_frames_suffice(key_frames, start, end, round(MAX_KEY_FRAME_GAP / tick)):
            candidates = _key_frame_candidates(
                container, stream, key_frames, spacing, deadline
            )
        else:
            candidates = _sampled_candidates(
                container, stream, start, spacing, deadline
            )
        examined = _examine(candidates)
        if not examined:
            raise VideoNoFramesError("no frame could be decoded")

        times = [(item.pts - start) * tick for item in examined]
        chosen = choose_by_motion(
            [item.thumbnail for item in examined], times, max_frames
        )
        return [
            DecodedFrame(
                round(times[index], 3),
                _prepare(
                    examined[index].frame
                    or _decode_at(
                        container, stream, examined[index].pts, key_frames, deadline
                    ),
                    max_edge,
                ),
            )
            for index in chosen
        ]


def _scan(
    container: InputContainer,
    stream: VideoStream,
    max_seconds: float,
    deadline: float,
) -> list[_Packet]:
    """Every video packet's time and whether it is a key frame, in time order."""
    tick = _seconds_per_tick(stream)
    packets: list[_Packet] = []
    first: int | None = None
    for count, packet in enumerate(container.demux(stream)):
        if count % _DEADLINE_EVERY == 0:
            _check(deadline)
        if packet.pts is None or packet.size == 0:
            continue  # the demuxer's end marker
        first = packet.pts if first is None else min(first, packet.pts)
        if (seconds := (packet.pts - first) * tick) > max_seconds:
            raise VideoTooLongError(seconds)
        packets.append(_Packet(packet.pts, packet.is_keyframe))
    packets.sort(key=lambda packet: packet.pts)
    return packets


def _key_frames_suffice(
    key_frames: list[int], start: int, end: int, max_gap: int
) -> bool:
    """Whether key frames are close enough together to stand for the whole clip."""
    points = [start, *key_frames, end]
    return bool(key_frames) and all(
        later - earlier <= max_gap for earlier, later in pairwise(points)
    )


def _key_frame_candidates(
    container: InputContainer,
    stream: VideoStream,
    key_frames: list[int],
    spacing: int,
    deadline: float,
) -> Iterator[tuple[int, av.VideoFrame]]:
    """Key frames at least `spacing` apart; nothing else is decoded."""
    wanted: set[int] = set()
    last: int | None = None
    for pts in key_frames:
        if last is None or pts - last >= spacing:
            wanted.add(pts)
            last = pts
    stream.codec_context.skip_frame = "NONKEY"
    for packet in container.demux(stream):
        if packet.pts is not None and packet.pts not in wanted:
            continue  # never handed to the decoder
        _check(deadline)
        for frame in packet.decode():
            if frame.pts is not None:
                yield frame.pts, frame
    stream.codec_context.skip_frame = "DEFAULT"


def _sampled_candidates(
    container: InputContainer,
    stream: VideoStream,
    start: int,
    spacing: int,
    deadline: float,
) -> Iterator[tuple[int, av.VideoFrame]]:
    """Decode every frame (key frames are too rare), yielding one per `spacing`."""
    due = start
    for pts, frame in _decoded(container, stream, deadline):
        if pts >= due:
            yield pts, frame
            due = pts + spacing


@dataclass(frozen=True, slots=True)
class _Examined:
    pts: int
    thumbnail: Thumbnail
    frame: av.VideoFrame | None  # kept while memory allows, else decoded again


def _examine(candidates: Iterator[tuple[int, av.VideoFrame]]) -> list[_Examined]:
    """Thumbnails of the candidates in time order, keeping the first frames whole.

    A kept frame need not be found and decoded again if it is chosen.
    """
    examined: list[_Examined] = []
    budget = _KEPT_FRAMES_BYTES
    for pts, frame in candidates:
        size = frame.width * frame.height * 3 // 2  # YUV 4:2:0
        kept = frame if size <= budget else None
        budget -= size if kept else 0
        examined.append(_Examined(pts, _thumbnail(frame), kept))
    return sorted(examined, key=lambda item: item.pts)


def _decode_at(
    container: InputContainer,
    stream: VideoStream,
    pts: int,
    key_frames: list[int],
    deadline: float,
) -> av.VideoFrame:
    """Decode the frame at pts again, from the key frame before it."""
    index = bisect_right(key_frames, pts) - 1
    container.seek(key_frames[index] if index >= 0 else 0, stream=stream)
    # It was decoded before; should it not come again, StopIteration ends the
    # reading as unreadable.
    return next(
        frame for at, frame in _decoded(container, stream, deadline) if at >= pts
    )


def _prepare(frame: av.VideoFrame, max_edge: int) -> bytes:
    """The frame as the model's JPEG, within max_edge."""
    # The scaler shrinks straight from the decoder's YUV to the model's size,
    # far cheaper than converting every pixel to RGB and shrinking after.
    width, height = fit_within((frame.width, frame.height), max_edge)
    scaled = frame.reformat(
        width=width, height=height, format="rgb24", interpolation="AREA"
    )
    return prepare_frame(Image.fromarray(scaled.to_ndarray()), max_edge)


def _decoded(
    container: InputContainer, stream: VideoStream, deadline: float
) -> Iterator[tuple[int, av.VideoFrame]]:
    """Every frame that has a time, with it, in order, until the deadline."""
    for count, frame in enumerate(container.decode(stream)):
        if count % _DEADLINE_EVERY == 0:
            _check(deadline)
        if frame.pts is not None:
            yield frame.pts, frame


def _thumbnail(frame: av.VideoFrame) -> Thumbnail:
    # The scaler goes straight from the decoder's YUV to tiny grey.
    width, height = THUMBNAIL_SIZE
    grey = frame.reformat(
        width=width, height=height, format="gray", interpolation="AREA"
    )
    return np.asarray(grey.to_ndarray(), dtype=np.uint8)


def _seconds_per_tick(stream: VideoStream) -> float:
    # MPEG's 90 kHz clock when a stream does not say.
    return float(stream.time_base or 0) or 1 / 90_000


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise VideoDecodeTimeoutError
