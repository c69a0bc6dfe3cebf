"""Each server address with its own API key: one key for all, or one per address."""

from typing import Any

import pytest

from custom_components.ollama_vision.const import (
    CONF_TEXT_API_KEY,
    CONF_TEXT_HOST,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
)
from custom_components.ollama_vision.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.ollama_vision.ollama.target import split_api_keys
from custom_components.ollama_vision.settings import VISION_KEEPALIVE
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.conftest import analyze
from tests.ollama_emulator import OllamaEmulator
from tests.servers import StartEmulators

FIRST_KEY = "first-secret-key"
SECOND_KEY = "second-secret-key"


def bearers(emulator: OllamaEmulator) -> set[str | None]:
    """The Authorization headers the emulator was sent."""
    return {request.headers.get("Authorization") for request in emulator.requests}


async def configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def start_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return str(result["flow_id"])


async def servers_step(
    hass: HomeAssistant, flow_id: str, addresses: str, keys: str
) -> Any:
    """The first page with these vision servers and keys, no text model."""
    return await configure(
        hass,
        flow_id,
        {
            CONF_NAME: "Front door",
            CONF_VISION_HOST: addresses,
            CONF_VISION_API_KEY: keys,
            CONF_TEXT_MODEL_ENABLED: False,
        },
    )


@pytest.mark.parametrize(
    ("typed", "count", "keys"),
    [
        (None, 2, [None, None]),
        ("  ", 2, [None, None]),
        ("k", 3, ["k", "k", "k"]),
        ("a, b", 2, ["a", "b"]),
        (",b,", 3, [None, "b", None]),
    ],
)
def test_keys_per_address(
    typed: str | None, count: int, keys: list[str | None]
) -> None:
    """One key serves all; several go to the addresses in order; empty: none."""
    assert split_api_keys(typed, count) == keys


@pytest.mark.parametrize(("typed", "count"), [("a,b", 3), ("a,b,c", 2), ("a,", 1)])
def test_keys_that_fit_no_count(typed: str, count: int) -> None:
    with pytest.raises(ValueError, match="API keys for"):
        split_api_keys(typed, count)


async def test_each_address_its_own_key(
    hass: HomeAssistant, more_emulators: StartEmulators, door_jpeg: str
) -> None:
    """Two servers wanting different keys: one key for both is refused by the
    second, a count that fits neither is a form error, a key each works; the
    setup then sends each server its own key, and diagnostics show neither."""
    first, second = await more_emulators(2)
    first.api_key, second.api_key = FIRST_KEY, SECOND_KEY
    flow_id = await start_flow(hass)
    servers = {
        CONF_NAME: "Front door",
        CONF_VISION_HOST: f"{first.url}\n{second.url}",
        CONF_TEXT_MODEL_ENABLED: False,
    }
    result = await configure(hass, flow_id, {**servers, CONF_VISION_API_KEY: FIRST_KEY})
    assert result["errors"] == {CONF_VISION_HOST: "invalid_auth"}
    assert result["description_placeholders"]["address"] == second.url

    three = f"{FIRST_KEY},{SECOND_KEY},third"
    result = await configure(hass, flow_id, {**servers, CONF_VISION_API_KEY: three})
    assert result["errors"] == {CONF_VISION_API_KEY: "api_key_count"}

    both = f"{FIRST_KEY}, {SECOND_KEY}"
    result = await configure(hass, flow_id, {**servers, CONF_VISION_API_KEY: both})
    assert result["step_id"] == "models"
    result = await configure(
        hass, flow_id, {CONF_VISION_MODEL: "moondream", VISION_KEEPALIVE.key: -1}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    for emulator in (first, second):
        emulator.requests.clear()
    for name in "ab":
        await analyze(hass, response=True, image_url=door_jpeg, image_name=name)
    assert bearers(first) == {f"Bearer {FIRST_KEY}"}
    assert bearers(second) == {f"Bearer {SECOND_KEY}"}

    entry = hass.config_entries.async_entries(DOMAIN)[0]
    diagnostics = str(await async_get_config_entry_diagnostics(hass, entry))
    assert FIRST_KEY not in diagnostics
    assert SECOND_KEY not in diagnostics


async def test_empty_place_means_no_key(
    hass: HomeAssistant, more_emulators: StartEmulators
) -> None:
    """`,key`: the first server gets no key, the second its own."""
    first, second = await more_emulators(2)
    second.api_key = SECOND_KEY
    flow_id = await start_flow(hass)
    result = await servers_step(
        hass, flow_id, f"{first.url}, {second.url}", f",{SECOND_KEY}"
    )
    assert result["step_id"] == "models"
    assert bearers(first) == {None}
    assert bearers(second) == {f"Bearer {SECOND_KEY}"}


async def test_text_servers_keys(
    hass: HomeAssistant,
    more_emulators: StartEmulators,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The text server step takes a key per address the same way."""
    first, second = await more_emulators(2)
    first.api_key, second.api_key = FIRST_KEY, SECOND_KEY
    flow_id = await start_flow(hass)
    await configure(
        hass,
        flow_id,
        {
            CONF_NAME: "Front door",
            CONF_VISION_HOST: ollama_emulator.url,
            CONF_TEXT_MODEL_ENABLED: True,
        },
    )
    text = {CONF_TEXT_HOST: f"{first.url}\n{second.url}"}
    result = await configure(hass, flow_id, {**text, CONF_TEXT_API_KEY: "a,b,c"})
    assert result["errors"] == {CONF_TEXT_API_KEY: "api_key_count"}
    result = await configure(
        hass, flow_id, {**text, CONF_TEXT_API_KEY: f"{FIRST_KEY},{SECOND_KEY}"}
    )
    assert result["step_id"] == "models"
    result = await configure(
        hass,
        flow_id,
        {CONF_VISION_MODEL: "moondream", CONF_TEXT_MODEL: "llama3.1"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TEXT_API_KEY] == f"{FIRST_KEY},{SECOND_KEY}"
    assert bearers(ollama_emulator) == {None}


async def test_reauth_takes_a_key_per_address(
    hass: HomeAssistant, more_emulators: StartEmulators
) -> None:
    """The second server's key changed: the reauth form refuses a count that
    fits neither, and takes the old key for the first and the new one for it."""
    first, second = await more_emulators(2)
    first.api_key, second.api_key = FIRST_KEY, SECOND_KEY
    flow_id = await start_flow(hass)
    await servers_step(
        hass, flow_id, f"{first.url}\n{second.url}", f"{FIRST_KEY},{SECOND_KEY}"
    )
    await configure(
        hass, flow_id, {CONF_VISION_MODEL: "moondream", VISION_KEEPALIVE.key: -1}
    )
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]

    second.api_key = "renewed"
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_REAUTH, "entry_id": entry.entry_id},
        data=entry.data,
    )
    result = await configure(hass, result["flow_id"], {CONF_VISION_API_KEY: "a,b,c"})
    assert result["errors"] == {CONF_VISION_API_KEY: "api_key_count"}
    result = await configure(
        hass, result["flow_id"], {CONF_VISION_API_KEY: f"{FIRST_KEY},wrong"}
    )
    assert result["errors"] == {CONF_VISION_API_KEY: "invalid_auth"}
    assert result["description_placeholders"]["address"] == second.url
    result = await configure(
        hass, result["flow_id"], {CONF_VISION_API_KEY: f"{FIRST_KEY},renewed"}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_VISION_API_KEY] == f"{FIRST_KEY},renewed"
    assert entry.runtime_data.coordinator.data.vision_reachable
