"""The config, reconfigure and options flows, against the Ollama emulator."""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, override

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
from custom_components.ollama_vision.ollama import client as client_module
from custom_components.ollama_vision.settings import (
    DEFAULT_PROMPT,
    DEFAULT_TEXT_PROMPT,
    TEXT_KEEPALIVE,
    VISION_KEEPALIVE,
)
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from tests.conftest import state_of
from tests.local_server import LOOPBACK
from tests.ollama_emulator import OllamaEmulator
from tests.servers import running_emulator

CLOSED_PORT_URL = "http://127.0.0.1:9"
VISION_MODELS = {
    "bakllava:latest",
    "llava:latest",
    "moondream:latest",
    "qwen2.5vl:latest",
}


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return str(result["flow_id"])


async def _configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


def _options(result: Any, key: str) -> list[str]:
    return list(result["data_schema"].schema[key].config["options"])


@pytest.fixture
async def text_emulator(socket_enabled: None) -> AsyncIterator[OllamaEmulator]:
    """A second Ollama server, for a text model that runs elsewhere."""
    async with running_emulator() as emulator:
        yield emulator


async def test_full_flow_with_text_model(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """Server, text server, then models from the server's lists; typed names get their tag."""
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
    # The text model's server is asked only because the text model is on.
    assert result["step_id"] == "text_server"
    result = await _configure(hass, flow_id, {})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "models"
    # Only models that can see are offered for vision; only completion models for text.
    assert set(_options(result, CONF_VISION_MODEL)) == VISION_MODELS
    text_options = _options(result, CONF_TEXT_MODEL)
    assert "llama3.1:latest" in text_options
    assert "nomic-embed-text:latest" not in text_options
    # One /api/show per model, asked once for the flow (the text model shares the server).
    shows = [r for r in ollama_emulator.requests if r.path == "/api/show"]
    assert len(shows) == len(ollama_emulator.models)

    result = await _configure(
        hass,
        flow_id,
        {
            CONF_VISION_MODEL: "llava",
            VISION_KEEPALIVE.key: 600,
            CONF_TEXT_MODEL: "llama3.1",
            TEXT_KEEPALIVE.key: 0,
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
    assert result["options"][VISION_KEEPALIVE.key] == 600
    assert result["options"][TEXT_KEEPALIVE.key] == 0
    # No prompt: the built-in ones apply, in Home Assistant's language.
    assert DEFAULT_PROMPT.key not in result["options"]
    assert DEFAULT_TEXT_PROMPT.key not in result["options"]
    assert result["result"].unique_id is None
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
        hass, flow_id, {CONF_VISION_MODEL: "moondream", VISION_KEEPALIVE.key: -1}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VISION_HOST] == expected.format(**values)
    assert CONF_TEXT_HOST not in result["data"]


async def test_errors_then_recovery(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    text_emulator: OllamaEmulator,
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
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect_refused"}
    assert result["description_placeholders"]["address"] == CLOSED_PORT_URL

    result = await _configure(
        hass,
        flow_id,
        {
            CONF_NAME: "Gate",
            CONF_VISION_HOST: ollama_emulator.url,
            CONF_TEXT_MODEL_ENABLED: True,
        },
    )
    assert result["step_id"] == "text_server"
    result = await _configure(hass, flow_id, {CONF_TEXT_HOST: "http://"})
    assert result["errors"] == {CONF_TEXT_HOST: "invalid_host"}
    result = await _configure(hass, flow_id, {CONF_TEXT_HOST: CLOSED_PORT_URL})
    assert result["errors"] == {CONF_TEXT_HOST: "cannot_connect_refused"}

    result = await _configure(
        hass, flow_id, {CONF_TEXT_HOST: text_emulator.url, CONF_TEXT_API_KEY: "t"}
    )
    assert result["step_id"] == "models"

    models = {VISION_KEEPALIVE.key: -1, TEXT_KEEPALIVE.key: -1}
    # Both models are checked at once, and each error names the model.
    result = await _configure(
        hass,
        flow_id,
        {**models, CONF_VISION_MODEL: "llama3.1", CONF_TEXT_MODEL: "nomic-embed-text"},
    )
    assert result["errors"] == {
        CONF_VISION_MODEL: "model_not_vision",
        CONF_TEXT_MODEL: "model_not_text",
    }
    result = await _configure(
        hass,
        flow_id,
        {
            VISION_KEEPALIVE.key: -2,
            TEXT_KEEPALIVE.key: 0.5,
            CONF_VISION_MODEL: "llava",
            CONF_TEXT_MODEL: "llama3.1",
        },
    )
    assert result["errors"] == {
        VISION_KEEPALIVE.key: "vision_keepalive_range",
        TEXT_KEEPALIVE.key: "text_keepalive_range",
    }

    await ollama_emulator.stop()
    result = await _configure(
        hass,
        flow_id,
        {**models, CONF_VISION_MODEL: "moondream", CONF_TEXT_MODEL: "llama3.1"},
    )
    assert result["errors"] == {"base": "cannot_connect_refused"}
    assert result["description_placeholders"]["address"] == ollama_emulator.url

    await ollama_emulator.start()
    result = await _configure(
        hass,
        flow_id,
        {**models, CONF_VISION_MODEL: "moondream", CONF_TEXT_MODEL: "llama3.1"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TEXT_HOST] == text_emulator.url
    assert result["data"][CONF_TEXT_API_KEY] == "t"
    assert text_emulator.requests[-1].headers["Authorization"] == "Bearer t"


async def _silent_server(answer: bytes | None) -> asyncio.Server:
    """A TCP server that hangs up after reading (answer None) or never answers."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        if answer is not None:
            await reader.read()  # until the client gives up and hangs up
        writer.close()

    return await asyncio.start_server(serve, LOOPBACK, 0)


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("https://{emulator}", "cannot_connect_tls"),
        ("http://{emulator}/api", "cannot_connect_http"),
        ("http://{hangs_up}", "cannot_connect_tls"),
        ("http://{silent}", "cannot_connect_timeout"),
        ("https://{hangs_up}", "cannot_connect"),
        ("http://{emulator}/v1/../api/version/x", "cannot_connect_http"),
    ],
)
async def test_cannot_connect_names_the_cause(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    monkeypatch: pytest.MonkeyPatch,
    address: str,
    error: str,
) -> None:
    """TLS mismatch, a pasted `/api`, a port that hangs up or stays silent."""
    import aiohttp

    monkeypatch.setattr(
        client_module, "PROBE_TIMEOUT", aiohttp.ClientTimeout(total=0.3)
    )
    hangs_up = await _silent_server(None)
    silent = await _silent_server(b"")
    try:
        url = address.format(
            emulator=f"127.0.0.1:{ollama_emulator.port}",
            hangs_up=f"127.0.0.1:{hangs_up.sockets[0].getsockname()[1]}",
            silent=f"127.0.0.1:{silent.sockets[0].getsockname()[1]}",
        )
        flow_id = await _start(hass)
        result = await _configure(
            hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: url}
        )
    finally:
        for server in (hangs_up, silent):
            server.close()
            await server.wait_closed()
    assert result["errors"] == {CONF_VISION_HOST: error}
    assert result["description_placeholders"]["address"] == url.rstrip("/")
    if error == "cannot_connect_http":
        assert result["description_placeholders"]["status"] == "404"


async def test_unknown_host_is_named(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host name that does not resolve says so (the resolver's own error)."""
    import aiohttp

    class NoSuchHost(aiohttp.abc.AbstractResolver):
        @override
        async def resolve(
            self, host: str, port: int = 0, family: int = 0
        ) -> list[aiohttp.abc.ResolveResult]:
            raise OSError(None, f"Domain name not found: {host}")

        @override
        async def close(self) -> None:
            """Nothing to close."""

    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=NoSuchHost())
    )
    monkeypatch.setattr(
        "custom_components.ollama_vision.config_flow.async_get_clientsession",
        lambda hass: session,
    )
    try:
        flow_id = await _start(hass)
        result = await _configure(
            hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: "ollama.invalid"}
        )
    finally:
        await session.close()
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect_dns"}
    assert (
        result["description_placeholders"]["address"] == "http://ollama.invalid:11434"
    )


async def test_auth_refused_then_accepted(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """A server that wants a key refuses a wrong one with invalid_auth."""
    ollama_emulator.api_key = "right"
    flow_id = await _start(hass)
    servers = {CONF_NAME: "Gate", CONF_VISION_HOST: ollama_emulator.url}
    result = await _configure(hass, flow_id, {**servers, CONF_VISION_API_KEY: "wrong"})
    assert result["errors"] == {CONF_VISION_HOST: "invalid_auth"}
    result = await _configure(hass, flow_id, {**servers, CONF_VISION_API_KEY: "right"})
    assert result["step_id"] == "models"


async def test_unexpected_errors(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug or an odd server answer is `unknown`, and is logged."""

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    flow_id = await _start(hass)
    monkeypatch.setattr(client_module.OllamaClient, "async_list_models", broken)
    result = await _configure(
        hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert result["errors"] == {CONF_VISION_HOST: "unknown"}
    monkeypatch.undo()

    result = await _configure(
        hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: ollama_emulator.url}
    )
    monkeypatch.setattr(client_module.OllamaClient, "async_model_info", broken)
    result = await _configure(
        hass, flow_id, {CONF_VISION_MODEL: "llava", VISION_KEEPALIVE.key: -1}
    )
    assert result["errors"] == {"base": "unknown"}


async def test_model_details_failing_leave_it_out(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model whose details cannot be read is not offered; the rest are."""
    real = client_module.OllamaClient.async_model_info

    async def flaky(self: Any, model: str) -> Any:
        if model == "llava:latest":
            raise client_module.OllamaResponseError(500, "broken manifest")
        return await real(self, model)

    monkeypatch.setattr(client_module.OllamaClient, "async_model_info", flaky)
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_NAME: "Gate", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert set(_options(result, CONF_VISION_MODEL)) == VISION_MODELS - {"llava:latest"}


async def test_same_name_refused(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """A second setup with the same name (any case or spacing) is refused."""
    make_entry("Front door")
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_NAME: "front DOOR", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert result["errors"] == {CONF_NAME: "name_in_use"}


async def test_renamed_setup_frees_its_old_name(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """The check reads the current titles: a rename frees the old name."""
    entry = make_entry("Front door")
    hass.config_entries.async_update_entry(entry, title="Porch")
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_NAME: "Porch", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert result["errors"] == {CONF_NAME: "name_in_use"}
    result = await _configure(
        hass, flow_id, {CONF_NAME: "Front door", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert result["step_id"] == "models"


async def test_failed_check_does_not_lock_the_name(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """After "could not connect" and a reload of the page, the name is still free."""
    first = await _start(hass)
    result = await _configure(
        hass, first, {CONF_NAME: "Gate", CONF_VISION_HOST: CLOSED_PORT_URL}
    )
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect_refused"}
    # The reloaded page is a new flow; the first one is still open.
    second = await _start(hass)
    result = await _configure(
        hass, second, {CONF_NAME: "Gate", CONF_VISION_HOST: ollama_emulator.url}
    )
    assert result["step_id"] == "models"
    result = await _configure(
        hass, second, {CONF_VISION_MODEL: "llava", VISION_KEEPALIVE.key: -1}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
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
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect_refused"}

    host = f"127.0.0.1:{ollama_emulator.port}"
    result = await _configure(
        hass, flow_id, {CONF_VISION_HOST: host, CONF_TEXT_MODEL_ENABLED: True}
    )
    assert result["step_id"] == "text_server"
    result = await _configure(hass, flow_id, {})
    assert result["step_id"] == "models"
    assert VISION_KEEPALIVE.key not in result["data_schema"].schema

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
    assert "qwen2.5vl:latest" in state_of(hass, "sensor.front_door_vision_model").state


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_reconfigure_text_model_off_removes_its_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
) -> None:
    """No permanent "Unavailable": the text model's entities go with it."""
    text_entities = (
        "sensor.front_door_text_model",
        "binary_sensor.front_door_text_server",
    )
    assert all(entity_registry.async_get(e) for e in text_entities)
    result = await setup_entry.start_reconfigure_flow(hass)
    # The text server the setup had is offered again when the text model stays on.
    result = await _configure(
        hass,
        result["flow_id"],
        {CONF_VISION_HOST: ollama_emulator.url, CONF_TEXT_MODEL_ENABLED: False},
    )
    assert result["step_id"] == "models"
    assert CONF_TEXT_MODEL not in result["data_schema"].schema
    result = await _configure(hass, result["flow_id"], {CONF_VISION_MODEL: "llava"})
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert not any(entity_registry.async_get(e) for e in text_entities)
    assert hass.states.get("sensor.front_door_text_model") is None
    assert CONF_TEXT_HOST not in setup_entry.data
    assert state_of(hass, "sensor.front_door_vision_model").state.startswith("llava")


async def test_reconfigure_offers_the_text_server_it_had(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The text server page starts with the setup's own text server."""
    result = await setup_entry.start_reconfigure_flow(hass)
    result = await _configure(
        hass,
        result["flow_id"],
        {CONF_VISION_HOST: ollama_emulator.url, CONF_TEXT_MODEL_ENABLED: True},
    )
    assert result["step_id"] == "text_server"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested == {CONF_TEXT_HOST: ollama_emulator.url}


async def _reauth_flow(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(flows) == 1
    assert flows[0]["context"]["entry_id"] == entry.entry_id
    return dict(flows[0])


async def test_reauth_after_the_server_refuses_the_key(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """A 401 on the poll asks for the key; a key that works is saved and reloads."""
    ollama_emulator.api_key = "new key"
    await setup_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    flow = await _reauth_flow(hass, setup_entry)
    assert flow["step_id"] == "reauth_confirm"

    result = await _configure(hass, flow["flow_id"], {CONF_VISION_API_KEY: "old key"})
    assert result["errors"] == {CONF_VISION_API_KEY: "invalid_auth"}
    assert result["description_placeholders"]["name"] == "Front door"
    # Text and vision share the server: one key, one field.
    assert CONF_TEXT_API_KEY not in result["data_schema"].schema

    result = await _configure(hass, flow["flow_id"], {CONF_VISION_API_KEY: "new key"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert setup_entry.data[CONF_VISION_API_KEY] == "new key"
    assert setup_entry.runtime_data.coordinator.data.vision_reachable
    assert ollama_emulator.requests[-1].headers["Authorization"] == "Bearer new key"


async def test_reauth_for_a_separate_text_server(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    text_emulator: OllamaEmulator,
) -> None:
    """With its own text server, the form asks for both keys and checks both."""
    entry = make_entry()
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_TEXT_HOST: text_emulator.url}
    )
    text_emulator.api_key = "text key"
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    flow = await _reauth_flow(hass, entry)
    result = await _configure(hass, flow["flow_id"], {})
    assert CONF_TEXT_API_KEY in result["data_schema"].schema
    assert result["errors"] == {CONF_TEXT_API_KEY: "invalid_auth"}
    assert result["description_placeholders"]["address"] == text_emulator.url

    result = await _configure(hass, flow["flow_id"], {CONF_TEXT_API_KEY: "text key"})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_TEXT_API_KEY] == "text key"
    assert CONF_VISION_API_KEY not in entry.data
    assert entry.runtime_data.coordinator.data.text_reachable


async def test_reauth_when_a_job_is_refused(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    ollama_emulator: OllamaEmulator,
    door_jpeg: str,
) -> None:
    """A job that meets a 401 fails as before, and Home Assistant asks for the key."""
    from homeassistant.exceptions import HomeAssistantError
    from tests.conftest import analyze

    entry = make_entry("Porch", text=False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    ollama_emulator.api_key = "new key"
    with pytest.raises(HomeAssistantError):
        await analyze(hass, response=True, image_url=door_jpeg, image_name="door")
    await hass.async_block_till_done()
    flow = await _reauth_flow(hass, entry)
    assert flow["step_id"] == "reauth_confirm"
    result = await _configure(hass, flow["flow_id"], {CONF_VISION_API_KEY: "new key"})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="door")
    assert result["description"].startswith("Image 1 is 640x480")


async def test_old_entries_lose_their_name_based_unique_id(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """Version 1.1 kept the first name as unique id; 1.2 drops it."""
    from tests.conftest import entry_data

    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        unique_id="front_door",
        data=entry_data(ollama_emulator, text=False),
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.unique_id is None
    assert entry.minor_version == 3

    newer = MockConfigEntry(
        domain=DOMAIN,
        title="From the future",
        data=entry_data(ollama_emulator, "From the future", text=False),
        version=2,
    )
    newer.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(newer.entry_id)

    # A later 1.x (after a downgrade) is left as it is.
    later = MockConfigEntry(
        domain=DOMAIN,
        title="Later",
        data=entry_data(ollama_emulator, "Later", text=False),
        version=1,
        minor_version=4,
    )
    later.add_to_hass(hass)
    assert await hass.config_entries.async_setup(later.entry_id)


async def test_stored_built_in_prompts_go_in_version_1_3(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """1.2 stored the built-in prompts at setup; 1.3 drops them (so the built-in
    ones apply, in Home Assistant's language) and keeps a prompt the user wrote."""
    from tests.conftest import entry_data, private_media_folder

    private_media_folder(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        data=entry_data(ollama_emulator),
        options={
            DEFAULT_PROMPT.key: DEFAULT_PROMPT.default,
            DEFAULT_TEXT_PROMPT.key: "Shout: {description}",
            VISION_KEEPALIVE.key: 600,
        },
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.minor_version == 3
    assert entry.options == {
        DEFAULT_TEXT_PROMPT.key: "Shout: {description}",
        VISION_KEEPALIVE.key: 600,
    }
    settings = entry.runtime_data.settings
    assert settings.default_prompt is None
    assert settings.default_text_prompt == "Shout: {description}"


async def test_reconfigure_without_text_model_keeps_it_off(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """A setup that never had a text model reconfigures straight to its model."""
    entry = make_entry("Porch", text=False)
    result = await entry.start_reconfigure_flow(hass)
    result = await _configure(
        hass, result["flow_id"], {CONF_VISION_HOST: ollama_emulator.url}
    )
    result = await _configure(hass, result["flow_id"], {CONF_VISION_MODEL: "llava"})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_TEXT_MODEL_ENABLED] is False


async def test_address_shown_without_password(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """The address the form shows keeps the user name but hides the password."""
    flow_id = await _start(hass)
    result = await _configure(
        hass,
        flow_id,
        {CONF_NAME: "Gate", CONF_VISION_HOST: "http://me:secret@127.0.0.1:9"},
    )
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect_refused"}
    assert result["description_placeholders"]["address"] == "http://me:***@127.0.0.1:9"
