"""Every action of the integration: `analyze_image` (also watching until something
happens), `stop_watch`, `clear_timeline`, `summarize_timeline` and `remove_image_sensors`."""

from datetime import datetime, timedelta
import re
from typing import Any

import probatio as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
    split_entity_id,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    selector,
)
from homeassistant.helpers.service import async_get_config_entry
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType
from homeassistant.util.ulid import ulid_now

from .const import (
    ATTR_BEFORE,
    ATTR_DURATION,
    ATTR_END,
    ATTR_FRAME_SELECTION,
    ATTR_FRIGATE_EVENT_ID,
    ATTR_IMAGE_ENTITY,
    ATTR_IMAGE_NAME,
    ATTR_IMAGE_NAMES,
    ATTR_IMAGE_URL,
    ATTR_IMPORTANCE,
    ATTR_INTERVAL,
    ATTR_MAX_DURATION,
    ATTR_MAX_FRAMES,
    ATTR_MEDIA,
    ATTR_OLDER_THAN_DAYS,
    ATTR_PROMPT,
    ATTR_SKIP_UNCHANGED,
    ATTR_START,
    ATTR_STRUCTURE,
    ATTR_TEXT_PROMPT,
    ATTR_UNTIL,
    ATTR_USE_TEXT_MODEL,
    ATTR_VIDEO,
    DEFAULT_MAX_FRAMES,
    DEFAULT_WATCH_DURATION,
    DESCRIPTION_MARKER_PLACEHOLDERS,
    DOMAIN,
    MAX_FRAMES,
    MAX_WATCH_DURATION,
    MAX_WATCH_SECONDS,
    SERVICE_ANALYZE_IMAGE,
    SERVICE_CLEAR_TIMELINE,
    SERVICE_REMOVE_IMAGE_SENSORS,
    SERVICE_STOP_WATCH,
    SERVICE_SUMMARIZE_TIMELINE,
)
from .entity import image_sensor_entries, image_sensor_id
from .image_sensors import async_remove_image_sensors, stale_image_sensors
from .issues import async_clear_untargeted_call, async_report_untargeted_call
from .media.key_frames import FrameSelection
from .pipeline.condition import Condition, watch_response
from .pipeline.job import AnalysisRequest
from .pipeline.payload import result_data
from .pipeline.prompts import text_prompt, vision_prompt
from .pipeline.queue import async_wait_for_job
from .pipeline.structured import STRUCTURE_SCHEMA
from .runtime import OllamaVisionConfigEntry
from .settings import EntrySettings
from .sources.check import async_check_sources
from .sources.source import (
    IMAGE_DOMAINS,
    ImageError,
    ImageSource,
    ImageSourceKind,
    public_image_url,
)
from .timeline.query import TimelineFilter
from .timeline.recorder import TimelineClosedError
from .timeline.summary import (
    MAX_ENTRIES,
    async_nothing_recorded,
    default_prompt,
    summary_prompt,
)

# Frigate's event ids ("1700000000.123456-abc123"): nothing that could leave
# the event's folder of the proxy's path.
_FRIGATE_EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _string_list(value: Any) -> list[str]:
    """One string or a list of them, blanks dropped."""
    values = value if isinstance(value, list) else [value]
    return [text for text in (cv.string(item).strip() for item in values) if text]


ANALYZE_IMAGE_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_IMAGE_URL): _string_list,
        vol.Optional(ATTR_IMAGE_ENTITY): cv.entity_ids,
        vol.Optional(ATTR_MEDIA): selector.MediaSelector(
            {"accept": ["image/*"], "multiple": True}
        ),
        vol.Required(ATTR_IMAGE_NAME): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
        vol.Optional(ATTR_PROMPT): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
        vol.Optional(ATTR_DEVICE_ID): vol.Any(None, cv.string),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.Any(None, cv.string),
        vol.Optional(ATTR_USE_TEXT_MODEL, default=False): cv.boolean,
        vol.Optional(ATTR_TEXT_PROMPT): vol.All(
            cv.string, vol.Strip, vol.Length(min=1)
        ),
        vol.Optional(ATTR_STRUCTURE): STRUCTURE_SCHEMA,
        vol.Optional(ATTR_VIDEO): _string_list,
        vol.Optional(ATTR_FRIGATE_EVENT_ID): _string_list,
        vol.Optional(ATTR_DURATION, default=0): vol.All(
            vol.Coerce(float), vol.Range(min=0, max=MAX_WATCH_SECONDS)
        ),
        vol.Optional(ATTR_MAX_FRAMES, default=DEFAULT_MAX_FRAMES): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_FRAMES)
        ),
        # Unset: the setup's option decides.
        vol.Optional(ATTR_SKIP_UNCHANGED): cv.boolean,
        vol.Optional(ATTR_IMPORTANCE, default=False): cv.boolean,
        vol.Optional(ATTR_FRAME_SELECTION, default=FrameSelection.MOTION): vol.All(
            vol.In([selection.value for selection in FrameSelection]), FrameSelection
        ),
        vol.Optional(ATTR_UNTIL): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
        vol.Optional(ATTR_MAX_DURATION): vol.All(
            vol.Coerce(float), vol.Range(min=1, max=MAX_WATCH_DURATION)
        ),
        vol.Optional(ATTR_INTERVAL): vol.All(
            vol.Coerce(float), vol.Range(min=1, max=MAX_WATCH_DURATION)
        ),
    }
)

STOP_WATCH_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_IMAGE_NAME): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
        vol.Optional(ATTR_DEVICE_ID): vol.Any(None, cv.string),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.Any(None, cv.string),
    }
)

# Clearing is never guessed: the call names its setup.
CLEAR_TIMELINE_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional(ATTR_DEVICE_ID): cv.string,
            vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
            vol.Optional(ATTR_BEFORE): cv.datetime,
        }
    ),
    cv.has_at_least_one_key(ATTR_DEVICE_ID, ATTR_CONFIG_ENTRY_ID),
)

# A summary without a start covers the day before its end.
SUMMARY_WINDOW = timedelta(hours=24)
# The summary's job in the queue, as the log names it.
SUMMARY_JOB = "timeline summary"

SUMMARIZE_TIMELINE_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_DEVICE_ID): vol.Any(None, cv.string),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.Any(None, cv.string),
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_END): cv.datetime,
        vol.Optional(ATTR_IMAGE_NAMES): _string_list,
        vol.Optional(ATTR_PROMPT): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
    }
)

REMOVE_IMAGE_SENSORS_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
            vol.Optional(ATTR_OLDER_THAN_DAYS): vol.All(
                vol.Coerce(int), vol.Range(min=0, max=36500)
            ),
            vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        }
    ),
    cv.has_at_least_one_key(ATTR_ENTITY_ID, ATTR_OLDER_THAN_DAYS),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration (once, for every setup)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ANALYZE_IMAGE,
        _async_analyze_image,
        schema=ANALYZE_IMAGE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
        description_placeholders=DESCRIPTION_MARKER_PLACEHOLDERS,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_STOP_WATCH,
        _async_stop_watch,
        schema=STOP_WATCH_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CLEAR_TIMELINE,
        _async_clear_timeline,
        schema=CLEAR_TIMELINE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REMOVE_IMAGE_SENSORS,
        _async_remove_image_sensors,
        schema=REMOVE_IMAGE_SENSORS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    # A summary is only worth its answer.
    hass.services.async_register(
        DOMAIN,
        SERVICE_SUMMARIZE_TIMELINE,
        _async_summarize_timeline,
        schema=SUMMARIZE_TIMELINE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )


def _sources(data: dict[str, Any]) -> tuple[ImageSource, ...]:
    """The images of a call, in the order of the fields."""
    sources = [
        ImageSource(ImageSourceKind.URL, url) for url in data.get(ATTR_IMAGE_URL, [])
    ]
    sources += [
        ImageSource(ImageSourceKind.ENTITY, entity_id)
        for entity_id in data.get(ATTR_IMAGE_ENTITY, [])
    ]
    sources += [
        ImageSource(ImageSourceKind.MEDIA, item["media_content_id"])
        for item in data.get(ATTR_MEDIA, [])
    ]
    sources += [
        ImageSource(ImageSourceKind.VIDEO, video) for video in data.get(ATTR_VIDEO, [])
    ]
    sources += [
        ImageSource(ImageSourceKind.FRIGATE_EVENT, event_id)
        for event_id in data.get(ATTR_FRIGATE_EVENT_ID, [])
    ]
    return tuple(sources)


def _resolve_entry(hass: HomeAssistant, call: ServiceCall) -> OllamaVisionConfigEntry:
    """The setup a call is for: by config entry, by device, or the first one."""
    if call.data.get(ATTR_CONFIG_ENTRY_ID) or call.data.get(ATTR_DEVICE_ID):
        async_clear_untargeted_call(hass)
    if entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID):
        entry: OllamaVisionConfigEntry = async_get_config_entry(hass, DOMAIN, entry_id)
        return entry
    loaded: list[OllamaVisionConfigEntry] = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]
    if device_id := call.data.get(ATTR_DEVICE_ID):
        device = dr.async_get(hass).async_get(device_id)
        if device is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="device_not_found",
                translation_placeholders={"device_id": device_id},
            )
        for entry in loaded:
            if entry.entry_id == device.config_entry_id:
                return entry
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_loaded",
            translation_placeholders={"device": device.name or device_id},
        )
    if not loaded:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_setup_loaded"
        )
    if len(loaded) > 1:
        async_report_untargeted_call(hass, call.context, loaded[0], len(loaded))
    else:
        async_clear_untargeted_call(hass)
    return loaded[0]


async def _async_build_request(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry, data: dict[str, Any]
) -> AnalysisRequest:
    """The job for a call, once everything that can be checked before it is
    queued is checked: the same refusals with or without a response."""
    settings = entry.runtime_data.settings
    sources = _sources(data)
    if not sources:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_image"
        )
    for source in sources:
        if (
            source.kind is ImageSourceKind.ENTITY
            and split_entity_id(source.value)[0] not in IMAGE_DOMAINS
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="image_entity_not_supported",
                translation_placeholders={"entity_id": source.value},
            )
    _check_video_fields(sources, data[ATTR_DURATION])
    _check_watch_fields(sources, data)
    skip_unchanged = _skip_unchanged(
        sources,
        data[ATTR_DURATION],
        data.get(ATTR_SKIP_UNCHANGED),
        settings,
        watching=ATTR_UNTIL in data,
    )
    use_text_model: bool = data[ATTR_USE_TEXT_MODEL]
    if use_text_model and settings.text is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="text_model_not_configured",
            translation_placeholders={"name": settings.name},
        )
    try:
        await async_check_sources(hass, sources)
    except ImageError as err:  # the same words as when the job would have failed
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=err.translation_key,
            translation_placeholders=err.translation_placeholders,
        ) from err
    urls = data.get(ATTR_IMAGE_URL, [])
    return AnalysisRequest(
        image_name=data[ATTR_IMAGE_NAME],
        sources=sources,
        image_url=public_image_url(urls[0]) if urls else None,
        prompt=vision_prompt(hass, settings, data.get(ATTR_PROMPT)),
        use_text_model=use_text_model,
        text_prompt=text_prompt(hass, settings, data.get(ATTR_TEXT_PROMPT))
        if use_text_model
        else None,
        structure=data.get(ATTR_STRUCTURE),
        duration=data[ATTR_DURATION],
        max_frames=data[ATTR_MAX_FRAMES],
        skip_unchanged=skip_unchanged,
        importance=data[ATTR_IMPORTANCE],
        frame_selection=data[ATTR_FRAME_SELECTION],
    )


def _skip_unchanged(
    sources: tuple[ImageSource, ...],
    duration: float,
    asked: bool | None,
    settings: EntrySettings,
    *,
    watching: bool,
) -> bool:
    """Whether the call skips unchanged pictures: stills only.

    The frames of a video or a watch are chosen anew each time, so they are
    never compared, and each look of a watch until something happens must ask
    its question. A call that asks for the skip with one is refused (a watch
    by `_check_watch_fields`), as that cannot be done; the setup's option
    leaves such calls alone.
    """
    stills = (
        not watching
        and duration == 0
        and all(
            source.kind not in (ImageSourceKind.VIDEO, ImageSourceKind.FRIGATE_EVENT)
            for source in sources
        )
    )
    if asked and not stills:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="skip_unchanged_not_for_videos"
        )
    return stills and (settings.skip_unchanged if asked is None else asked)


def _check_video_fields(sources: tuple[ImageSource, ...], duration: float) -> None:
    """Refuse Frigate ids that are not ids, and a duration with nothing to watch."""
    for source in sources:
        if (
            source.kind is ImageSourceKind.FRIGATE_EVENT
            and not _FRIGATE_EVENT_ID.fullmatch(source.value)
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="frigate_event_id_invalid",
                translation_placeholders={"event_id": source.value},
            )
    if duration > 0 and not any(
        source.kind is ImageSourceKind.ENTITY for source in sources
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="duration_without_entity"
        )


_WATCH_FIELDS = (ATTR_MAX_DURATION, ATTR_INTERVAL)
# What a watch cannot be combined with: it looks at entities again and again,
# and its model answers its own yes/no structure.
# Each look asks its own structured question: no caller's structure beside it,
# no importance, and no answer repeated from an earlier look.
_NOT_WITH_UNTIL = (
    ATTR_VIDEO,
    ATTR_FRIGATE_EVENT_ID,
    ATTR_STRUCTURE,
    ATTR_IMPORTANCE,
    ATTR_SKIP_UNCHANGED,
)


def _check_watch_fields(sources: tuple[ImageSource, ...], data: dict[str, Any]) -> None:
    """Refuse a watch without an entity to look at or with what it cannot take,
    and its fields without `until`."""
    if ATTR_UNTIL not in data:
        for field in _WATCH_FIELDS:
            if field in data:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="watch_field_without_until",
                    translation_placeholders={"field": field},
                )
        return
    for field in (*_NOT_WITH_UNTIL, ATTR_USE_TEXT_MODEL):
        if data.get(field):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="until_not_combinable",
                translation_placeholders={"field": field},
            )
    if not any(source.kind is ImageSourceKind.ENTITY for source in sources):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="until_without_entity"
        )


async def _async_analyze_image(call: ServiceCall) -> ServiceResponse:
    """Queue an image, or start a watch; with a response variable, wait for and
    return the result."""
    hass = call.hass
    entry = _resolve_entry(hass, call)
    data = dict(call.data)
    request = await _async_build_request(hass, entry, data)
    if (question := data.get(ATTR_UNTIL)) is not None:
        condition = Condition(
            question,
            max_duration=data.get(ATTR_MAX_DURATION, DEFAULT_WATCH_DURATION),
            interval=data.get(ATTR_INTERVAL),
        )
        watch = entry.runtime_data.watches.async_start(request, condition)
        if not call.return_response:
            return None
        outcome = await async_wait_for_job(watch)
        return watch_response(
            entry,
            outcome,
            image_sensor_id(hass, entry.entry_id, request.image_name),
        )
    future = entry.runtime_data.queue.async_submit(request)
    if not call.return_response:
        return None
    result = await async_wait_for_job(future)
    entity_id = image_sensor_id(call.hass, entry.entry_id, request.image_name)
    return result_data(entry, result, entity_id)


async def _async_stop_watch(call: ServiceCall) -> ServiceResponse:
    """End the watch of an image name early; its caller is answered at once.

    Nothing running is no error (the watch may just have ended, as scripts and
    timers are stopped): the answer says whether one was stopped.
    """
    entry = _resolve_entry(call.hass, call)
    return {
        "stopped": entry.runtime_data.watches.async_stop(call.data[ATTR_IMAGE_NAME])
    }


async def _async_clear_timeline(call: ServiceCall) -> ServiceResponse:
    """Forget a setup's analyses (before a moment, or all) and their snapshots."""
    entry = _resolve_entry(call.hass, call)
    before = _aware(call.data.get(ATTR_BEFORE))
    removed = await entry.runtime_data.timeline.async_clear(before)
    entry.runtime_data.picture_memory.forget_before(before)
    return {"removed": removed}


def _aware(moment: datetime | None) -> datetime | None:
    """A moment with a time zone: one picked in the UI is the user's local time."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt_util.get_default_time_zone())
    return moment


async def _async_summarize_timeline(call: ServiceCall) -> ServiceResponse:
    """Ask the setup's text model (or vision model) to sum up a period's entries.

    `entries` counts the period's entries, `left_out` the oldest of them that
    did not fit the model's context. A period without entries is answered
    without asking the model.
    """
    hass = call.hass
    entry = _resolve_entry(hass, call)
    runtime = entry.runtime_data
    end = _aware(call.data.get(ATTR_END)) or dt_util.now()
    start = _aware(call.data.get(ATTR_START)) or end - SUMMARY_WINDOW
    if start >= end:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="timeline_invalid_range",
            translation_placeholders={
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
        )
    matching = TimelineFilter.of(
        start=start, end=end, image_names=call.data.get(ATTR_IMAGE_NAMES, ())
    )
    try:
        newest = await runtime.timeline.async_newest(matching, MAX_ENTRIES, None)
        total = (
            await runtime.timeline.async_count(matching)
            if len(newest) == MAX_ENTRIES
            else len(newest)
        )
    except TimelineClosedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="unloaded"
        ) from err
    window: dict[str, JsonValueType] = {
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    if not newest:
        summary = await async_nothing_recorded(hass, start, end)
        return {"summary": summary, "entries": 0, "left_out": 0, **window}
    prompt = summary_prompt(
        newest, total, call.data.get(ATTR_PROMPT) or default_prompt(hass), start, end
    )
    # A job of its own (never merged with another), answered to this call only:
    # no sensor, event or timeline entry.
    request = AnalysisRequest(
        image_name=SUMMARY_JOB,
        sources=(),
        image_url=None,
        prompt=prompt.text,
        use_text_model=False,
        text_prompt=None,
        task_id=ulid_now(),
    )
    result = await async_wait_for_job(runtime.queue.async_submit(request))
    return {
        "summary": result.final_description,
        "entries": total,
        "left_out": prompt.left_out,
        **window,
    }


def _named_image_sensors(
    hass: HomeAssistant, entity_ids: list[str], entry_ids: list[str]
) -> list[str]:
    """The given entities, each checked to be an image sensor of these setups."""
    ours = {
        registry_entry.entity_id
        for entry_id in entry_ids
        for registry_entry in image_sensor_entries(
            er.async_get(hass), entry_id
        ).values()
    }
    for entity_id in entity_ids:
        if entity_id not in ours:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_an_image_sensor",
                translation_placeholders={"entity_id": entity_id},
            )
    return entity_ids


async def _async_remove_image_sensors(call: ServiceCall) -> ServiceResponse:
    """Remove the named image sensors and those older than the given days."""
    hass = call.hass
    data: dict[str, Any] = dict(call.data)
    if entry_id := data.get(ATTR_CONFIG_ENTRY_ID):
        entry: OllamaVisionConfigEntry = async_get_config_entry(hass, DOMAIN, entry_id)
        entry_ids = [entry.entry_id]
    else:
        entry_ids = [
            entry.entry_id for entry in hass.config_entries.async_entries(DOMAIN)
        ]
    removed = set(_named_image_sensors(hass, data.get(ATTR_ENTITY_ID, []), entry_ids))
    if (days := data.get(ATTR_OLDER_THAN_DAYS)) is not None:
        now = dt_util.utcnow()
        for entry_id in entry_ids:
            removed.update(stale_image_sensors(hass, entry_id, days, now))
    async_remove_image_sensors(hass, removed)
    removed_ids: list[JsonValueType] = [*sorted(removed)]
    return {"removed": removed_ids}
