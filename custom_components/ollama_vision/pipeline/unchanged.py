"""Skipping pictures that have not changed: what each image name's model last saw.

Every analysis of still pictures leaves its result here, with the hashes of the
pictures the model saw (media/picture_hash.py), until the next analysis of its
image name replaces it. A call with `skip_unchanged` whose pictures are each
within the threshold of those, asking the same question, is answered with that
result without asking the model. The reference is always the last picture the
model saw, never the last one merely checked, so a slow drift (dusk falling)
is noticed once it adds up.

Kept in memory, per setup: a reload (saving the options) or a restart starts
afresh, and the first call after it asks the model. A result on disk would
have to outlive a changed prompt or model, and one model request per image
name and restart is cheap.
"""

import dataclasses
from datetime import datetime
import logging

from homeassistant.helpers.json import json_dumps

from ..media.picture_hash import hash_distance
from .job import AnalysisRequest, AnalysisResult
from .structured import json_schema

_LOGGER = logging.getLogger(__name__)


def _question(request: AnalysisRequest) -> tuple[object, ...]:
    """What shapes an answer besides the pictures: a changed question is asked."""
    structure = (
        json_dumps(json_schema(request.structure))
        if request.structure is not None
        else None
    )
    text_prompt = request.text_prompt if request.use_text_model else None
    return (request.prompt, text_prompt, structure, request.importance)


class PictureMemory:
    """Each image name's last analysis of still pictures, and their hashes."""

    def __init__(self, threshold: int) -> None:
        """Pictures at most `threshold` bits apart count as unchanged."""
        self._threshold = threshold
        self._last: dict[str, AnalysisResult] = {}

    def replace(self, reported: AnalysisResult, recorded: AnalysisResult) -> None:
        """The timeline recorded a result otherwise than it was reported (its
        snapshot not written): keep it as recorded, if it is still the reference."""
        name = reported.request.image_name
        if (last := self._last.get(name)) is not None and (
            last.analyzed_at == reported.analyzed_at
        ):
            self.remember(recorded)

    def remember(self, result: AnalysisResult) -> None:
        """Keep a new analysis as its image name's reference.

        One of a video or a watch replaces the reference too, by none: the
        model has seen other pictures since.
        """
        name = result.request.image_name
        if result.picture_hashes is None:
            self._last.pop(name, None)
        else:
            # Without the picture itself: the timeline has it, and a name
            # would hold a JPEG in memory for as long as the setup runs.
            self._last[name] = dataclasses.replace(result, key_image=None)

    def alike(
        self, request: AnalysisRequest, hashes: tuple[int, ...] | None
    ) -> AnalysisResult | None:
        """The analysis these pictures repeat: the image name's last one, when
        it asked the same question of as many pictures, each within the threshold."""
        last = self._last.get(request.image_name)
        if last is None or last.picture_hashes is None or hashes is None:
            return None
        if len(hashes) != len(last.picture_hashes):
            return None
        if _question(request) != _question(last.request):
            return None
        distance = max(map(hash_distance, hashes, last.picture_hashes, strict=True))
        _LOGGER.debug(
            "Pictures of %s are %s bits from those of %s (at most %s is unchanged)",
            request.image_name,
            distance,
            last.analyzed_at.isoformat(),
            self._threshold,
        )
        return last if distance <= self._threshold else None

    def forget_before(self, before: datetime | None) -> None:
        """Forget the analyses made before `before` (None: all), as the timeline
        does when it is cleared: an answer never repeats a forgotten one."""
        self._last = {
            name: result
            for name, result in self._last.items()
            if before is not None and result.analyzed_at >= before
        }
