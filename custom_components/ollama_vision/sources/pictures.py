"""Every picture of one request: images, video frames and watched cameras.

Sources are handled in the order of the action's fields, one at a time, and
their pictures go to the model in that order. The request's key frame, the
picture that best shows what happened, is the key frame of its first video,
Frigate clip or watched camera; with none, its first picture.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from homeassistant.core import HomeAssistant

from ..media.key_frames import FrameSelection
from ..ollama.redact import redact_credentials
from .source import (
    ImageError,
    ImageErrorCode,
    ImageLimits,
    ImageSource,
    ImageSourceKind,
    PreparedImage,
)
from .still import async_get_images
from .video import (
    Clip,
    ClipFrame,
    VideoError,
    VideoErrorCode,
    VideoLimits,
    async_get_frigate_frames,
    async_get_video_frames,
)
from .watch import async_watch


@dataclass(frozen=True, slots=True)
class SentFrame:
    """Which picture went to the model: its source as given, and its time.

    time is seconds into the clip or the watch; None for a single picture.
    """

    source: str
    time: float | None


@dataclass(frozen=True, slots=True)
class Fallback:
    """A source that gave something other than what was asked for, and what."""

    source: str
    used: str


@dataclass(slots=True)
class Pictures:
    """The pictures of a request, with what the result says about them."""

    images: list[PreparedImage] = field(default_factory=list)
    frames: list[SentFrame] = field(default_factory=list)
    fallbacks: list[Fallback] = field(default_factory=list)
    # An index into frames (and images): the picture that best shows what happened.
    key_frame: int = 0

    @property
    def still_hashes(self) -> tuple[int, ...] | None:
        """Each picture's hash when all are single still pictures, else None.

        Frames of a video or a watch are chosen anew each time, so comparing
        them with an earlier call's says nothing about the scene.
        """
        if not self.images or any(frame.time is not None for frame in self.frames):
            return None
        hashes = tuple(
            image.picture_hash
            for image in self.images
            if image.picture_hash is not None
        )
        return hashes if len(hashes) == len(self.images) else None


async def async_get_pictures(
    hass: HomeAssistant,
    sources: Sequence[ImageSource],
    *,
    limits: ImageLimits,
    video: VideoLimits,
    duration: float,
    max_frames: int,
    selection: FrameSelection = FrameSelection.MOTION,
) -> Pictures:
    """Fetch and prepare every source; raise ImageError (or VideoError) for a bad one.

    duration > 0 watches entity sources for that many seconds. selection is how
    the frames of videos and watches are chosen.
    """
    pictures = Pictures()
    key_frame_found = False
    for source in sources:
        clip: Clip
        if source.kind is ImageSourceKind.VIDEO:
            clip = await async_get_video_frames(
                hass, source, limits, video, max_frames, selection=selection
            )
        elif source.kind is ImageSourceKind.FRIGATE_EVENT:
            clip, used_snapshot = await async_get_frigate_frames(
                hass, source, limits, video, max_frames, selection=selection
            )
            if used_snapshot:
                pictures.fallbacks.append(Fallback(source.value, "snapshot"))
        elif source.kind is ImageSourceKind.ENTITY and duration > 0:
            clip = await async_watch(
                hass, source, limits, duration, max_frames, selection=selection
            )
        else:
            [image] = await async_get_images(hass, [source], limits)
            clip = Clip([ClipFrame(image, None)])
        # A clip's frames have times; a still (a Frigate snapshot too) has none.
        if not key_frame_found and clip.frames[clip.key_frame].time is not None:
            pictures.key_frame = len(pictures.frames) + clip.key_frame
            key_frame_found = True
        reported = redact_credentials(source.value)
        for frame in clip.frames:
            pictures.images.append(frame.image)
            pictures.frames.append(SentFrame(reported, frame.time))
    return pictures


_VIDEO_KINDS = (ImageSourceKind.VIDEO, ImageSourceKind.FRIGATE_EVENT)


def fetch_timeout_error(sources: Sequence[ImageSource]) -> ImageError:
    """The error for sources not all in by the fetch time limit, worded for
    videos when there are any."""
    names = ", ".join(source.value for source in sources)
    if any(source.kind in _VIDEO_KINDS for source in sources):
        return VideoError(VideoErrorCode.FETCH_TIMEOUT, names)
    return ImageError(ImageErrorCode.FETCH_TIMEOUT, names)
