"""Diagnostics download for an Ollama Vision setup."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_TEXT_API_KEY, CONF_VISION_API_KEY
from .events import result_data
from .runtime import OllamaVisionConfigEntry

TO_REDACT = {CONF_VISION_API_KEY, CONF_TEXT_API_KEY}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> dict[str, Any]:
    """Settings (keys redacted), server status, queue and the latest result."""
    runtime = entry.runtime_data
    status = runtime.coordinator.data
    last = runtime.last_result
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "servers": {
            "vision": {
                "url": runtime.settings.vision.url,
                "version": status.vision_version,
            },
            "text": (
                {"url": runtime.settings.text.url, "version": status.text_version}
                if runtime.settings.text
                else None
            ),
        },
        "queue": {"waiting": runtime.queue.waiting, "running": runtime.queue.running},
        "last_result": result_data(entry, last, None) if last else None,
    }
