"""Repair issues: a model gone from the server, a server down for long; and the fix flow."""

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ollama_vision.const import (
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.repairs import FIX_CHOICES
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import EVENT_DATA_ENTRY_FLOW_PROGRESS_UPDATE
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from tests.conftest import analyze
from tests.ollama_emulator import OllamaEmulator
from tests.servers import StartEmulators
from tests.test_translations import EN

POLL = timedelta(seconds=61)


async def _next_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let a poll interval pass and wait for the poll (real HTTP) to finish."""
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    polled = asyncio.Event()
    remove = entry.runtime_data.coordinator.async_add_listener(polled.set)
    freezer.tick(POLL)
    async_fire_time_changed(hass)
    await polled.wait()
    remove()
    await hass.async_block_till_done()


async def _vanish(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    server: OllamaEmulator,
    *models: str,
) -> None:
    """`ollama rm` of models on a server, then the poll that notices."""
    for model in models:
        server.remove_model(model)
    await _next_poll(hass, freezer)


def _issue(
    hass: HomeAssistant, kind: str, entry: MockConfigEntry
) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")


async def test_vanished_model_raises_an_issue_until_it_is_back(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """`ollama rm` of the vision model: a fixable issue naming it; pulled again, gone."""
    assert _issue(hass, "vision_model_missing", setup_entry) is None
    await _vanish(hass, freezer, ollama_emulator, "moondream:latest")

    issue = _issue(hass, "vision_model_missing", setup_entry)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders == {
        "name": "Front door",
        "model": "moondream:latest",
        "host": ollama_emulator.url.removeprefix("http://"),
    }
    assert _issue(hass, "text_model_missing", setup_entry) is None

    ollama_emulator.add_model("moondream:latest", ("completion", "vision"))
    await _next_poll(hass, freezer)
    assert _issue(hass, "vision_model_missing", setup_entry) is None


async def test_vanished_text_model(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The text model has its own issue, with its own translation."""
    await _vanish(hass, freezer, ollama_emulator, "llama3.1:latest")
    issue = _issue(hass, "text_model_missing", setup_entry)
    assert issue is not None
    assert issue.translation_key == "text_model_missing"
    assert _issue(hass, "vision_model_missing", setup_entry) is None


async def test_server_down_for_more_than_ten_minutes(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ten minutes of silence are tolerated; then an issue per server; cleared when back."""
    await ollama_emulator.stop()
    for _ in range(10):  # polls at 1..10 minutes after it went away (the first sees it)
        await _next_poll(hass, freezer)
        assert _issue(hass, "vision_server_unreachable", setup_entry) is None
    await _next_poll(hass, freezer)

    issue = _issue(hass, "vision_server_unreachable", setup_entry)
    assert issue is not None
    assert not issue.is_fixable
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["minutes"] == "10"
    assert _issue(hass, "text_server_unreachable", setup_entry) is not None
    # An unreachable server says nothing about its models.
    assert _issue(hass, "vision_model_missing", setup_entry) is None

    await ollama_emulator.start()
    await _next_poll(hass, freezer)
    assert _issue(hass, "vision_server_unreachable", setup_entry) is None
    assert _issue(hass, "text_server_unreachable", setup_entry) is None


async def test_a_short_outage_raises_nothing(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Down for nine minutes, back, down again: the clock starts again."""
    await ollama_emulator.stop()
    for _ in range(9):
        await _next_poll(hass, freezer)
    await ollama_emulator.start()
    await _next_poll(hass, freezer)
    await ollama_emulator.stop()
    for _ in range(9):
        await _next_poll(hass, freezer)
    assert _issue(hass, "vision_server_unreachable", setup_entry) is None


async def test_issues_go_with_the_setup(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unloading (or removing) the setup withdraws its issues."""
    await _vanish(hass, freezer, ollama_emulator, "moondream:latest")
    assert _issue(hass, "vision_model_missing", setup_entry) is not None
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    assert _issue(hass, "vision_model_missing", setup_entry) is None


async def _fix(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    issue_id: str,
    choice: str = "choose_model",
) -> tuple[Any, dict[str, Any]]:
    """Start a fix flow through the HTTP API, as the frontend does, and take
    `choice` from its menu; the client and the step that follows."""
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200
    result = await response.json()
    if result["type"] != "menu":
        return client, result
    assert result["step_id"] == "init"
    assert result["menu_options"] == ["pull_model", "choose_model"]
    return client, await _step(client, result, {"next_step_id": choice})


async def _step(
    client: Any, result: dict[str, Any], answer: dict[str, Any]
) -> dict[str, Any]:
    """Answer the flow's current step through the HTTP API."""
    response = await client.post(
        f"/api/repairs/issues/fix/{result['flow_id']}", json=answer
    )
    assert response.status == 200
    return dict(await response.json())


async def test_fix_flow_picks_another_model(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The form lists the server's models; a non-vision one is refused; llava fixes it."""
    await _vanish(hass, freezer, ollama_emulator, "moondream:latest")
    issue_id = f"vision_model_missing_{setup_entry.entry_id}"
    client, form = await _fix(hass, hass_client, issue_id)

    assert form["type"] == "form"
    assert form["step_id"] == "choose_model"
    assert form["description_placeholders"]["model"] == "moondream:latest"
    options = form["data_schema"][0]["selector"]["select"]["options"]
    assert "llava:latest" in options
    assert "moondream:latest" not in options
    assert "llama3.1:latest" not in options  # cannot see images

    url = f"/api/repairs/issues/fix/{form['flow_id']}"
    response = await client.post(url, json={"model": "llama3.1"})
    refused = await response.json()
    assert refused["errors"] == {"model": "model_not_vision"}
    response = await client.post(url, json={"model": "nosuchmodel"})
    assert (await response.json())["errors"] == {"model": "model_not_found"}

    response = await client.post(url, json={"model": "llava"})
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()

    assert setup_entry.data[CONF_VISION_MODEL] == "llava:latest"
    assert setup_entry.state is ConfigEntryState.LOADED
    assert setup_entry.runtime_data.settings.vision.model == "llava:latest"
    assert _issue(hass, "vision_model_missing", setup_entry) is None


@pytest.mark.parametrize("state", ["server_gone", "setup_unloaded"])
async def test_fix_flow_when_it_cannot_help(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
    state: str,
) -> None:
    """A server that stopped answering or a stopped setup: the flow says so and ends."""
    await _vanish(hass, freezer, ollama_emulator, "llama3.1:latest")
    issue_id = f"text_model_missing_{setup_entry.entry_id}"
    assert _issue(hass, "text_model_missing", setup_entry) is not None
    if state == "server_gone":
        await ollama_emulator.stop()
        _, result = await _fix(hass, hass_client, issue_id)
        assert result["type"] == "abort"
        assert result["reason"] == "cannot_connect"
    else:
        # An issue left from a setup that failed to start again is still offered.
        ir.async_create_issue(
            hass,
            DOMAIN,
            "orphan",
            is_fixable=True,
            severity=ir.IssueSeverity.ERROR,
            translation_key="text_model_missing",
            data={"entry_id": setup_entry.entry_id, "role": "text"},
        )
        assert await hass.config_entries.async_unload(setup_entry.entry_id)
        _, result = await _fix(hass, hass_client, "orphan")
        assert result["type"] == "abort"
        assert result["reason"] == "not_loaded"


async def test_fix_flow_for_the_text_model(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An embedding-only model cannot replace the text model; another one can."""
    ollama_emulator.remove_model("llama3.1:latest")
    ollama_emulator.add_model("nomic-embed-text", ("embedding",))
    ollama_emulator.add_model("qwen2.5:latest", ("completion",))
    await _next_poll(hass, freezer)
    client, form = await _fix(
        hass, hass_client, f"text_model_missing_{setup_entry.entry_id}"
    )
    options = form["data_schema"][0]["selector"]["select"]["options"]
    assert "qwen2.5:latest" in options
    assert "nomic-embed-text:latest" not in options  # cannot write text
    url = f"/api/repairs/issues/fix/{form['flow_id']}"
    response = await client.post(url, json={"model": "nomic-embed-text"})
    assert (await response.json())["errors"] == {"model": "model_not_text"}
    response = await client.post(url, json={"model": "qwen2.5"})
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()
    assert setup_entry.runtime_data.settings.text is not None
    assert setup_entry.runtime_data.settings.text.model == "qwen2.5:latest"
    assert _issue(hass, "text_model_missing", setup_entry) is None


async def _second_vision_server(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    first: OllamaEmulator,
    more_emulators: StartEmulators,
) -> OllamaEmulator:
    """Give the setup a second vision server, whose address holds a password."""
    [second] = await more_emulators(1)
    hass.config_entries.async_update_entry(
        entry,
        data={
            **entry.data,
            CONF_VISION_HOST: f"{first.url}\nhttp://me:pw@127.0.0.1:{second.port}",
        },
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    return second


async def test_fix_flow_accepts_only_a_model_every_server_has(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    more_emulators: StartEmulators,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two vision servers, the model gone from the second: the list holds only
    models both have, and one only the first has is refused, naming the second
    server with its password masked."""
    second = await _second_vision_server(
        hass, setup_entry, ollama_emulator, more_emulators
    )
    await _vanish(hass, freezer, second, "moondream:latest", "llava:latest")
    issue = _issue(hass, "vision_model_missing", setup_entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["host"] == f"me:***@127.0.0.1:{second.port}"

    client, form = await _fix(
        hass, hass_client, f"vision_model_missing_{setup_entry.entry_id}"
    )
    assert form["step_id"] == "choose_model"
    # The server that lost the model, not the first one.
    assert form["description_placeholders"]["host"] == (
        f"me:***@127.0.0.1:{second.port}"
    )
    options = form["data_schema"][0]["selector"]["select"]["options"]
    assert "qwen2.5vl:latest" in options
    assert "llava:latest" not in options  # on the first server only
    assert "moondream:latest" not in options

    url = f"/api/repairs/issues/fix/{form['flow_id']}"
    response = await client.post(url, json={"model": "llava"})
    refused = await response.json()
    assert refused["errors"] == {"model": "model_not_found"}
    address = refused["description_placeholders"]["address"]
    assert address == f"http://me:***@127.0.0.1:{second.port}"
    assert "pw" not in str(refused)
    assert setup_entry.data[CONF_VISION_MODEL] == "moondream:latest"

    response = await client.post(url, json={"model": "qwen2.5vl"})
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()
    assert setup_entry.runtime_data.settings.vision.model == "qwen2.5vl:latest"
    assert _issue(hass, "vision_model_missing", setup_entry) is None


@pytest.mark.parametrize("choice", ["choose_model", "pull_model"])
async def test_fix_flow_names_the_server_that_does_not_answer(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    more_emulators: StartEmulators,
    freezer: FrozenDateTimeFactory,
    choice: str,
) -> None:
    """A second server that stopped answering cannot vouch for any model, nor
    take one: either choice ends the flow, naming that server."""
    second = await _second_vision_server(
        hass, setup_entry, ollama_emulator, more_emulators
    )
    await _vanish(hass, freezer, ollama_emulator, "moondream:latest")
    await second.stop()
    _, result = await _fix(
        hass, hass_client, f"vision_model_missing_{setup_entry.entry_id}", choice
    )
    assert result["type"] == "abort"
    assert result["reason"] == "cannot_connect"
    assert result["description_placeholders"]["host"] == (
        f"me:***@127.0.0.1:{second.port}"
    )


async def _download(hass: HomeAssistant, client: Any, result: dict[str, Any]) -> Any:
    """Let the download shown as progress end, then see where the flow went
    (as the frontend does when the progress is done)."""
    assert result["type"] == "progress"
    assert result["progress_action"] == "download"
    await hass.async_block_till_done()
    return await _step(client, result, {})


async def test_fix_flow_pulls_the_model_back_onto_the_servers_that_lack_it(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    more_emulators: StartEmulators,
    freezer: FrozenDateTimeFactory,
    door_jpeg: str,
) -> None:
    """The model gone from the second of two servers: "Download again" pulls it
    onto that one only, with a progress bar; the issue goes and both servers
    analyse again."""
    second = await _second_vision_server(
        hass, setup_entry, ollama_emulator, more_emulators
    )
    await _vanish(hass, freezer, second, "moondream:latest")
    issue_id = f"vision_model_missing_{setup_entry.entry_id}"
    assert _issue(hass, "vision_model_missing", setup_entry) is not None
    progress = async_capture_events(hass, EVENT_DATA_ENTRY_FLOW_PROGRESS_UPDATE)

    client, result = await _fix(hass, hass_client, issue_id, "pull_model")
    assert result["step_id"] == "download"
    assert result["description_placeholders"] == {
        "model": "moondream:latest",
        "address": f"http://me:***@127.0.0.1:{second.port}",
    }
    result = await _download(hass, client, result)
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()

    assert "moondream:latest" in second.models
    assert [r.body for r in second.requests if r.path == "/api/pull"] == [
        {"model": "moondream:latest", "stream": True}
    ]
    assert not [r for r in ollama_emulator.requests if r.path == "/api/pull"]
    fractions = [event.data["progress"] for event in progress]
    assert any(0 < fraction < 1 for fraction in fractions)
    assert fractions[-1] == 1.0
    assert _issue(hass, "vision_model_missing", setup_entry) is None
    # Same model, same setup: no reload needed, and each server takes a job.
    assert setup_entry.data[CONF_VISION_MODEL] == "moondream:latest"
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    for name in ("one", "two"):
        await analyze(hass, response=True, image_url=door_jpeg, image_name=name)
    assert failed == []
    assert len(analyzed) == 2
    assert [r.model for r in second.generate_requests() if r.prompt] == [
        "moondream:latest"
    ]
    # And the next poll finds nothing to raise again.
    await _next_poll(hass, freezer)
    assert _issue(hass, "vision_model_missing", setup_entry) is None


async def test_failed_pull_says_why_and_offers_the_choice_again(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A download that breaks shows Ollama's reason and both choices again;
    trying again then fixes it."""
    await _vanish(hass, freezer, ollama_emulator, "llama3.1:latest")
    issue_id = f"text_model_missing_{setup_entry.entry_id}"
    ollama_emulator.pull_failure = "write blob: no space left on device"

    client, result = await _fix(hass, hass_client, issue_id, "pull_model")
    result = await _download(hass, client, result)
    assert result["type"] == "menu"
    assert result["step_id"] == "download_failed"
    assert result["menu_options"] == ["pull_model", "choose_model"]
    assert result["description_placeholders"] == {
        "name": "Front door",
        "model": "llama3.1:latest",
        "address": ollama_emulator.url,
        "reason": "write blob: no space left on device",
    }
    assert "llama3.1:latest" not in ollama_emulator.models
    assert _issue(hass, "text_model_missing", setup_entry) is not None

    ollama_emulator.pull_failure = None
    result = await _step(client, result, {"next_step_id": "pull_model"})
    result = await _download(hass, client, result)
    assert result["type"] == "create_entry"
    assert "llama3.1:latest" in ollama_emulator.models
    assert _issue(hass, "text_model_missing", setup_entry) is None


async def test_failed_pull_then_another_model(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A name the library no longer has cannot come back: after the failure,
    "Choose another" leads to the form, and the setup reloads with that model."""
    ollama_emulator.remove_model("moondream:latest")
    ollama_emulator.registry_strict = True
    hass.config_entries.async_update_entry(
        setup_entry, data={**setup_entry.data, CONF_VISION_MODEL: "moondrem:latest"}
    )
    await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    await _next_poll(hass, freezer)
    client, result = await _fix(
        hass, hass_client, f"vision_model_missing_{setup_entry.entry_id}", "pull_model"
    )
    result = await _download(hass, client, result)
    assert result["step_id"] == "download_failed"
    assert "file does not exist" in result["description_placeholders"]["reason"]
    result = await _step(client, result, {"next_step_id": "choose_model"})
    assert result["step_id"] == "choose_model"
    result = await _step(client, result, {"model": "llava"})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert setup_entry.runtime_data.settings.vision.model == "llava:latest"


async def test_pull_finds_the_model_back_already(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Pulled by hand while the repair was open: nothing to download, done."""
    await _vanish(hass, freezer, ollama_emulator, "moondream:latest")
    ollama_emulator.add_model("moondream:latest", ("completion", "vision"))
    _, result = await _fix(
        hass, hass_client, f"vision_model_missing_{setup_entry.entry_id}", "pull_model"
    )
    assert result["type"] == "create_entry"
    assert not [r for r in ollama_emulator.requests if r.path == "/api/pull"]
    assert _issue(hass, "vision_model_missing", setup_entry) is None


@pytest.mark.parametrize("choice", ["choose_model", "pull_model"])
async def test_choice_after_the_setup_stopped(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
    choice: str,
) -> None:
    """The setup unloaded while the menu was open: either choice says so."""
    await _vanish(hass, freezer, ollama_emulator, "moondream:latest")
    issue_id = f"vision_model_missing_{setup_entry.entry_id}"
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    menu = await response.json()
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    result = await _step(client, menu, {"next_step_id": choice})
    assert result["type"] == "abort"
    assert result["reason"] == "not_loaded"


@pytest.mark.parametrize("role", ["vision", "text"])
def test_fix_flow_is_translated(role: str) -> None:
    """The menu and its labels, the failed download and its progress text."""
    flow = EN["issues"][f"{role}_model_missing"]["fix_flow"]
    for step in ("init", "download_failed"):
        assert list(flow["step"][step]["menu_options"]) == FIX_CHOICES
    assert "{reason}" in flow["step"]["download_failed"]["description"]
    assert "{address}" in flow["progress"]["download"]
    assert "{address}" in flow["error"]["model_not_found"]


async def test_server_gone_while_the_form_is_open(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    more_emulators: StartEmulators,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The second server stops after the form was shown: the choice cannot be
    checked there, so the flow ends naming that server, and nothing changes."""
    second = await _second_vision_server(
        hass, setup_entry, ollama_emulator, more_emulators
    )
    await _vanish(hass, freezer, ollama_emulator, "moondream:latest")
    client, form = await _fix(
        hass, hass_client, f"vision_model_missing_{setup_entry.entry_id}"
    )
    await second.stop()
    result = await _step(client, form, {"model": "llava"})
    assert result["type"] == "abort"
    assert result["reason"] == "cannot_connect"
    assert result["description_placeholders"]["host"] == (
        f"me:***@127.0.0.1:{second.port}"
    )
    assert setup_entry.data[CONF_VISION_MODEL] == "moondream:latest"
