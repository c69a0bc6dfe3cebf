"""Home Assistant's own cost of an image name's entities, for bench_overhead.py.

Not part of the integration: a bare integration that does what Ollama Vision's
sink does with an image name's entities and nothing else. Its action `show`
adds a sensor and an image entity for a new name on the setup's device (or
updates the two of a name it has), then fires `bench_entities_shown`, in the
order the sink does: image entity, sensor, event. Timing it for new names and
for the same name again gives what Home Assistant spends on the entities of a
new image name (registry, device, first states, Assist exposure, recorder)
with none of Ollama Vision's code in the path.
"""

from typing import Final

import probatio as vol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.signal_type import SignalType

DOMAIN: Final = "bench_entities"
EVENT_SHOWN: Final = "bench_entities_shown"
# (image name, text); the image platform hears it first, as with the sink's
# two signals.
SIGNAL_PICTURE: Final = SignalType[str, str](f"{DOMAIN}_picture")
SIGNAL_TEXT: Final = SignalType[str, str](f"{DOMAIN}_text")
PLATFORMS: Final = [Platform.IMAGE, Platform.SENSOR]
CONFIG_SCHEMA: Final = cv.config_entry_only_config_schema(DOMAIN)
SHOW_SCHEMA: Final = vol.Schema({vol.Required("name"): str, vol.Required("text"): str})


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """The `show` action."""

    @callback
    def show(call: ServiceCall) -> None:
        name, text = call.data["name"], call.data["text"]
        async_dispatcher_send(hass, SIGNAL_PICTURE, name, text)
        async_dispatcher_send(hass, SIGNAL_TEXT, name, text)
        hass.bus.async_fire(EVENT_SHOWN, {"image_name": name, "description": text})

    hass.services.async_register(DOMAIN, "show", show, SHOW_SCHEMA)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """The image and sensor platforms."""
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Unload the platforms."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
