"""Build video clips in memory for tests and benchmarks (PyAV, H.264).

Flat-colour segments make the chosen frames checkable: a clip of 2 s red, 2 s
green and 2 s blue has exactly three different pictures, at known times. Key
frames come exactly every `key_frame_every` frames (x264 inserts none of its
own at a scene change), so a test knows which frames lie between two of them.
"""

from collections.abc import Callable, Iterable, Sequence
import io

import av
import numpy as np
import numpy.typing as npt

type RGB = tuple[int, int, int]
type Picture = npt.NDArray[np.uint8]


def flat(width: int, height: int, colour: RGB) -> Picture:
    """One picture of one colour, as an RGB array."""
    picture = np.empty((height, width, 3), dtype=np.uint8)
    picture[:] = colour
    return picture


def encode_clip(
    pictures: Iterable[Picture],
    *,
    fps: int = 10,
    key_frame_every: int | None = None,
    container: str = "mp4",
    bit_rate: int | None = None,
    b_frames: int = 0,
) -> bytes:
    """Encode RGB pictures as an H.264 clip; a key frame every `key_frame_every`
    frames (default: each second), at `bit_rate` bits a second (default: x264's
    constant quality), with `b_frames` B-frames between reference frames (not
    referenced by others, and decoded after the frame they precede)."""
    key_frame_every = key_frame_every or fps
    options: dict[str, object] = {
        "preset": "ultrafast",
        "x264-params": (
            f"keyint={key_frame_every}:min-keyint={key_frame_every}:scenecut=0"
            f":bframes={b_frames}:b-pyramid=none"
        ),
    }
    if not b_frames:
        options["tune"] = "zerolatency"  # as cameras encode: no frame delay
    output = io.BytesIO()
    with av.open(output, "w", format=container) as clip:
        stream: av.VideoStream | None = None
        for index, picture in enumerate(pictures):
            if stream is None:
                stream = clip.add_stream("libx264", rate=fps)
                stream.height, stream.width = picture.shape[:2]
                stream.pix_fmt = "yuv420p"
                stream.codec_context.gop_size = key_frame_every
                stream.options = options
                if bit_rate is not None:
                    stream.bit_rate = bit_rate
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            clip.mux(stream.encode(frame))
        if stream is not None:
            clip.mux(stream.encode(None))
    return output.getvalue()


def make_clip(
    segments: Sequence[tuple[RGB, float]],
    *,
    size: tuple[int, int] = (320, 180),
    fps: int = 10,
    key_frame_every: int | None = None,
    container: str = "mp4",
    b_frames: int = 0,
) -> bytes:
    """A clip of flat-colour segments, each (colour, seconds)."""
    width, height = size
    return encode_clip(
        (
            flat(width, height, colour)
            for colour, seconds in segments
            for _ in range(round(seconds * fps))
        ),
        fps=fps,
        key_frame_every=key_frame_every,
        container=container,
        b_frames=b_frames,
    )


# A person in a grey scene: dark, upright, a sixth of the picture wide.
SCENE: RGB = (150, 150, 150)
PERSON: RGB = (30, 30, 40)


def make_person_clip(
    seconds: float,
    where: Callable[[float], float | None],
    *,
    size: tuple[int, int] = (320, 180),
    fps: int = 10,
    key_frame_every: int | None = None,
    b_frames: int = 0,
    container: str = "mp4",
) -> bytes:
    """A grey scene in which a person is, at each moment, where `where` says:
    how far across the picture (0 the left edge, 1 the right), or None: not
    there."""
    width, height = size
    person_width = width // 6

    def picture(moment: float) -> Picture:
        scene = flat(width, height, SCENE)
        if (across := where(moment)) is not None:
            left = round(across * (width - person_width))
            scene[height // 4 :, left : left + person_width] = PERSON
        return scene

    return encode_clip(
        (picture(index / fps) for index in range(round(seconds * fps))),
        fps=fps,
        key_frame_every=key_frame_every,
        container=container,
        b_frames=b_frames,
    )


def crossing(start: float, end: float) -> Callable[[float], float | None]:
    """A person walking across the picture from left to right between two moments."""
    return lambda moment: (
        (moment - start) / (end - start) if start <= moment < end else None
    )


def make_frameless_clip() -> bytes:
    """An AVI with a video stream that has no frame at all."""
    output = io.BytesIO()
    with av.open(output, "w", format="avi") as clip:
        stream = clip.add_stream("libx264", rate=10)
        stream.width, stream.height = 64, 64
        stream.pix_fmt = "yuv420p"
        clip.start_encoding()
    return output.getvalue()


def make_audio_only_clip() -> bytes:
    """An MP4 with one second of silence and no video stream."""
    output = io.BytesIO()
    with av.open(output, "w", format="mp4") as clip:
        stream = clip.add_stream("aac", rate=8000)
        silence = av.AudioFrame.from_ndarray(
            np.zeros((1, 8000), dtype=np.float32), format="fltp", layout="mono"
        )
        silence.sample_rate = 8000
        clip.mux(stream.encode(silence))
        clip.mux(stream.encode(None))
    return output.getvalue()
