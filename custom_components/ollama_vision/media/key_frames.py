"""Choose the few frames of a video or a watched camera that show the most.

Frames are compared as tiny grey thumbnails: cheap to make (a video decoder
scales straight to one) and enough to tell a changed scene from noise.
"""

from collections.abc import Sequence
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


def jpeg_thumbnail(data: bytes) -> Thumbnail:
    """The grey thumbnail of a JPEG (blocking: run in the executor).

    libjpeg decodes at 1/8 scale for this, so it costs little.
    """
    with Image.open(io.BytesIO(data)) as image:
        image.draft("L", THUMBNAIL_SIZE)
        grey = image.convert("L").resize(THUMBNAIL_SIZE, Image.Resampling.BOX)
    return np.asarray(grey, dtype=np.uint8)


def choose_key_frames(
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
    pictures = np.stack(thumbnails).reshape(len(thumbnails), -1).astype(np.int16)
    moments = np.asarray(times, dtype=np.float64)
    chosen = [0]
    difference = np.abs(pictures - pictures[0]).mean(axis=1)
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
        difference = np.minimum(
            difference, np.abs(pictures - pictures[best]).mean(axis=1)
        )
        distance = np.minimum(distance, np.abs(moments - moments[best]))
    return sorted(chosen)
