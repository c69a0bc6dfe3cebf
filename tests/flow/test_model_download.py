"""Models the server does not have are downloaded from the setup form, with progress."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import (
    CONF_TEXT_HOST,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
)
from custom_components.ollama_vision.settings import TEXT_KEEPALIVE, VISION_KEEPALIVE
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import (
    EVENT_DATA_ENTRY_FLOW_PROGRESS_UPDATE,
    FlowResultType,
)
from tests.ollama_emulator import OllamaEmulator
from tests.servers import running_emulator
from tests.waiting import wait_for

NOT_IN_LIBRARY = "pull model manifest: file does not exist"


async def models_form(
    hass: HomeAssistant,
    emulator: OllamaEmulator,
    *more: OllamaEmulator,
    text: bool = False,
) -> str:
    """A new setup's flow on the emulator(s), up to the models form; its flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    flow_id = str(result["flow_id"])
    result = await configure(
        hass,
        flow_id,
        {
            CONF_NAME: "Front door",
            CONF_VISION_HOST: "\n".join(e.url for e in (emulator, *more)),
            CONF_TEXT_MODEL_ENABLED: text,
        },
    )
    if text:
        result = await configure(hass, flow_id, {CONF_TEXT_HOST: emulator.url})
    assert result["step_id"] == "models"
    return flow_id


async def configure(
    hass: HomeAssistant, flow_id: str, data: dict[str, Any] | None = None
) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def finish_download(hass: HomeAssistant, flow_id: str) -> Any:
    """Let the download end, then see where the flow went (as the frontend does)."""
    await hass.async_block_till_done()
    return await configure(hass, flow_id)


async def test_missing_model_downloaded_with_progress_bar(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """A name the server lacks is pulled, the bar follows the bytes, then the
    setup is made with it."""
    progress = async_capture_events(hass, EVENT_DATA_ENTRY_FLOW_PROGRESS_UPDATE)
    flow_id = await models_form(hass, ollama_emulator)
    result = await configure(
        hass, flow_id, {CONF_VISION_MODEL: "gemma3:4b", VISION_KEEPALIVE.key: -1}
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "download"
    assert result["progress_action"] == "download"
    assert result["description_placeholders"] == {
        "model": "gemma3:4b",
        "address": ollama_emulator.url,
    }

    result = await finish_download(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VISION_MODEL] == "gemma3:4b"
    assert "gemma3:4b" in ollama_emulator.models
    fractions = [event.data["progress"] for event in progress]
    assert all(event.data["flow_id"] == flow_id for event in progress)
    assert any(0 < fraction < 1 for fraction in fractions)
    assert fractions[-1] == 1.0
    [pull] = [r for r in ollama_emulator.requests if r.path == "/api/pull"]
    assert pull.body == {"model": "gemma3:4b", "stream": True}


async def test_both_missing_models_downloaded_in_turn(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """The vision model, then the text model; then the setup is made."""
    flow_id = await models_form(hass, ollama_emulator, text=True)
    result = await configure(
        hass,
        flow_id,
        {
            CONF_VISION_MODEL: "gemma3:4b",
            VISION_KEEPALIVE.key: -1,
            CONF_TEXT_MODEL: "mistral",
            TEXT_KEEPALIVE.key: -1,
        },
    )
    assert result["description_placeholders"]["model"] == "gemma3:4b"
    result = await finish_download(hass, flow_id)
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["description_placeholders"]["model"] == "mistral:latest"
    result = await finish_download(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TEXT_MODEL] == "mistral:latest"
    pulled = [
        r.body["model"] for r in ollama_emulator.requests if r.path == "/api/pull"
    ]
    assert pulled == ["gemma3:4b", "mistral:latest"]


async def test_failed_download_says_why_and_keeps_the_form(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """A name the library lacks, then a download that breaks: each comes back to
    the form with Ollama's reason; a listed model then finishes the setup."""
    ollama_emulator.registry_strict = True
    flow_id = await models_form(hass, ollama_emulator)
    result = await configure(
        hass, flow_id, {CONF_VISION_MODEL: "lava", VISION_KEEPALIVE.key: 30}
    )
    result = await finish_download(hass, flow_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "models"
    assert result["errors"] == {CONF_VISION_MODEL: "download_failed"}
    assert result["description_placeholders"] == {
        "model": "lava:latest",
        "reason": NOT_IN_LIBRARY,
    }
    # What the user typed is still there.
    schema = result["data_schema"].schema
    suggested = {str(key): key.description for key in schema}
    assert suggested[CONF_VISION_MODEL] == {"suggested_value": "lava"}
    assert suggested[VISION_KEEPALIVE.key] == {"suggested_value": 30}

    ollama_emulator.pull_failure = "write blob: no space left on device"
    result = await configure(
        hass, flow_id, {CONF_VISION_MODEL: "gemma3:4b", VISION_KEEPALIVE.key: 30}
    )
    result = await finish_download(hass, flow_id)
    assert result["errors"] == {CONF_VISION_MODEL: "download_failed"}
    assert result["description_placeholders"]["reason"] == (
        "write blob: no space left on device"
    )
    assert "gemma3:4b" not in ollama_emulator.models

    result = await configure(
        hass, flow_id, {CONF_VISION_MODEL: "llava", VISION_KEEPALIVE.key: 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"][VISION_KEEPALIVE.key] == 30


async def test_downloaded_model_still_has_to_see(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """A text model downloaded for the vision field is refused once it is there."""
    flow_id = await models_form(hass, ollama_emulator)
    await configure(
        hass, flow_id, {CONF_VISION_MODEL: "mistral", VISION_KEEPALIVE.key: -1}
    )
    result = await finish_download(hass, flow_id)
    assert result["errors"] == {CONF_VISION_MODEL: "model_not_vision"}
    assert "mistral:latest" in ollama_emulator.models


async def test_reconfigure_downloads_the_new_model(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """Changing to a model the server lacks downloads it, then the setup reloads."""
    result = await setup_entry.start_reconfigure_flow(hass)
    flow_id = result["flow_id"]
    result = await configure(
        hass,
        flow_id,
        {CONF_VISION_HOST: ollama_emulator.url, CONF_TEXT_MODEL_ENABLED: False},
    )
    result = await configure(hass, flow_id, {CONF_VISION_MODEL: "gemma3:4b"})
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    result = await finish_download(hass, flow_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert setup_entry.data[CONF_VISION_MODEL] == "gemma3:4b"
    # Reloaded with it.
    assert setup_entry.runtime_data.settings.vision.model == "gemma3:4b"


async def test_closing_the_form_stops_the_download(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """Closed mid-download: the request is dropped and nothing is installed."""
    ollama_emulator.pull_delay = 0.2
    flow_id = await models_form(hass, ollama_emulator)
    result = await configure(
        hass, flow_id, {CONF_VISION_MODEL: "gemma3:4b", VISION_KEEPALIVE.key: -1}
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    await wait_for(lambda: any(r.path == "/api/pull" for r in ollama_emulator.requests))
    hass.config_entries.flow.async_abort(flow_id)
    await hass.async_block_till_done()
    # The emulator installs a model at the end of its pull: once the request is
    # gone (the client hung up), nothing can install it any more.
    await wait_for(lambda: ollama_emulator.in_flight == 0)
    assert "gemma3:4b" not in ollama_emulator.models
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_every_server_of_the_role_gets_the_model(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator, socket_enabled: None
) -> None:
    """With two vision servers, a model neither has is downloaded onto each."""
    async with running_emulator() as second:
        flow_id = await models_form(hass, ollama_emulator, second)
        result = await configure(
            hass, flow_id, {CONF_VISION_MODEL: "gemma3:4b", VISION_KEEPALIVE.key: -1}
        )
        assert result["description_placeholders"]["address"] == ollama_emulator.url
        result = await finish_download(hass, flow_id)
        assert result["description_placeholders"]["address"] == second.url
        result = await finish_download(hass, flow_id)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert "gemma3:4b" in ollama_emulator.models
        assert "gemma3:4b" in second.models


@pytest.mark.parametrize("lacking", [0, 1])
async def test_only_the_servers_without_the_model_get_it(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    socket_enabled: None,
    lacking: int,
) -> None:
    """A model on one of two servers (first or second) is downloaded onto the
    other one only, then the setup is made with it."""
    async with running_emulator() as second:
        servers = [ollama_emulator, second]
        without = servers[lacking]
        without.remove_model("llava:latest")
        flow_id = await models_form(hass, ollama_emulator, second)
        result = await configure(
            hass, flow_id, {CONF_VISION_MODEL: "llava", VISION_KEEPALIVE.key: -1}
        )
        assert result["type"] is FlowResultType.SHOW_PROGRESS
        assert result["description_placeholders"] == {
            "model": "llava:latest",
            "address": without.url,
        }
        result = await finish_download(hass, flow_id)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["data"][CONF_VISION_MODEL] == "llava:latest"
        assert "llava:latest" in without.models
        pulls = {
            emulator.url: [r for r in emulator.requests if r.path == "/api/pull"]
            for emulator in servers
        }
        assert len(pulls[without.url]) == 1
        assert pulls[servers[1 - lacking].url] == []
