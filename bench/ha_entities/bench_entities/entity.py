"""An image name's entity on the setup's device, as Ollama Vision's are."""

from collections.abc import Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util.signal_type import SignalType

from . import DOMAIN


class NameEntity(RestoreEntity):
    """Named after its image name; restored after a restart like Ollama Vision's."""

    _attr_has_entity_name = True

    def __init__(self, entry: ConfigEntry, image_name: str) -> None:
        """On the setup's device."""
        self._attr_unique_id = f"{entry.entry_id}_image_{image_name}"
        self._attr_name = image_name
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name="Bench",
            manufacturer="Bench",
            entry_type=DeviceEntryType.SERVICE,
        )


@callback
def async_follow_names[EntityT: Entity](
    hass: HomeAssistant,
    entry: ConfigEntry,
    signal: SignalType[str, str],
    *,
    make: Callable[[str, str], EntityT],
    show: Callable[[EntityT, str], None],
    add: Callable[[list[EntityT]], None],
) -> None:
    """Add an entity for each new image name; show the text on a known one."""
    entities: dict[str, EntityT] = {}

    @callback
    def shown(image_name: str, text: str) -> None:
        if (entity := entities.get(image_name)) is not None:
            show(entity, text)
        else:
            entities[image_name] = make(image_name, text)
            add([entities[image_name]])

    entry.async_on_unload(async_dispatcher_connect(hass, signal, shown))
