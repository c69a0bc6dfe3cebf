"""Watch a camera or image entity for a few seconds instead of taking one picture.

The picture is taken through Home Assistant's camera (or image) API about once
a second; the frames chosen among them go to the model, as for a video, and
the key frame is the one most different from the first picture.
"""

import asyncio

from homeassistant.core import HomeAssistant

from ..media.key_frames import (
    FrameSelection,
    Thumbnail,
    choose_frames,
    jpeg_thumbnail,
    key_frame_index,
)
from .source import ImageLimits, ImageSource
from .still import async_get_images
from .video import Clip, ClipFrame

# Seconds from one picture to the next; a camera slower than that gives fewer.
WATCH_INTERVAL: float = 1.0


async def async_watch(
    hass: HomeAssistant,
    source: ImageSource,
    limits: ImageLimits,
    seconds: float,
    max_frames: int,
    *,
    selection: FrameSelection = FrameSelection.MOTION,
) -> Clip:
    """Take pictures for `seconds`; return those chosen and the key frame."""
    loop = hass.loop
    started: float | None = None
    frames: list[ClipFrame] = []
    thumbnails: list[Thumbnail] = []
    due = 0.0
    while due <= seconds:
        now = loop.time()
        if started is None:
            started = now  # the watch starts with its first picture: time 0
        elif (wait := started + due - now) > 0:
            # Sleep until the next picture is due, on the loop's clock.
            await asyncio.sleep(wait)
            now = loop.time()
        taken_at = now - started
        [image] = await async_get_images(hass, [source], limits)
        thumbnails.append(await hass.async_add_executor_job(jpeg_thumbnail, image.data))
        frames.append(ClipFrame(image, round(taken_at, 2)))
        due = max(due + WATCH_INTERVAL, loop.time() - started)
    chosen = choose_frames(
        selection, thumbnails, [frame.time or 0.0 for frame in frames], max_frames
    )
    return Clip(
        [frames[index] for index in chosen],
        key_frame_index([thumbnails[index] for index in chosen], thumbnails[0]),
    )
