"""The config, reconfigure and options flows, against the Ollama emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ollama_vision.const import (
    CONF_CONCURRENCY,
    CONF_DEFAULT_PROMPT,
    CONF_DEFAULT_TEXT_PROMPT,
    CONF_FETCH_TIMEOUT,
    CONF_MAX_IMAGE_BYTES,
    CONF_MAX_IMAGE_EDGE,
    CONF_QUEUE_SIZE,
    CONF_TEXT_API_KEY,
    CONF_TEXT_HOST,
    CONF_TEXT_KEEPALIVE,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_TEXT_TIMEOUT,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
    CONF_VISION_KEEPALIVE,
    CONF_VISION_MODEL,
    CONF_VISION_TIMEOUT,
    DEFAULT_PROMPT,
    DOMAIN,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.ollama_emulator import OllamaEmulator

CLOSED_PORT_URL = "http://127.0.0.1:9"


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return str(result["flow_id"])


async def _configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def test_full_flow_with_text_model(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """Servers, then models from the server's list; typed names get their tag."""
    flow_id = await _start(hass)
    result = await _configure(
        hass,
        flow_id,
        {
            CONF_NAME: "Front door",
            CONF_VISION_HOST: ollama_emulator.url,
            CONF_VISION_API_KEY: "secret",
            CONF_TEXT_MODEL_ENABLED: True,
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "models"
    options = result["data_schema"].schema[CONF_VISION_MODEL].config["options"]
    assert "llava:latest" in options
    assert "moondream:latest" in options

    result = await _configure(
        hass,
        flow_id,
        {
            CONF_VISION_MODEL: "llava",
            CONF_VISION_KEEPALIVE: 600,
            CONF_TEXT_MODEL: "llama3.1",
            CONF_TEXT_KEEPALIVE: 0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front door"
    assert result["data"] == {
        CONF_NAME: "Front door",
        CONF_VISION_HOST: ollama_emulator.url,
        CONF_VISION_API_KEY: "secret",
        CONF_TEXT_MODEL_ENABLED: True,
        CONF_VISION_MODEL: "llava:latest",
        CONF_TEXT_MODEL: "llama3.1:latest",
    }
    assert result["options"][CONF_VISION_KEEPALIVE] == 600
    assert result["options"][CONF_TEXT_KEEPALIVE] == 0
    assert result["options"][CONF_DEFAULT_PROMPT] == DEFAULT_PROMPT
    # The API key went to the server as a Bearer token.
    assert any(
        r.headers.get("Authorization") == "Bearer secret"
        for r in ollama_emulator.requests
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("{host}:{port}", "http://{host}:{port}"),
        ("http://{host}:{port}/", "http://{host}:{port}"),
    ],
)
async def test_server_address_forms(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator, typed: str, expected: str
) -> None:
    """`host:port` and full URLs are accepted and stored as one base URL."""
    values = {"host": "127.0.0.1", "port": ollama_emulator.port}
    flow_id = await _start(hass)
    await _configure(
        hass,
        flow_id,
        {CONF_NAME: "Porch", CONF_VISION_HOST: typed.format(**values)},
    )
    result = await _configure(
        hass, flow_id, {CONF_VISION_MODEL: "moondream", CONF_VISION_KEEPALIVE: -1}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VISION_HOST] == expected.format(**values)
    assert CONF_TEXT_HOST not in result["data"]


async def test_errors_then_recovery(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """Each error shows on its field, and fixing the input finishes the flow."""
    flow_id = await _start(hass)
    result = await _configure(hass, flow_id, {CONF_NAME: "  ", CONF_VISION_HOST: "x"})
    assert result["errors"] == {CONF_NAME: "name_required"}

    result = await _configure(
        hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: "ftp://x"}
    )
    assert result["errors"] == {CONF_VISION_HOST: "invalid_host"}

    result = await _configure(
        hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: CLOSED_PORT_URL}
    )
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect"}

    result = await _configure(
        hass,
        flow_id,
        {
            CONF_NAME: "Gate",
            CONF_VISION_HOST: ollama_emulator.url,
            CONF_TEXT_MODEL_ENABLED: True,
            CONF_TEXT_HOST: CLOSED_PORT_URL,
        },
    )
    assert result["errors"] == {CONF_TEXT_HOST: "cannot_connect"}

    result = await _configure(
        hass,
        flow_id,
        {
            CONF_NAME: "Gate",
            CONF_VISION_HOST: ollama_emulator.url,
            CONF_TEXT_MODEL_ENABLED: True,
            CONF_TEXT_HOST: ollama_emulator.url,
            CONF_TEXT_API_KEY: "t",
        },
    )
    assert result["step_id"] == "models"

    models = {CONF_VISION_KEEPALIVE: -1, CONF_TEXT_KEEPALIVE: -1}
    for vision, text, field, error in (
        ("nope", "llama3.1", CONF_VISION_MODEL, "model_not_found"),
        ("llama3.1", "llama3.1", CONF_VISION_MODEL, "model_not_vision"),
        ("llava", "missing", CONF_TEXT_MODEL, "model_not_found"),
        ("llava", "nomic-embed-text", CONF_TEXT_MODEL, "model_not_text"),
    ):
        result = await _configure(
            hass, flow_id, {**models, CONF_VISION_MODEL: vision, CONF_TEXT_MODEL: text}
        )
        assert result["errors"] == {field: error}, (vision, text)

    # The server lost the model between the list and the check.
    ollama_emulator.remove_model("llava")
    result = await _configure(
        hass,
        flow_id,
        {**models, CONF_VISION_MODEL: "llava", CONF_TEXT_MODEL: "llama3.1"},
    )
    assert result["errors"] == {CONF_VISION_MODEL: "model_not_found"}

    await ollama_emulator.stop()
    result = await _configure(
        hass,
        flow_id,
        {**models, CONF_VISION_MODEL: "moondream", CONF_TEXT_MODEL: "llama3.1"},
    )
    assert result["errors"] == {"base": "cannot_connect"}

    await ollama_emulator.start()
    result = await _configure(
        hass,
        flow_id,
        {**models, CONF_VISION_MODEL: "moondream", CONF_TEXT_MODEL: "llama3.1"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TEXT_API_KEY] == "t"


async def test_auth_refused(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """A proxy that refuses the token gives invalid_auth."""
    from tests.image_server import ImageServer

    proxy = ImageServer()
    await proxy.start()
    try:
        proxy.add(
            "/api/tags",
            b'{"error":"unauthorized"}',
            content_type="application/json",
            status=401,
        )
        flow_id = await _start(hass)
        result = await _configure(
            hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: proxy.url("/")}
        )
        assert result["errors"] == {CONF_VISION_HOST: "invalid_auth"}
    finally:
        await proxy.stop()


async def test_unexpected_errors(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug or an odd server answer is `unknown`, and is logged."""
    from custom_components.ollama_vision import client

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    flow_id = await _start(hass)
    monkeypatch.setattr(client.OllamaClient, "async_list_models", broken)
    result = await _configure(
        hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert result["errors"] == {"base": "unknown"}
    monkeypatch.undo()

    result = await _configure(
        hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: ollama_emulator.url}
    )
    monkeypatch.setattr(client.OllamaClient, "async_model_info", broken)
    result = await _configure(
        hass, flow_id, {CONF_VISION_MODEL: "llava", CONF_VISION_KEEPALIVE: -1}
    )
    assert result["errors"] == {"base": "unknown"}


async def test_same_name_refused(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """A second setup with the same name (any case) is refused."""
    make_entry("Front door")
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_NAME: "front DOOR", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert result["errors"] == {CONF_NAME: "name_in_use"}


async def test_reconfigure(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """Reconfigure changes servers and models with the same checks, then reloads."""
    entry = make_entry("Front door", text=False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    flow_id = result["flow_id"]

    result = await _configure(hass, flow_id, {CONF_VISION_HOST: CLOSED_PORT_URL})
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect"}

    host = f"127.0.0.1:{ollama_emulator.port}"
    result = await _configure(
        hass, flow_id, {CONF_VISION_HOST: host, CONF_TEXT_MODEL_ENABLED: True}
    )
    assert result["step_id"] == "models"
    assert CONF_VISION_KEEPALIVE not in result["data_schema"].schema

    result = await _configure(
        hass, flow_id, {CONF_VISION_MODEL: "llama3.1", CONF_TEXT_MODEL: "llama3.1"}
    )
    assert result["errors"] == {CONF_VISION_MODEL: "model_not_vision"}

    result = await _configure(
        hass, flow_id, {CONF_VISION_MODEL: "qwen2.5vl", CONF_TEXT_MODEL: "llama3.1"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_VISION_MODEL] == "qwen2.5vl:latest"
    assert entry.data[CONF_TEXT_MODEL_ENABLED] is True
    assert entry.data[CONF_NAME] == "Front door"
    # Reloaded with the new models: the text model has its sensor now.
    assert hass.states.get("sensor.front_door_text_model") is not None
    assert "qwen2.5vl:latest" in hass.states.get("sensor.front_door_vision_model").state


async def test_options_flow_reloads(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """Saved options take effect at once: the setup reloads with them."""
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["step_id"] == "init"
    assert CONF_TEXT_KEEPALIVE in result["data_schema"].schema
    new = {
        CONF_VISION_KEEPALIVE: 120.0,
        CONF_TEXT_KEEPALIVE: 0.0,
        CONF_DEFAULT_PROMPT: "Count the cats.",
        CONF_DEFAULT_TEXT_PROMPT: "Shout: {description}",
        CONF_FETCH_TIMEOUT: 10.0,
        CONF_VISION_TIMEOUT: 60.0,
        CONF_TEXT_TIMEOUT: 30.0,
        CONF_CONCURRENCY: 2.0,
        CONF_QUEUE_SIZE: 5.0,
        CONF_MAX_IMAGE_EDGE: 512.0,
        CONF_MAX_IMAGE_BYTES: 2.0,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options[CONF_CONCURRENCY] == 2
    assert isinstance(setup_entry.options[CONF_CONCURRENCY], int)
    settings = setup_entry.runtime_data.settings
    assert settings.default_prompt == "Count the cats."
    assert settings.concurrency == 2
    assert settings.image_limits.max_edge == 512
    assert settings.vision.keep_alive == 120


async def test_options_without_text_model(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """The text keep-alive is offered only when there is a text model."""
    entry = make_entry("Porch", text=False)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_TEXT_KEEPALIVE not in result["data_schema"].schema
