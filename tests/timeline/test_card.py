"""The dashboard card: served by the integration, loaded in every browser."""

from collections.abc import Callable
import hashlib

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ollama_vision.timeline.card import CARD_FILE, CARD_PATH
from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration


async def test_card_served_with_the_release_in_its_url(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """One module URL with the version and the file's digest; the file itself
    to any browser (the login page loads it too), cached for long."""
    version = (await async_get_integration(hass, "ollama_vision")).version
    digest = hashlib.sha256(CARD_FILE.read_bytes()).hexdigest()[:12]
    urls = hass.data[DATA_EXTRA_MODULE_URL].urls
    assert urls == {f"{CARD_PATH}?v={version}-{digest}"}

    response = await (await hass_client_no_auth()).get(next(iter(urls)))
    assert response.status == 200
    assert response.content_type in ("application/javascript", "text/javascript")
    body = await response.read()
    assert body == CARD_FILE.read_bytes()
    assert b"ollama-vision-timeline-card" in body
    assert "max-age" in response.headers["Cache-Control"]


async def test_registered_once_for_every_setup(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """A second setup and a reload add no second copy of the card."""
    first = make_entry("Front door")
    make_entry("Garden")
    assert await hass.config_entries.async_setup(first.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(first.entry_id)
    assert len(hass.data[DATA_EXTRA_MODULE_URL].urls) == 1
