"""Removing image sensors: named ones, and those no analysis has updated for days.

Image sensors are made at run time, one per image name, so names that are no
longer used leave sensors behind. The `remove_image_sensors` action removes
them on request; a setup's option does it daily for sensors older than N days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
import logging
from typing import Any

import probatio as vol

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_ENTITY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.service import async_get_config_entry
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .const import (
    ATTR_OLDER_THAN_DAYS,
    DOMAIN,
    SERVICE_REMOVE_IMAGE_SENSORS,
)
from .entity import image_sensor_entries
from .runtime import OllamaVisionConfigEntry

_LOGGER = logging.getLogger(__name__)

CLEANUP_INTERVAL = timedelta(days=1)

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


def last_analysis(hass: HomeAssistant, registry_entry: er.RegistryEntry) -> datetime:
    """When the sensor last got a description.

    Its `analyzed_at` attribute survives restarts, unlike the state's own times;
    a sensor without one counts from when its registry entry last changed.
    """
    state = hass.states.get(registry_entry.entity_id)
    if (
        state is not None
        and isinstance(analyzed_at := state.attributes.get("analyzed_at"), str)
        and (parsed := dt_util.parse_datetime(analyzed_at)) is not None
    ):
        return parsed
    return registry_entry.modified_at


def stale_image_sensors(
    hass: HomeAssistant, entry_id: str, days: int, now: datetime
) -> list[str]:
    """The setup's image sensors with no analysis in the last `days` days."""
    cutoff = now - timedelta(days=days)
    return [
        registry_entry.entity_id
        for registry_entry in image_sensor_entries(
            er.async_get(hass), entry_id
        ).values()
        if last_analysis(hass, registry_entry) <= cutoff
    ]


@callback
def async_remove_image_sensors(hass: HomeAssistant, entity_ids: Iterable[str]) -> None:
    """Remove sensors from Home Assistant; the sensor platform forgets them."""
    registry = er.async_get(hass)
    for entity_id in entity_ids:
        registry.async_remove(entity_id)


@callback
def async_start_automatic_removal(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry, days: int
) -> None:
    """Remove the setup's stale image sensors now and then daily, while it runs."""

    @callback
    def remove_stale(now: datetime) -> None:
        stale = stale_image_sensors(hass, entry.entry_id, days, now)
        if stale:
            _LOGGER.info(
                "%s: removing image sensors without an analysis for %d days: %s",
                entry.title,
                days,
                ", ".join(stale),
            )
            async_remove_image_sensors(hass, stale)

    remove_stale(dt_util.utcnow())
    entry.async_on_unload(
        async_track_time_interval(
            hass, remove_stale, CLEANUP_INTERVAL, name=f"{DOMAIN} sensor cleanup"
        )
    )


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
