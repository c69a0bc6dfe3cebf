"""The frames of videos for the model: files, URLs, media and Frigate event clips.

Videos are fetched like images (sources/fetch.py: size cap, redirects, time limit,
signed /api/ paths, allowed files, media sources), with their own size limit,
then read in the executor (media/video_decode.py).
"""

import asyncio
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import partial
import logging
import time
from typing import Final

from homeassistant.core import HomeAssistant

from ..media.key_frames import FrameSelection
from ..media.video_decode import (
    VideoDecodeTimeoutError,
    VideoNoFramesError,
    VideoTooLongError,
    VideoUnreadableError,
    read_frames,
)
from .fetch import async_fetch_source
from .source import (
    ImageError,
    ImageErrorCode,
    ImageLimits,
    ImageSource,
    ImageSourceKind,
    PreparedImage,
)
from .still import async_get_images

_LOGGER = logging.getLogger(__name__)

FRIGATE_CLIP: Final = "/api/frigate/notifications/{event_id}/clip.mp4"
FRIGATE_SNAPSHOT: Final = "/api/frigate/notifications/{event_id}/snapshot.jpg"
# Frigate writes the clip when the event ends; a call right at the end may come
# before it. Seconds to wait before each new try: three tries over ten seconds.
FRIGATE_CLIP_RETRY_DELAYS: tuple[float, ...] = (5.0, 5.0)


class VideoErrorCode(StrEnum):
    """Why a video could not be used; also its translation key."""

    FETCH_FAILED = "video_fetch_failed"
    FETCH_TIMEOUT = "video_fetch_timeout"
    TOO_LARGE = "video_too_large"
    UNREADABLE = "video_unreadable"
    NO_FRAMES = "video_no_frames"
    TOO_LONG = "video_too_long"


class VideoError(ImageError):
    """A video could not be used; code is the translation key."""


# The fetch layer's codes that have a video wording; the others (a path not
# allowed, a missing file, a bad scheme, a media failure) read the same for both.
_AS_VIDEO_CODE: Final = {
    ImageErrorCode.FETCH_FAILED: VideoErrorCode.FETCH_FAILED,
    ImageErrorCode.FETCH_TIMEOUT: VideoErrorCode.FETCH_TIMEOUT,
    ImageErrorCode.TOO_LARGE: VideoErrorCode.TOO_LARGE,
}


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """Limits for every video, on top of the image limits."""

    max_bytes: int = 100 * 1024 * 1024
    max_seconds: float = 120.0


@dataclass(frozen=True, slots=True)
class ClipFrame:
    """A picture for the model and when it was seen (seconds; None for a still)."""

    image: PreparedImage
    time: float | None


@dataclass(frozen=True, slots=True)
class Clip:
    """What one source gave the model, in time order, and its key frame: the
    one that best shows what happened (an index into frames; a still is its own)."""

    frames: list[ClipFrame]
    key_frame: int = 0


async def async_get_video_frames(
    hass: HomeAssistant,
    source: ImageSource,
    limits: ImageLimits,
    video: VideoLimits,
    max_frames: int,
    *,
    selection: FrameSelection = FrameSelection.MOTION,
) -> Clip:
    """Fetch a video (URL, /api/ path, file or media id) and choose its frames.

    A source with a path is a file Home Assistant resolved already (an AI Task
    attachment): it is read as it is.
    """
    data = await _async_fetch_video(hass, source, limits, video)
    return await _async_read(
        hass,
        source,
        data,
        limits=limits,
        video=video,
        max_frames=max_frames,
        selection=selection,
    )


async def async_get_frigate_frames(
    hass: HomeAssistant,
    source: ImageSource,
    limits: ImageLimits,
    video: VideoLimits,
    max_frames: int,
    *,
    selection: FrameSelection = FrameSelection.MOTION,
) -> tuple[Clip, bool]:
    """Frames of a Frigate event's clip, through Home Assistant's Frigate proxy.

    While the clip is missing (404 or empty), try again a few times; then use
    the event's snapshot. The flag says whether the snapshot was used.
    """
    clip = ImageSource(
        ImageSourceKind.VIDEO, FRIGATE_CLIP.format(event_id=source.value)
    )
    for delay in (*FRIGATE_CLIP_RETRY_DELAYS, None):
        try:
            data = await _async_fetch_video(hass, clip, limits, video)
        except VideoError as err:
            if not _clip_missing(err):
                raise
        else:
            if data:
                frames = await _async_read(
                    hass,
                    clip,
                    data,
                    limits=limits,
                    video=video,
                    max_frames=max_frames,
                    selection=selection,
                )
                return frames, False
        if delay is not None:
            _LOGGER.debug(
                "The clip of Frigate event %s is not there yet; trying again in %s s",
                source.value,
                delay,
            )
            await asyncio.sleep(delay)
    snapshot = ImageSource(
        ImageSourceKind.URL, FRIGATE_SNAPSHOT.format(event_id=source.value)
    )
    [image] = await async_get_images(hass, [snapshot], limits)
    return Clip([ClipFrame(image, None)]), True


def _clip_missing(err: VideoError) -> bool:
    """Whether the proxy said the clip does not exist (yet)."""
    reason = (err.translation_placeholders or {}).get("reason", "")
    return err.code == VideoErrorCode.FETCH_FAILED and reason.startswith("HTTP 404")


async def _async_fetch_video(
    hass: HomeAssistant, source: ImageSource, limits: ImageLimits, video: VideoLimits
) -> bytes:
    try:
        return await async_fetch_source(
            hass, source, replace(limits, max_bytes=video.max_bytes)
        )
    except ImageError as err:
        if (video_error := as_video_error(err, source)) is not err:
            raise video_error from err
        raise


def as_video_error(err: ImageError, source: ImageSource) -> ImageError:
    """The error as a video source reports it: in video words where there are
    any, else err itself (a path not allowed, a missing file, a bad scheme, a
    media failure read the same for both)."""
    code = _AS_VIDEO_CODE.get(ImageErrorCode(err.code))
    if code is None:
        return err
    placeholders = dict(err.translation_placeholders or {})
    placeholders.pop("source", None)
    return VideoError(code, source.value, **placeholders)


async def _async_read(
    hass: HomeAssistant,
    source: ImageSource,
    data: bytes,
    *,
    limits: ImageLimits,
    video: VideoLimits,
    max_frames: int,
    selection: FrameSelection,
) -> Clip:
    """Choose and prepare the frames, and find the key frame, in the executor."""
    read = partial(
        read_frames,
        data,
        max_frames=max_frames,
        selection=selection,
        max_edge=limits.max_edge,
        max_seconds=video.max_seconds,
        # The executor cannot be cancelled: the reader stops itself.
        deadline=time.monotonic() + limits.timeout,
    )
    try:
        clip = await hass.async_add_executor_job(read)
    except VideoUnreadableError as err:
        raise VideoError(VideoErrorCode.UNREADABLE, source.value) from err
    except VideoNoFramesError as err:
        raise VideoError(VideoErrorCode.NO_FRAMES, source.value) from err
    except VideoTooLongError as err:
        raise VideoError(
            VideoErrorCode.TOO_LONG,
            source.value,
            limit=f"{video.max_seconds:g}",
        ) from err
    except VideoDecodeTimeoutError as err:
        raise VideoError(VideoErrorCode.FETCH_TIMEOUT, source.value) from err
    return Clip(
        [
            ClipFrame(PreparedImage(source=source, data=frame.data), frame.time)
            for frame in clip.frames
        ],
        clip.key_frame,
    )
