"""What every Ollama Vision entity shares: the setup's device."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .runtime import OllamaVisionConfigEntry

IMAGE_KEY_PREFIX = "image_"


def image_unique_id(entry_id: str, image_name: str) -> str:
    """The unique id of the sensor that describes `image_name`."""
    return f"{entry_id}_{IMAGE_KEY_PREFIX}{image_name}"


def device_info(entry: OllamaVisionConfigEntry) -> DeviceInfo:
    """One device per setup, named as the setup."""
    settings = entry.runtime_data.settings
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=settings.name,
        manufacturer="Ollama",
        model=settings.vision.model,
        entry_type=DeviceEntryType.SERVICE,
    )


class OllamaVisionEntity(Entity):
    """Base of the setup's entities."""

    _attr_has_entity_name = True

    def __init__(self, entry: OllamaVisionConfigEntry, key: str) -> None:
        """Attach the entity to the setup's device."""
        self._entry = entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = device_info(entry)
