"""Removing image sensors: named ones, and those no analysis has updated for days.

Image sensors are made at run time, one per image name, so names that are no
longer used leave sensors behind. The `remove_image_sensors` action removes
them on request; a setup's option does it daily for sensors older than N days.
Each sensor's image entity goes with it.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
import logging

from homeassistant.core import (
    HomeAssistant,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import (
    DOMAIN,
)
from .entity import IMAGE_NAME_PLATFORMS, image_sensor_entries
from .runtime import OllamaVisionConfigEntry

_LOGGER = logging.getLogger(__name__)

CLEANUP_INTERVAL = timedelta(days=1)


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
    """Remove image sensors and their image entities from Home Assistant; the
    platforms forget them."""
    registry = er.async_get(hass)
    for entity_id in entity_ids:
        if (sensor := registry.async_get(entity_id)) is None:
            continue
        for platform in IMAGE_NAME_PLATFORMS:
            if found := registry.async_get_entity_id(
                platform, DOMAIN, sensor.unique_id
            ):
                registry.async_remove(found)


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
