"""The result payload: what the event, the action's answer and the sensor carry."""

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_CONFIG_ENTRY_ID

from ..ollama.redact import redact_credentials
from .job import AnalysisError, AnalysisRequest, AnalysisResult


def reported_sources(request: AnalysisRequest) -> list[str]:
    """Every source of a request as it may be shown (no passwords)."""
    return [redact_credentials(source.value) for source in request.sources]


def setup_data(entry: ConfigEntry[Any]) -> dict[str, Any]:
    """Which setup answered: its entry id (to target it) and its name."""
    return {ATTR_CONFIG_ENTRY_ID: entry.entry_id, "setup": entry.title}


def result_data(
    entry: ConfigEntry[Any], result: AnalysisResult, entity_id: str | None
) -> dict[str, Any]:
    """The fields of a successful analysis, shared by the event and the action's answer."""
    request = result.request
    data = {
        # The original's fields, unchanged for existing automations.
        "integration_id": entry.entry_id,
        "image_name": request.image_name,
        "image_url": request.image_url,
        "prompt": request.prompt,
        "description": result.description,
        "used_text_model": result.text_model is not None,
        "text_prompt": request.text_prompt if result.text_model else None,
        "final_description": result.final_description,
        # Ours.
        "entity_id": entity_id,
        "image_sources": reported_sources(request),
        "vision_model": result.vision_model,
        "text_model": result.text_model,
        "analyzed_at": result.analyzed_at.isoformat(),
        "timings": dict(result.timings),
        **setup_data(entry),
        # Every picture sent, in order: its source, and its time in a clip or watch.
        "frames": [
            {"source": frame.source, "time": frame.time} for frame in result.frames
        ],
        # The one that best shows what happened (the timeline's snapshot).
        "key_frame": key_frame_data(result),
        # Frigate events whose clip was not there: their snapshot was used.
        "fallbacks": [
            {"source": fallback.source, "used": fallback.used}
            for fallback in result.fallbacks
        ],
        # The timeline's picture of the analysis (None when snapshots are off).
        "snapshot": result.snapshot.media_id if result.snapshot else None,
        "snapshot_url": result.snapshot.url if result.snapshot else None,
        # The same, loadable for a day without signing in (a markdown picture).
        "snapshot_signed_url": result.snapshot.signed_url if result.snapshot else None,
    }
    if request.structure is not None:
        data["data"] = result.data
    if request.importance:
        data["importance"] = (
            None if result.importance is None else result.importance.value
        )
    if request.skip_unchanged:
        # Whether the model was spared: the rest repeats its last analysis of
        # this image name, from `analyzed_at`.
        data["unchanged"] = result.unchanged
        data["checked_at"] = result.checked_at.isoformat()
    return data


def key_frame_data(result: AnalysisResult) -> dict[str, Any] | None:
    """Which picture sent is the key frame: its index in frames, and its time."""
    if result.key_frame is None:
        return None
    return {"time": result.frames[result.key_frame].time, "index": result.key_frame}


def failure_data(
    entry: ConfigEntry[Any], request: AnalysisRequest, error: AnalysisError
) -> dict[str, Any]:
    """The fields of a failed analysis."""
    return {
        "integration_id": entry.entry_id,
        "image_name": request.image_name,
        "image_url": request.image_url,
        "image_sources": reported_sources(request),
        "error": error.code,
        "stage": error.stage,
        "message": str(error),
        **setup_data(entry),
    }
