"""Diagnostics download for an Ollama Vision setup."""

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import (
    CONF_TEXT_API_KEY,
    CONF_TEXT_HOST,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
)
from .ollama.redact import redact_credentials
from .pipeline.payload import result_data
from .runtime import OllamaVisionConfigEntry

TO_REDACT = {CONF_VISION_API_KEY, CONF_TEXT_API_KEY}
# A signed link opens its snapshot to anyone for a day: not for a bug report.
RESULT_TO_REDACT = {"snapshot_signed_url"}
# Server addresses stay readable, all but a password in them.
ADDRESSES = (CONF_VISION_HOST, CONF_TEXT_HOST)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> dict[str, Any]:
    """Settings (keys and passwords hidden), servers, queue and the latest result."""
    runtime = entry.runtime_data
    servers = runtime.servers
    last = runtime.last_result
    data = async_redact_data(dict(entry.data), TO_REDACT)
    for key in ADDRESSES:
        if isinstance(data.get(key), str):
            data[key] = redact_credentials(data[key])
    return {
        "entry": {
            "title": entry.title,
            "data": data,
            "options": dict(entry.options),
        },
        "servers": {
            "vision": [server.address for server in servers.vision.servers],
            "text": (
                [server.address for server in servers.text.servers]
                if servers.text
                else None
            ),
            "each": [server.figures() for server in servers.all],
        },
        "queue": {"waiting": runtime.queue.waiting, "running": runtime.queue.running},
        "last_result": (
            async_redact_data(result_data(entry, last, None), RESULT_TO_REDACT)
            if last
            else None
        ),
    }
