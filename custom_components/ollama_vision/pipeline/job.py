"""What a job is: the request a caller makes, the result it gets, or the error."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import probatio as vol

from homeassistant.exceptions import HomeAssistantError

from ..const import DEFAULT_MAX_FRAMES, DOMAIN
from ..media.key_frames import FrameSelection
from ..ollama.redact import redact_credentials
from ..sources.pictures import Fallback, SentFrame
from ..sources.source import ImageSource
from ..timeline.snapshot_files import SnapshotLink
from .importance import Importance


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    """What a caller asked for, with the setup's defaults filled in."""

    image_name: str
    sources: tuple[ImageSource, ...]
    image_url: str | None
    prompt: str
    use_text_model: bool
    text_prompt: str | None
    # The fields the final model must answer in JSON (ai_task's structure).
    structure: vol.Schema | None = None
    # Set for an AI Task: it waits under this id of its own, never merged with
    # another job, and its result goes only to its caller (no sensor, no event).
    task_id: str | None = None
    # Set for a look of a watch (`until`, pipeline/watches.py): its question.
    # It waits under its image name's watch, apart from the name's analyses,
    # and only the watch hears its outcome (it reports a met condition).
    until: str | None = None
    # Seconds to watch entity sources (0: one picture), frames per video or
    # watch, and how they are chosen.
    duration: float = 0.0
    max_frames: int = DEFAULT_MAX_FRAMES
    # Answer with the image name's last analysis when its pictures have not
    # changed (pipeline/unchanged.py); only ever set for still pictures.
    skip_unchanged: bool = False
    # The final model rates the importance too (pipeline/importance.py).
    importance: bool = False
    frame_selection: FrameSelection = FrameSelection.MOTION

    @property
    def queue_key(self) -> str | tuple[str, str]:
        """What a waiting job is found by: its image name, a task's own id, or
        a watch's image name (tuples, so they can never equal an image name)."""
        if self.task_id is not None:
            return ("task", self.task_id)
        if self.until is not None:
            return ("watch", self.image_name)
        return self.image_name


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """A finished analysis."""

    request: AnalysisRequest
    description: str
    final_description: str
    vision_model: str
    text_model: str | None
    analyzed_at: datetime
    timings: dict[str, float | None] = field(default_factory=dict)
    # The structured answer, checked against the request's structure.
    data: Any = None
    frames: tuple[SentFrame, ...] = ()
    fallbacks: tuple[Fallback, ...] = ()
    # Which of the frames best shows what happened (None without pictures), and
    # that picture as the model got it: the timeline keeps it as the snapshot.
    key_frame: int | None = None
    key_image: bytes | None = field(default=None, repr=False, compare=False)
    snapshot: SnapshotLink | None = None
    # The final model's level, when the request asked for one (None: unreadable).
    importance: Importance | None = None
    # The hashes of the pictures the model saw, when all were still pictures.
    picture_hashes: tuple[int, ...] | None = None
    # Set when this result repeats an earlier analysis, the pictures being
    # unchanged, without asking the model: when this call looked at them.
    unchanged_at: datetime | None = None

    @property
    def duration(self) -> float:
        """Seconds the whole analysis took."""
        return self.timings.get("total") or 0.0

    @property
    def unchanged(self) -> bool:
        """Whether this repeats an earlier analysis (the pictures had not changed)."""
        return self.unchanged_at is not None

    @property
    def checked_at(self) -> datetime:
        """When the pictures were last looked at, by the model or for a change."""
        return self.unchanged_at or self.analyzed_at


class AnalysisError(HomeAssistantError):
    """An analysis failed; `code` names what failed, for events and automations."""

    def __init__(
        self,
        code: str,
        stage: str,
        placeholders: dict[str, str] | None = None,
        *,
        translation_key: str | None = None,
    ) -> None:
        """Build a translated error from a code (or its own message key).

        Every placeholder is masked: reasons quote servers' and libraries'
        messages, which can repeat a URL with its password.
        """
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=translation_key or code,
            translation_placeholders={
                key: redact_credentials(value)
                for key, value in (placeholders or {}).items()
            },
        )
        self.code = code
        self.stage = stage


# How a job ends: its result, or the error that stopped it.
type Outcome = AnalysisResult | AnalysisError
