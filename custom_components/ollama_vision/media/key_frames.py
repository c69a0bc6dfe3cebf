"""Choose the few frames of a video or a watched camera that show the most.

Frames are compared as tiny grey thumbnails: cheap to make (a video decoder
scales straight to one) and enough to tell a changed scene from noise.
"""

from bisect import bisect_left
from collections.abc import Sequence
from enum import StrEnum
import io
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

type Thumbnail = npt.NDArray[np.uint8]

THUMBNAIL_SIZE: Final = (32, 18)  # 16:9, the shape of nearly every camera
# Mean grey-level differences closer than this are the same to the choice, so
# compression noise cannot outvote the time spread between frames.
_DIFFERENCE_STEP: Final = 2.0


class FrameSelection(StrEnum):
    """How the frames sent to the model are chosen among those looked at."""

    MOTION = "motion"  # the frames that differ most
    EVEN = "even"  # evenly spaced in time


def jpeg_thumbnail(data: bytes) -> Thumbnail:
    """The grey thumbnail of a JPEG (blocking: run in the executor).

    libjpeg decodes at 1/8 scale for this, so it costs little.
    """
    with Image.open(io.BytesIO(data)) as image:
        image.draft("L", THUMBNAIL_SIZE)
        grey = image.convert("L").resize(THUMBNAIL_SIZE, Image.Resampling.BOX)
    return np.asarray(grey, dtype=np.uint8)


def choose_frames(
    selection: FrameSelection,
    thumbnails: Sequence[Thumbnail],
    times: Sequence[float],
    count: int,
) -> list[int]:
    """Return the indexes of up to `count` frames, in time order, the first included."""
    if selection is FrameSelection.EVEN:
        return choose_evenly(times, count)
    return choose_by_motion(thumbnails, times, count)


def choose_by_motion(
    thumbnails: Sequence[Thumbnail], times: Sequence[float], count: int
) -> list[int]:
    """Return the indexes of up to `count` frames, in time order.

    The first frame always; then, one at a time, the frame that differs most
    from every frame already chosen (so a scene that changes and changes back
    is not sent twice), the one furthest in time from them on a tie (so a
    still scene is sampled evenly).
    """
    if not thumbnails:
        return []
    pictures = _flattened(thumbnails)
    moments = np.asarray(times, dtype=np.float64)
    chosen = [0]
    difference = _differences(pictures, pictures[0])
    distance = np.abs(moments - moments[0])
    while len(chosen) < min(count, len(thumbnails)):
        # Chosen frames score -1: never picked twice.
        steps = np.where(
            np.isin(np.arange(len(thumbnails)), chosen),
            -1.0,
            np.floor(difference / _DIFFERENCE_STEP),
        )
        candidates = np.flatnonzero(steps == steps.max())
        best = int(candidates[np.argmax(distance[candidates])])
        chosen.append(best)
        difference = np.minimum(difference, _differences(pictures, pictures[best]))
        distance = np.minimum(distance, np.abs(moments - moments[best]))
    return sorted(chosen)


def choose_evenly(times: Sequence[float], count: int) -> list[int]:
    """Return the indexes of up to `count` frames evenly spaced in time, in order.

    `times` are in time order. The first and the last frame are among them
    (with more than one), the others the nearest to equal steps between; each
    frame is taken once, so frames bunched together still give `count`.
    """
    wanted = min(count, len(times))
    if wanted < 2:
        return list(range(wanted))
    first, last = times[0], times[-1]
    chosen: list[int] = []
    for slot in range(wanted):
        moment = first + (last - first) * slot / (wanted - 1)
        # After the frame chosen before, and leaving one for each slot after.
        lowest = chosen[-1] + 1 if chosen else 0
        highest = len(times) - (wanted - slot)
        after = min(max(bisect_left(times, moment), lowest), highest)
        before = max(after - 1, lowest)
        chosen.append(
            before if moment - times[before] <= times[after] - moment else after
        )
    return chosen


def key_frame_index(thumbnails: Sequence[Thumbnail], background: Thumbnail) -> int:
    """Return the index of the frame that best shows what happened.

    That is the one most different from the scene without it, the
    `background` (a clip's or a watch's first frame: a recording starts before
    what it recorded); the earliest of those that differ as much, so a still
    scene's is its first frame, and a single picture's is itself.
    """
    differences = _differences(_flattened(thumbnails), _flattened([background])[0])
    return int(np.argmax(np.floor(differences / _DIFFERENCE_STEP)))


def _flattened(thumbnails: Sequence[Thumbnail]) -> npt.NDArray[np.int16]:
    """One row of signed pixels per thumbnail, so differences do not wrap."""
    return np.stack(thumbnails).reshape(len(thumbnails), -1).astype(np.int16)


def _differences(
    pictures: npt.NDArray[np.int16], picture: npt.NDArray[np.int16]
) -> npt.NDArray[np.float64]:
    """The mean grey-level difference of each picture from one."""
    differences: npt.NDArray[np.float64] = np.abs(pictures - picture).mean(axis=1)
    return differences
