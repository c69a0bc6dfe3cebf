"""Where a finished job goes: its image sensor first, then the event."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util.signal_type import SignalTypeFormat

from ..const import DOMAIN, EVENT_IMAGE_ANALYSIS_FAILED, EVENT_IMAGE_ANALYZED
from ..entity import image_entity_id
from ..ollama.client import OllamaAuthError
from ..runtime import OllamaVisionConfigEntry
from .job import AnalysisError, AnalysisRequest, AnalysisResult
from .payload import failure_data, result_data

# Sent with every result of a setup (format with its entry id).
SIGNAL_IMAGE_ANALYZED: SignalTypeFormat[AnalysisResult] = SignalTypeFormat(
    f"{DOMAIN}_{{}}_image_analyzed"
)
# Sent when a setup's queue gains, starts or drops a job (format with its entry
# id): only the queue's own sensor listens, so a job costs no other state writes.
SIGNAL_QUEUE_CHANGED: SignalTypeFormat[()] = SignalTypeFormat(
    f"{DOMAIN}_{{}}_queue_changed"
)


async def async_report_outcome(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    request: AnalysisRequest,
    outcome: AnalysisResult | AnalysisError,
) -> None:
    """Show a result on its sensor, then fire the event that ends the job.

    The sensor platform handles the signal at once: it updates the image
    name's sensor, or adds a new one, which registers the entity and writes
    its state before returning (nothing in adding it waits). So the event's
    `entity_id` already has its new state when automations hear the event.
    """
    if request.task_id is not None:
        # An AI Task's result goes only to its caller.
        return
    entity_id = None
    if isinstance(outcome, AnalysisResult):
        entry.runtime_data.last_result = outcome
        async_dispatcher_send(
            hass, SIGNAL_IMAGE_ANALYZED.format(entry.entry_id), outcome
        )
        entity_id = image_entity_id(hass, entry.entry_id, request.image_name)
    elif isinstance(outcome.__cause__, OllamaAuthError):
        # A server refused the key mid-job: ask the user for a new one.
        entry.async_start_reauth(hass)
    fire_outcome(hass, entry, request, outcome, entity_id)


def fire_outcome(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    request: AnalysisRequest,
    outcome: AnalysisResult | AnalysisError,
    entity_id: str | None = None,
) -> None:
    """Fire the one event that ends a job."""
    if isinstance(outcome, AnalysisError):
        hass.bus.async_fire(
            EVENT_IMAGE_ANALYSIS_FAILED, failure_data(entry, request, outcome)
        )
    else:
        hass.bus.async_fire(
            EVENT_IMAGE_ANALYZED, result_data(entry, outcome, entity_id)
        )
