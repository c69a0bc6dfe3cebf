"""Whether the setup's Ollama servers answer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import ServerStatusCoordinator
from .entity import TEXT_SERVER_KEY, OllamaVisionEntity, unique_id
from .ollama.pool import OllamaServer, ServerStatus
from .runtime import OllamaVisionConfigEntry

SERVER_KEY_PREFIX = "server_"

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


def one_server(server: OllamaServer) -> ServerBinarySensorDescription:
    """The connectivity of one address of a setup with several servers."""
    return ServerBinarySensorDescription(
        key=f"{SERVER_KEY_PREFIX}{server.address}",
        translation_key="server",
        translation_placeholders={"address": server.address},
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda _: server.up,
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor per model, and per server when there are several.

    A model's sensor is on while any of its servers answers. Sensors of
    servers that a reconfiguration removed are removed with them.
    """
    descriptions = [VISION_SERVER]
    if entry.runtime_data.settings.text is not None:
        descriptions.append(TEXT_SERVER)
    servers = list(entry.runtime_data.servers.all)
    if len(servers) > 1:
        descriptions.extend(one_server(server) for server in servers)
    _remove_old_servers(hass, entry, {d.key for d in descriptions})
    async_add_entities(
        ServerBinarySensor(entry, description) for description in descriptions
    )


def _remove_old_servers(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry, keys: set[str]
) -> None:
    registry = er.async_get(hass)
    current = {unique_id(entry.entry_id, key) for key in keys}
    prefix = unique_id(entry.entry_id, SERVER_KEY_PREFIX)
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            registered.domain == Platform.BINARY_SENSOR
            and registered.unique_id.startswith(prefix)
            and registered.unique_id not in current
        ):
            registry.async_remove(registered.entity_id)


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
        """Whether the server answers (the latest poll, request or probe)."""
        return self.entity_description.is_on_fn(self.coordinator.data)
