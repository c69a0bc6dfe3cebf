"""The `ollama_vision.analyze_image` and `ollama_vision.clear_timeline` actions."""

from datetime import datetime
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
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    selector,
)
from homeassistant.helpers.service import async_get_config_entry
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .const import (
    ATTR_BEFORE,
    ATTR_DURATION,
    ATTR_FRIGATE_EVENT_ID,
    ATTR_IMAGE_ENTITY,
    ATTR_IMAGE_NAME,
    ATTR_IMAGE_URL,
    ATTR_MAX_FRAMES,
    ATTR_MEDIA,
    ATTR_OLDER_THAN_DAYS,
    ATTR_PROMPT,
    ATTR_STRUCTURE,
    ATTR_TEXT_PROMPT,
    ATTR_USE_TEXT_MODEL,
    ATTR_VIDEO,
    DEFAULT_MAX_FRAMES,
    DESCRIPTION_MARKER_PLACEHOLDERS,
    DOMAIN,
    MAX_FRAMES,
    MAX_WATCH_SECONDS,
    SERVICE_ANALYZE_IMAGE,
    SERVICE_CLEAR_TIMELINE,
    SERVICE_REMOVE_IMAGE_SENSORS,
)
from .entity import image_sensor_entries, image_sensor_id
from .image_sensors import async_remove_image_sensors, stale_image_sensors
from .issues import async_clear_untargeted_call, async_report_untargeted_call
from .pipeline.job import AnalysisRequest
from .pipeline.payload import result_data
from .pipeline.queue import async_wait_for_job
from .pipeline.structured import STRUCTURE_SCHEMA
from .runtime import OllamaVisionConfigEntry
from .sources.check import async_check_sources
from .sources.source import (
    IMAGE_DOMAINS,
    ImageError,
    ImageSource,
    ImageSourceKind,
    public_image_url,
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
    """Register the integration's actions."""
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
        SERVICE_CLEAR_TIMELINE,
        _async_clear_timeline,
        schema=CLEAR_TIMELINE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
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
        prompt=data.get(ATTR_PROMPT) or settings.default_prompt,
        use_text_model=use_text_model,
        text_prompt=(data.get(ATTR_TEXT_PROMPT) or settings.default_text_prompt)
        if use_text_model
        else None,
        structure=data.get(ATTR_STRUCTURE),
        duration=data[ATTR_DURATION],
        max_frames=data[ATTR_MAX_FRAMES],
    )


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


async def _async_analyze_image(call: ServiceCall) -> ServiceResponse:
    """Queue an image; with a response variable, wait for and return the result."""
    entry = _resolve_entry(call.hass, call)
    request = await _async_build_request(call.hass, entry, dict(call.data))
    future = entry.runtime_data.queue.async_submit(request)
    if not call.return_response:
        return None
    result = await async_wait_for_job(future)
    entity_id = image_sensor_id(call.hass, entry.entry_id, request.image_name)
    return result_data(entry, result, entity_id)


async def _async_clear_timeline(call: ServiceCall) -> ServiceResponse:
    """Forget a setup's analyses (before a moment, or all) and their snapshots."""
    entry = _resolve_entry(call.hass, call)
    before: datetime | None = call.data.get(ATTR_BEFORE)
    if before is not None and before.tzinfo is None:
        # A date picked in the UI is the user's local time.
        before = before.replace(tzinfo=dt_util.get_default_time_zone())
    removed = await entry.runtime_data.timeline.async_clear(before)
    return {"removed": removed}


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


@callback
def async_setup_housekeeping_services(hass: HomeAssistant) -> None:
    """Register the `remove_image_sensors` action."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_REMOVE_IMAGE_SENSORS,
        _async_remove_image_sensors,
        schema=REMOVE_IMAGE_SENSORS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
