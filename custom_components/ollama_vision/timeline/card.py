"""The timeline's dashboard card, served by the integration itself.

The card is built from frontend/ (at the repository's root) into
custom_components/ollama_vision/frontend/, so every release carries the card
that reads its own websocket API: no separate install whose version drifts.
Its URL holds the integration's version and the file's digest, so a browser
loads the new card after an upgrade instead of the one it cached.
"""

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration

from ..const import DOMAIN

CARD_FILE: Final = (
    Path(__file__).parents[1] / "frontend" / "ollama-vision-timeline-card.js"
)
CARD_PATH: Final = f"/{DOMAIN}/{CARD_FILE.name}"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


async def async_register_card(hass: HomeAssistant) -> str:
    """Serve the card and load it in every browser; returns its URL.

    Once per Home Assistant start (from the integration's `async_setup`).
    """
    integration = await async_get_integration(hass, DOMAIN)
    digest = await hass.async_add_executor_job(_digest, CARD_FILE)
    # Cached for long: a new release or build changes the URL.
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_PATH, str(CARD_FILE), cache_headers=True)]
    )
    url = f"{CARD_PATH}?v={integration.version}-{digest}"
    add_extra_js_url(hass, url)
    return url
