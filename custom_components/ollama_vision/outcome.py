"""Where a finished job goes: its image sensor first, then the event."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util.signal_type import SignalTypeFormat

from .analysis import AnalysisError, AnalysisRequest, AnalysisResult
from .client import OllamaAuthError
from .const import DOMAIN
from .entity import image_entity_id
from .events import fire_outcome
from .runtime import OllamaVisionConfigEntry

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
