"""Watching until something happens: what each look asks, what its answer
says, and what the caller and the condition event are told.

A watch (`analyze_image` with `until`, see pipeline/watches.py) looks at its
cameras again and again until the answer to a yes/no question is yes. Each
look is one analysis whose model answers in a structure of ours: whether the
condition is met, what the pictures show, and, when the call set no interval,
when it is worth looking again.
"""

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry

from .job import AnalysisRequest, AnalysisResult
from .payload import key_frame_data, result_data, setup_data
from .structured import STRUCTURE_SCHEMA

# Seconds the model may suggest until the next look: a second at least (a
# camera's picture changes little faster), five minutes at most (so a watch
# never sleeps through most of its time).
SUGGESTED_INTERVAL: Final = (1.0, 300.0)

_MET: Final = "met"
_DESCRIPTION: Final = "description"
_NEXT_CHECK: Final = "next_check"


class WatchEnd(StrEnum):
    """Why a watch ended; `ended` in its answer."""

    MET = "met"  # the answer was yes
    LIMIT = "limit"  # max_duration passed without a yes
    STOPPED = "stopped"  # ollama_vision.stop_watch
    REPLACED = "replaced"  # a newer watch of the same image name
    UNLOADED = "unloaded"  # the setup unloaded


@dataclass(frozen=True, slots=True)
class Condition:
    """What a watch waits for, and for how long."""

    question: str
    max_duration: float
    # Seconds from an answer to the next look; None: the model suggests them.
    interval: float | None = None


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    """What one look's model answered."""

    met: bool
    description: str
    # Seconds to the next look, when the model was asked to suggest them.
    next_check: float | None


@dataclass(frozen=True, slots=True)
class WatchOutcome:
    """How a watch ended: after how many looks and seconds, and the last look
    (None when it ended before any answered)."""

    image_name: str
    condition: Condition
    end: WatchEnd
    checks: int
    after: float
    last: AnalysisResult | None


def check_request(request: AnalysisRequest, condition: Condition) -> AnalysisRequest:
    """One look of a watch: the call's sources and prompt, with the question
    and the structure its answer comes in."""
    fields: dict[str, Any] = {
        _MET: {
            "description": f"Whether the answer to this question is yes: "
            f"{condition.question}",
            "required": True,
            "selector": {"boolean": {}},
        },
        _DESCRIPTION: {
            "description": "What the pictures show, in a sentence or two",
            "required": True,
            "selector": {"text": {}},
        },
    }
    if condition.interval is None:
        low, high = SUGGESTED_INTERVAL
        fields[_NEXT_CHECK] = {
            "description": f"Seconds until it is worth looking again, {low:g} to "
            f"{high:g}: few when it may happen any moment, many when nothing "
            "suggests it will happen soon",
            "required": True,
            # No bounds here: an answer outside them is clamped, not refused.
            "selector": {"number": {"mode": "box"}},
        }
    return replace(
        request,
        prompt=f"{request.prompt}\n\nThen answer this question about the pictures "
        f"with yes or no: {condition.question}",
        structure=STRUCTURE_SCHEMA(fields),
        until=condition.question,
    )


def read_answer(result: AnalysisResult) -> tuple[CheckAnswer, AnalysisResult]:
    """A look's answer, and its result as an analysis of its own: the model's
    description in words (not the JSON it answered in), no structured data."""
    data: dict[str, Any] = result.data
    description = str(data[_DESCRIPTION])
    next_check: float | None = None
    if (suggested := data.get(_NEXT_CHECK)) is not None:
        low, high = SUGGESTED_INTERVAL
        next_check = min(max(float(suggested), low), high)
    answer = CheckAnswer(bool(data[_MET]), description, next_check)
    return answer, replace(
        result,
        request=replace(result.request, structure=None),
        description=description,
        final_description=description,
        data=None,
    )


def watch_response(
    entry: ConfigEntry[Any], outcome: WatchOutcome, entity_id: str | None
) -> dict[str, Any]:
    """What the caller of a watch gets: how it ended, and the last look."""
    if outcome.last is not None:
        data = result_data(entry, outcome.last, entity_id)
    else:
        data = {
            "integration_id": entry.entry_id,
            "image_name": outcome.image_name,
            "description": None,
            "entity_id": entity_id,
            **setup_data(entry),
        }
    return {
        **data,
        "met": outcome.end is WatchEnd.MET,
        "ended": outcome.end.value,
        "question": outcome.condition.question,
        "after": outcome.after,
        "checks": outcome.checks,
    }


def condition_met_data(
    entry: ConfigEntry[Any], outcome: WatchOutcome, entity_id: str | None
) -> dict[str, Any]:
    """The fields of the `ollama_vision_condition_met` event."""
    last = outcome.last
    assert last is not None  # a condition is met by a look's answer
    return {
        "integration_id": entry.entry_id,
        **setup_data(entry),
        "image_name": outcome.image_name,
        "entity_id": entity_id,
        "question": outcome.condition.question,
        "after": outcome.after,
        "checks": outcome.checks,
        "description": last.description,
        "key_frame": key_frame_data(last),
        "snapshot": last.snapshot.media_id if last.snapshot else None,
        "snapshot_url": last.snapshot.url if last.snapshot else None,
    }
