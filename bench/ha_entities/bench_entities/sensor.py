"""A sensor per image name: the text, and when it came."""

from typing import Any

from homeassistant.components.sensor import SensorEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from . import SIGNAL_TEXT
from .entity import NameEntity, async_follow_names


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """A sensor for each image name shown."""
    async_follow_names(
        hass,
        entry,
        SIGNAL_TEXT,
        make=lambda image_name, text: NameSensor(entry, image_name, text),
        show=NameSensor.async_show,
        add=async_add_entities,
    )


class NameSensor(NameEntity, SensorEntity):
    """The latest text of an image name."""

    def __init__(self, entry: ConfigEntry, image_name: str, text: str) -> None:
        """Showing `text`."""
        super().__init__(entry, image_name)
        self._apply(text)

    def async_show(self, text: str) -> None:
        """Show a new text."""
        self._apply(text)
        self.async_write_ha_state()

    def _apply(self, text: str) -> None:
        self._attr_native_value = text[:255]
        self._attr_extra_state_attributes: dict[str, Any] = {
            "full_description": text,
            "analyzed_at": dt_util.utcnow().isoformat(),
        }
