"""Whether the setup's Ollama servers answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import ServerStatus, ServerStatusCoordinator
from .entity import TEXT_SERVER_KEY, OllamaVisionEntity
from .runtime import OllamaVisionConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ServerBinarySensorDescription(BinarySensorEntityDescription):
    """A server's reachability, read from the latest poll."""

    is_on_fn: Callable[[ServerStatus], bool]


VISION_SERVER = ServerBinarySensorDescription(
    key="vision_server",
    translation_key="vision_server",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
    is_on_fn=lambda status: status.vision_reachable,
)
TEXT_SERVER = ServerBinarySensorDescription(
    key=TEXT_SERVER_KEY,
    translation_key="text_server",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
    is_on_fn=lambda status: status.text_reachable,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor per server."""
    descriptions = [VISION_SERVER]
    if entry.runtime_data.settings.text is not None:
        descriptions.append(TEXT_SERVER)
    async_add_entities(
        ServerBinarySensor(entry, description) for description in descriptions
    )


class ServerBinarySensor(
    OllamaVisionEntity, CoordinatorEntity[ServerStatusCoordinator], BinarySensorEntity
):
    """On while the server answers."""

    entity_description: ServerBinarySensorDescription

    def __init__(
        self, entry: OllamaVisionConfigEntry, description: ServerBinarySensorDescription
    ) -> None:
        """Describe one server's connectivity."""
        OllamaVisionEntity.__init__(self, entry, description.key)
        CoordinatorEntity.__init__(self, entry.runtime_data.coordinator)
        self.entity_description = description

    @property
    @override
    def available(self) -> bool:
        """Always available: "off" is the answer when the server is down."""
        return True

    @property
    @override
    def is_on(self) -> bool:
        """Whether the server answered the latest poll."""
        return self.entity_description.is_on_fn(self.coordinator.data)
