"""Setting up, polling, restoring and unloading a setup."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)

from custom_components.ollama_vision.const import CONF_VISION_API_KEY, DOMAIN
from custom_components.ollama_vision.ollama.client import (
    full_model_name,
    normalize_server_url,
)
from custom_components.ollama_vision.sensor import state_text
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from tests.conftest import state_of
from tests.ollama_emulator import OllamaEmulator
from tests.waiting import wait_for


async def test_not_ready_while_server_down(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    ollama_emulator: OllamaEmulator,
) -> None:
    """An unreachable server at setup means retry later, then it loads."""
    entry = make_entry()
    await ollama_emulator.stop()
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "Cannot reach the Ollama server" in (entry.reason or "")

    await ollama_emulator.start()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=2))
    await wait_for(lambda: entry.state is ConfigEntryState.LOADED)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_device_and_diagnostic_entities(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One device per setup; server state, models and queue shown as diagnostics."""
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, setup_entry.entry_id), setup_entry.entry_id
    )
    assert device is not None
    assert device.name == "Front door"
    host = ollama_emulator.url.removeprefix("http://")
    assert (
        state_of(hass, "sensor.front_door_vision_model").state
        == f"moondream:latest @ {host}"
    )
    assert (
        state_of(hass, "sensor.front_door_text_model").state
        == f"llama3.1:latest @ {host}"
    )
    assert state_of(hass, "binary_sensor.front_door_vision_server").state == STATE_ON
    assert state_of(hass, "binary_sensor.front_door_text_server").state == STATE_ON
    assert state_of(hass, "sensor.front_door_jobs_waiting").state == "0"

    # The server goes away: connectivity off, model sensors unavailable, logged once.
    coordinator = setup_entry.runtime_data.coordinator
    await ollama_emulator.stop()
    for _ in range(2):
        await coordinator.async_refresh()
    assert state_of(hass, "binary_sensor.front_door_vision_server").state == STATE_OFF
    assert state_of(hass, "sensor.front_door_vision_model").state == STATE_UNAVAILABLE
    assert caplog.text.count("is unreachable") == 1

    await ollama_emulator.start()
    await coordinator.async_refresh()
    assert state_of(hass, "binary_sensor.front_door_vision_server").state == STATE_ON
    assert "reachable again" in caplog.text


async def test_image_sensor_restored_after_restart(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    entity_registry: er.EntityRegistry,
) -> None:
    """An image sensor comes back with its last description and attributes."""
    entry = make_entry()
    entity_registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{entry.entry_id}_image_person_outside",
        config_entry=entry,
        suggested_object_id="front_door_person_outside",
        original_name="person_outside",
    )
    attributes = {
        "full_description": "A man in a red coat.",
        "image_url": "local/x.jpg",
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(
                    "sensor.front_door_person_outside",
                    "A man in a red coat.",
                    attributes,
                ),
                {
                    "native_value": "A man in a red coat.",
                    "native_unit_of_measurement": None,
                },
            )
        ],
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.front_door_person_outside")
    assert state is not None
    assert state.state == "A man in a red coat."
    assert state.attributes["full_description"] == "A man in a red coat."
    assert state.attributes["image_url"] == "local/x.jpg"


async def test_diagnostics_redact_api_key(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """The diagnostics download hides API keys and shows the queue and servers."""
    from custom_components.ollama_vision.diagnostics import (
        async_get_config_entry_diagnostics,
    )

    entry = make_entry()
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_VISION_API_KEY: "s3cret"}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["entry"]["data"][CONF_VISION_API_KEY] == "**REDACTED**"
    assert "s3cret" not in str(diagnostics)
    assert diagnostics["servers"]["each"][0]["version"] == "0.33.0"
    assert diagnostics["queue"] == {"waiting": 0, "running": 0}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ollama", "http://ollama:11434"),
        ("192.168.1.5:8080", "http://192.168.1.5:8080"),
        ("https://ollama.example.com", "https://ollama.example.com:11434"),
        ("https://proxy.example.com/ollama/", "https://proxy.example.com/ollama"),
        (" http://h:1234 ", "http://h:1234"),
    ],
)
def test_server_address_normalised(typed: str, expected: str) -> None:
    """Every address form the flow accepts becomes one base URL."""
    assert normalize_server_url(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "ftp://h", "http://", "h:notaport", "http://h?x=1"]
)
def test_server_address_refused(typed: str) -> None:
    """Addresses that cannot be an Ollama server are refused."""
    with pytest.raises(ValueError, match=r"\w"):
        normalize_server_url(typed)


def test_model_names_and_state_text() -> None:
    """Tags are added as Ollama lists them; states are cut between words."""
    assert full_model_name("llava") == "llava:latest"
    assert full_model_name("llava:13b") == "llava:13b"
    assert full_model_name("registry:5000/me/llava") == "registry:5000/me/llava:latest"
    assert state_text("short") == "short"
    assert state_text("x" * 300) == "x" * 254 + "…"


def test_credentials_redacted() -> None:
    """Only a URL's password is hidden; other sources are reported as given."""
    from custom_components.ollama_vision.sources.source import public_image_url

    assert public_image_url("http://u:p@cam/x.jpg") == "http://u:***@cam/x.jpg"
    assert public_image_url("http://u@cam/x.jpg") == "http://u@cam/x.jpg"
    assert public_image_url("http://[bad@/x") == "http://[bad@/x"
    assert public_image_url("www/a/b.jpg") == "local/a/b.jpg"
    assert public_image_url("/config/www/a.jpg") == "/config/www/a.jpg"
