"""The one place a finished job goes: image entity, sensor, event, timeline, then its callers."""

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util.signal_type import SignalTypeFormat

from ..const import (
    DOMAIN,
    EVENT_CONDITION_MET,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from ..entity import image_sensor_id
from ..ollama.client import OllamaAuthError
from ..runtime import OllamaVisionConfigEntry
from ..timeline.snapshot_files import SnapshotName
from .condition import WatchOutcome, condition_met_data
from .job import AnalysisError, AnalysisRequest, AnalysisResult, Outcome
from .payload import failure_data, result_data
from .queue import Report

# Sent with every result of a setup, just before SIGNAL_IMAGE_ANALYZED (format
# with its entry id): the image entity shows the new picture first, under a new
# link, so the sensor can show that link. One signal would not do: it calls its
# listeners in the order they connected, which depends on the order in which
# the platforms happened to be set up.
SIGNAL_PICTURE_ANALYZED: SignalTypeFormat[AnalysisResult] = SignalTypeFormat(
    f"{DOMAIN}_{{}}_picture_analyzed"
)
# Sent with every result of a setup (format with its entry id).
SIGNAL_IMAGE_ANALYZED: SignalTypeFormat[AnalysisResult] = SignalTypeFormat(
    f"{DOMAIN}_{{}}_image_analyzed"
)
# Sent when a setup's queue gains, starts or drops a job (format with its entry
# id): only the queue's own sensor listens, so a job costs no other state writes.
SIGNAL_QUEUE_CHANGED: SignalTypeFormat[()] = SignalTypeFormat(
    f"{DOMAIN}_{{}}_queue_changed"
)


async def async_finish_job(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    request: AnalysisRequest,
    outcome: Outcome,
) -> Report:
    """The one place a finished job goes; returns its report (pipeline.queue).

    In this order:
    1. the timeline names the result's snapshot, so the sensor, the event
       and the answer can carry its link; one that repeats an analysis (the
       pictures had not changed) is on the timeline already;
    2. the image entity of the image name shows its picture (the image
       platform updates it or adds it at once, as the sensor platform does),
       from memory until the snapshot is on disk; an unchanged picture leaves
       it as it is;
    3. the sensor shows it, its entity picture linking to the image entity's
       new picture: the sensor platform handles the signal at once, updating
       the image name's sensor or adding a new one (which registers the
       entity and writes its state before returning), so
    4. the event's `entity_id` already has its new state when automations
       hear it; a failure fires the failure event instead;
    5. the timeline records the result and writes the snapshot (one executor
       job, after the event so that automations need not wait for the disk);
       the calendar and the timeline's subscribers hear of it; a snapshot
       that could not be written is dropped from the answer. This is the
       report's rest, which the queue does once the worker is free;
    6. the queue answers the callers with the outcome as recorded, so an
       action that waits for its answer finds the analysis on the timeline.

    An AI Task's outcome goes only to its caller, with or without pictures: no
    timeline entry, sensor or event. The timeline records what the setup's
    analyses saw (`analyze_image`); a task is a question asked in passing, and
    a condition that asks every minute would bury the timeline's real events.
    For that reason too a watch's looks go only to their watch, which reports
    the look that meets its condition, or fails, here (async_report_outcome).
    """
    if request.task_id is not None or request.until is not None:
        return Report(outcome)
    return _report(hass, entry, request, outcome)


async def async_report_outcome(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    request: AnalysisRequest,
    outcome: Outcome,
) -> Outcome:
    """Sensor, event and timeline for an outcome, in that order; returns the
    outcome as recorded (a result with its snapshot's link, if it was written)."""
    report = _report(hass, entry, request, outcome)
    return await report.rest if report.rest is not None else report.outcome


def _report(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    request: AnalysisRequest,
    outcome: Outcome,
) -> Report:
    """Image entity, sensor and event now; the timeline's record as the rest."""
    runtime = entry.runtime_data
    if isinstance(outcome, AnalysisError):
        if isinstance(outcome.__cause__, OllamaAuthError):
            # A server refused the key mid-job: ask the user for a new one.
            entry.async_start_reauth(hass)
        fire_outcome(hass, entry, request, outcome)
        return Report(outcome)
    snapshot_name = None
    if not outcome.unchanged:
        outcome, snapshot_name = runtime.timeline.async_name_snapshot(outcome)
        runtime.last_result = outcome
        runtime.picture_memory.remember(outcome)
        async_dispatcher_send(
            hass, SIGNAL_PICTURE_ANALYZED.format(entry.entry_id), outcome
        )
    async_dispatcher_send(hass, SIGNAL_IMAGE_ANALYZED.format(entry.entry_id), outcome)
    fire_outcome(
        hass,
        entry,
        request,
        outcome,
        image_sensor_id(hass, entry.entry_id, request.image_name),
    )
    if outcome.unchanged:
        return Report(outcome)
    return Report(outcome, _async_record(entry, outcome, snapshot_name))


async def _async_record(
    entry: OllamaVisionConfigEntry,
    reported: AnalysisResult,
    snapshot_name: SnapshotName | None,
) -> Outcome:
    """Record a reported result on the timeline; returns it as recorded."""
    runtime = entry.runtime_data
    recorded = await runtime.timeline.async_record(reported, snapshot_name)
    if recorded is not reported:
        # Its snapshot was not written as named: what is kept says so, unless
        # a newer analysis came meanwhile.
        if runtime.last_result is reported:
            runtime.last_result = recorded
        runtime.picture_memory.replace(reported, recorded)
    return recorded


def fire_outcome(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    request: AnalysisRequest,
    outcome: Outcome,
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


def fire_condition_met(
    hass: HomeAssistant, entry: ConfigEntry[Any], outcome: WatchOutcome
) -> None:
    """Fire the event of a watch whose condition is met (after its analysis's own)."""
    hass.bus.async_fire(
        EVENT_CONDITION_MET,
        condition_met_data(
            entry, outcome, image_sensor_id(hass, entry.entry_id, outcome.image_name)
        ),
    )
