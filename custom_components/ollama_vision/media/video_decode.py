"""Read the frames of a video clip that show the most, with PyAV (FFmpeg).

Blocking, CPU-bound work: call it from the executor, never from the event loop.
It decodes as little as it can over the clip in memory (one container, seeking
back between passes):

1. demux only (no decoding) to learn where the key frames are and how long
   the clip is;
2. choose the frames to look at, about one a second and never further apart
   (media/decode_plan.py), and decode each group of pictures from its key frame
   up to the last of them in it: a moment between two key frames is seen
   however far apart they are. Frames nothing else refers to (B-frames) are
   skipped unless looked at. Each frame looked at becomes a tiny grey
   thumbnail; the first and those that would cost most to decode again are
   kept whole, as far as _KEPT_FRAMES_BYTES allows;
3. choose the frames for the model among them (media/key_frames.py) and the
   key frame, the one that best shows what happened; chosen frames not kept are
   decoded again the same way, and every chosen frame is scaled and encoded for
   the model.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
import heapq
import io
import time
from typing import Final

import av
from av.container import InputContainer
from av.video.reformatter import VideoReformatter
from av.video.stream import VideoStream
import numpy as np
from PIL import Image

from .decode_plan import (
    DecodePlan,
    Packet,
    decodable_times,
    decoding_steps,
    frames_to_examine,
    plan_decoding,
)
from .key_frames import (
    THUMBNAIL_SIZE,
    FrameSelection,
    Thumbnail,
    choose_frames,
    key_frame_index,
)
from .prepare import MAX_PIXELS, fit_within, prepare_frame

# Containers cameras and NVRs write. Other demuxers (playlists, concat lists,
# image sequences) could make FFmpeg open further files: never for untrusted input.
_FORMATS: Final = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mpegts,avi"
# Frames looked at are never further apart than this, so anything seen for
# at least as long is among them...
SAMPLE_INTERVAL: Final = 1.0
# ...unless the clip is so long that this many would not do: then the gap
# widens to fit (a cap on the work per clip).
MAX_EXAMINED: Final = 240
# Bytes per read from the clip in memory: each read takes Python's lock, so
# few large ones leave the event loop alone.
_READ_BUFFER: Final = 1024 * 1024
# Frames looked at kept whole (not decoded again when chosen), in bytes: about
# twenty 1080p frames.
_KEPT_FRAMES_BYTES: Final = 64 * 1024 * 1024
# How often the deadline is checked while only demuxing, in packets.
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
class ClipFrames:
    """The frames chosen for the model, in time order, and which one is the key
    frame: the one that best shows what happened (an index into frames)."""

    frames: list[DecodedFrame]
    key_frame: int


def read_frames(
    data: bytes,
    *,
    max_frames: int,
    max_edge: int,
    max_seconds: float,
    deadline: float,
    selection: FrameSelection = FrameSelection.MOTION,
) -> ClipFrames:
    """Return up to max_frames frames of the clip, the first included, in time order.

    deadline is a time.monotonic() value. Raises VideoUnreadableError,
    VideoNoFramesError, VideoTooLongError or VideoDecodeTimeoutError.
    """
    try:
        return _read(
            data,
            max_frames=max_frames,
            max_edge=max_edge,
            max_seconds=max_seconds,
            deadline=deadline,
            selection=selection,
        )
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
    data: bytes,
    *,
    max_frames: int,
    max_edge: int,
    max_seconds: float,
    deadline: float,
    selection: FrameSelection,
) -> ClipFrames:
    with _open(data) as (container, stream):
        # The packets' own times, not the header's claim, say how long it is.
        packets = _scan(container, stream, max_seconds, deadline)
        tick = _seconds_per_tick(stream)
        start = min((packet.pts for packet in packets), default=0)
        wanted = frames_to_examine(
            decodable_times(packets), round(SAMPLE_INTERVAL / tick), MAX_EXAMINED
        )
        if not wanted:
            raise VideoNoFramesError("no frames")
        examined, kept = _examine(
            _decode(container, stream, plan_decoding(packets, wanted), deadline),
            decoding_steps(packets),
            _Scaler(),
        )
        if not examined:
            raise VideoNoFramesError("no frame could be decoded")

        times = [(pts - start) * tick for pts, _ in examined]
        thumbnails = [thumbnail for _, thumbnail in examined]
        chosen = choose_frames(selection, thumbnails, times, max_frames)
        if missing := [
            examined[index][0] for index in chosen if examined[index][0] not in kept
        ]:
            plan = plan_decoding(packets, missing)
            kept.update(_decode(container, stream, plan, deadline))
        scaler = _Scaler()
        return ClipFrames(
            frames=[
                DecodedFrame(
                    round(times[index], 3),
                    # A frame decoded before that does not come again ends
                    # the reading as unreadable (KeyError).
                    _prepare(scaler, kept[examined[index][0]], max_edge),
                )
                for index in chosen
            ],
            key_frame=key_frame_index(
                [thumbnails[index] for index in chosen], thumbnails[0]
            ),
        )


def _scan(
    container: InputContainer,
    stream: VideoStream,
    max_seconds: float,
    deadline: float,
) -> list[Packet]:
    """Every video packet's time and whether it is a key frame, in decoding order."""
    tick = _seconds_per_tick(stream)
    packets: list[Packet] = []
    first: int | None = None
    for count, packet in enumerate(container.demux(stream)):
        if count % _DEADLINE_EVERY == 0:
            _check(deadline)
        if packet.pts is None or packet.size == 0:
            continue  # the demuxer's end marker
        first = packet.pts if first is None else min(first, packet.pts)
        if (seconds := (packet.pts - first) * tick) > max_seconds:
            raise VideoTooLongError(seconds)
        packets.append(Packet(packet.pts, packet.is_keyframe, packet.dts))
    return packets


def _decode(
    container: InputContainer, stream: VideoStream, plan: DecodePlan, deadline: float
) -> Iterator[tuple[int, av.VideoFrame]]:
    """The plan's wanted frames, in the order they are decoded, decoding
    nothing but its packets, until all came (or the clip ended)."""
    remaining = set(plan.wanted)
    context = stream.codec_context
    container.seek(plan.start, stream=stream)
    for count, packet in enumerate(container.demux(stream)):
        if packet.pts is not None and packet.pts not in plan.decode:
            if count % _DEADLINE_EVERY == 0:
                _check(deadline)
            continue  # never handed to the decoder
        _check(deadline)
        # A frame no other frame refers to is skipped by the decoder unless
        # wanted; the end marker (no time) drains the decoder.
        context.skip_frame = (
            "NONREF"
            if packet.pts is not None and packet.pts not in remaining
            else "DEFAULT"
        )
        for frame in packet.decode():
            if frame.pts in remaining:
                remaining.discard(frame.pts)
                yield frame.pts, frame
        if not remaining:
            return


def _examine(
    frames: Iterator[tuple[int, av.VideoFrame]],
    steps: dict[int, int],
    scaler: _Scaler,
) -> tuple[list[tuple[int, Thumbnail]], dict[int, av.VideoFrame]]:
    """The frames' times and thumbnails in time order, and the frames kept whole.

    A kept frame need not be decoded again if it is chosen, but keeping costs
    fresh memory, about as much as decoding a frame or two. So the first is
    kept (it is always chosen), no other key frame (decoding one again takes
    that one frame alone), and as memory allows the frames costliest to
    decode again (the most packets from their key frame).
    """
    examined: list[tuple[int, Thumbnail]] = []
    kept: dict[int, av.VideoFrame] = {}
    # Kept frames that may make way for a costlier one, cheapest first.
    yielding: list[tuple[int, int]] = []
    budget = _KEPT_FRAMES_BYTES
    for pts, frame in frames:
        examined.append((pts, _thumbnail(scaler, frame)))
        first = len(examined) == 1
        if (cost := steps.get(pts, 1)) == 1 and not first:
            continue
        size = _frame_bytes(frame)
        while size > budget and yielding and yielding[0][0] < cost:
            budget += _frame_bytes(kept.pop(heapq.heappop(yielding)[1]))
        if size <= budget:
            budget -= size
            kept[pts] = frame
            if not first:
                heapq.heappush(yielding, (cost, pts))
    examined.sort(key=lambda item: item[0])
    return examined, kept


def _frame_bytes(frame: av.VideoFrame) -> int:
    return frame.width * frame.height * 3 // 2  # YUV 4:2:0


class _Scaler:
    """Scales frames with FFmpeg on the calling thread alone (its default is a
    thread per core), keeping its set-up from one frame to the next."""

    def __init__(self) -> None:
        self._reformatter = VideoReformatter()

    def scale(
        self, frame: av.VideoFrame, width: int, height: int, pixels: str
    ) -> av.VideoFrame:
        # Straight from the decoder's YUV to the size and pixel format wanted:
        # far cheaper than converting every pixel first and shrinking after.
        return self._reformatter.reformat(
            frame,
            width=width,
            height=height,
            format=pixels,
            interpolation="AREA",
            threads=1,
        )


def _prepare(scaler: _Scaler, frame: av.VideoFrame, max_edge: int) -> bytes:
    """The frame as the model's JPEG, within max_edge."""
    width, height = fit_within((frame.width, frame.height), max_edge)
    scaled = scaler.scale(frame, width, height, "rgb24")
    return prepare_frame(Image.fromarray(scaled.to_ndarray()), max_edge)


def _thumbnail(scaler: _Scaler, frame: av.VideoFrame) -> Thumbnail:
    grey = scaler.scale(frame, *THUMBNAIL_SIZE, "gray")
    return np.asarray(grey.to_ndarray(), dtype=np.uint8)


def _seconds_per_tick(stream: VideoStream) -> float:
    # MPEG's 90 kHz clock when a stream does not say.
    return float(stream.time_base or 0) or 1 / 90_000


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise VideoDecodeTimeoutError
