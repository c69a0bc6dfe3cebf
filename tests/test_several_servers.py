"""Several Ollama servers behind one setup: spreading, failing over, coming back."""

import asyncio
from collections.abc import Mapping
import logging
from typing import Any, Literal

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import (
    CONF_TEXT_HOST,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.ollama_vision.settings import (
    DEFAULT_OPTIONS,
    VISION_KEEPALIVE,
    VISION_TIMEOUT,
    WARM_UP,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_NAME, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from tests.conftest import analyze, state_of
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import FaultKind, OllamaEmulator
from tests.servers import StartEmulators
from tests.waiting import wait_for


def server_entity(emulator: OllamaEmulator) -> str:
    """The connectivity sensor of one server of the "Front door" setup."""
    return f"binary_sensor.front_door_server_127_0_0_1_{emulator.port}"


def generated(emulator: OllamaEmulator) -> list[Any]:
    """The analyses an emulator was asked for (model loads left out)."""
    return [r for r in emulator.generate_requests() if r.prompt]


async def set_up(
    hass: HomeAssistant,
    emulators: list[OllamaEmulator],
    *,
    text: bool = False,
    options: Mapping[str, Any] | None = None,
) -> MockConfigEntry:
    """A "Front door" setup whose vision (and text) servers are the emulators."""
    addresses = "\n".join(emulator.url for emulator in emulators)
    data: dict[str, Any] = {
        CONF_NAME: "Front door",
        CONF_VISION_HOST: addresses,
        CONF_VISION_MODEL: "moondream:latest",
        CONF_TEXT_MODEL_ENABLED: text,
    }
    if text:
        data[CONF_TEXT_HOST] = addresses
        data[CONF_TEXT_MODEL] = "llama3.1:latest"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        data=data,
        options={**DEFAULT_OPTIONS, **(options or {})},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_jobs_spread_over_servers(
    hass: HomeAssistant, more_emulators: StartEmulators, door_jpeg: str
) -> None:
    """Four images at once on two servers of one slot each: two on each server.

    Each server answers one request at a time, so both work at once.
    """
    emulators = await more_emulators(2)
    for emulator in emulators:
        emulator.first_token_delay = 0.2
    entry = await set_up(hass, emulators)
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    await asyncio.gather(
        *(analyze(hass, image_url=door_jpeg, image_name=name) for name in "abcd")
    )
    await wait_for(lambda: len(analyzed) == 4)
    assert [len(generated(emulator)) for emulator in emulators] == [2, 2]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    each = diagnostics["servers"]["each"]
    assert [server["jobs_done"] for server in each] == [2, 2]
    assert all(server["median_latency"] >= 0.2 for server in each)
    assert [server["slots"] for server in each] == [1, 1]


async def test_sequential_jobs_take_turns(
    hass: HomeAssistant, more_emulators: StartEmulators, door_jpeg: str
) -> None:
    """Idle servers take turns, so one is not worn while the other waits."""
    emulators = await more_emulators(2)
    await set_up(hass, emulators)
    for name in "abcd":
        await analyze(hass, response=True, image_url=door_jpeg, image_name=name)
    assert [len(generated(emulator)) for emulator in emulators] == [2, 2]


@pytest.mark.parametrize("fault", ["refused", "http_500", "drop_mid_stream", "stall"])
async def test_failover_at_once_then_probe_and_return(
    hass: HomeAssistant,
    more_emulators: StartEmulators,
    door_jpeg: str,
    caplog: pytest.LogCaptureFixture,
    fault: FaultKind | Literal["refused"],
) -> None:
    """A server at fault is marked down, the job goes at once to the other one
    (no retry waits), and the server is back in rotation once it answers again."""
    first, second = await more_emulators(2)
    entry = await set_up(hass, [first, second], options={VISION_TIMEOUT.key: 0.5})
    caplog.set_level(logging.DEBUG, "custom_components.ollama_vision")
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    if fault == "refused":
        await first.stop()
    else:
        first.inject(fault, after_chunks=1)

    response = await analyze(
        hass, response=True, image_url=door_jpeg, image_name="porch"
    )

    assert response["description"] == "Image 1 is 640x480 pixels, mostly red."
    assert len(generated(second)) == 1
    assert not [r for r in caplog.records if "trying again" in r.getMessage()]
    assert "trying another server" in caplog.text
    await hass.async_block_till_done()
    assert (len(analyzed), len(failed)) == (1, 0)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["servers"]["each"][0]["failures"] == 1
    assert diagnostics["servers"]["each"][1]["jobs_done"] == 1

    if fault == "refused":
        assert state_of(hass, server_entity(first)).state == STATE_OFF
        await first.start()
    # The probe finds the server again; the next job goes there.
    await wait_for(lambda: state_of(hass, server_entity(first)).state == STATE_ON)
    assert "reachable again" in caplog.text
    first.clear_faults()
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert len([r for r in generated(first) if r.status == 200]) == 1


async def test_all_servers_down_retry_then_fail(
    hass: HomeAssistant,
    more_emulators: StartEmulators,
    door_jpeg: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With every server down, today's retry policy applies, then one failure."""
    emulators = await more_emulators(2)
    await set_up(hass, emulators)
    caplog.set_level(logging.DEBUG, "custom_components.ollama_vision")
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    for emulator in emulators:
        await emulator.stop()
    with pytest.raises(HomeAssistantError, match="Cannot reach the Ollama server"):
        await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    await hass.async_block_till_done()
    assert len(failed) == 1
    assert failed[0].data["error"] == "cannot_connect"
    assert len([r for r in caplog.records if "trying again" in r.getMessage()]) == 1


async def test_server_killed_mid_burst_one_event_per_job(
    hass: HomeAssistant, more_emulators: StartEmulators, door_jpeg: str
) -> None:
    """One of two servers dies during a burst: every job ends with exactly one
    event, none lost, none twice."""
    first, second = await more_emulators(2)
    for emulator in (first, second):
        emulator.first_token_delay = 0.05
    await set_up(hass, [first, second])
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    names = [f"camera_{index}" for index in range(16)]
    calls = [
        hass.async_create_task(
            analyze(hass, response=True, image_url=door_jpeg, image_name=name)
        )
        for name in names
    ]
    await first.wait_for_requests(len(first.requests) + 3)
    await first.stop()
    await asyncio.gather(*calls)
    await hass.async_block_till_done()
    ended = sorted(event.data["image_name"] for event in [*analyzed, *failed])
    assert ended == sorted(names)
    assert failed == []
    assert len(generated(second)) >= len(names) - 3


async def test_same_image_name_never_runs_on_two_servers_at_once(
    hass: HomeAssistant,
    more_emulators: StartEmulators,
    image_server: ImageServer,
) -> None:
    """Newest image wins across servers: a second picture of the porch waits for
    the first to end, though the other server is free, and ends last."""
    first, second = await more_emulators(2)
    first.first_token_delay = 0.3
    await set_up(hass, [first, second])
    image_server.add("/red.jpg", make_jpeg(64, 48, colour=(200, 30, 30)))
    image_server.add("/blue.jpg", make_jpeg(64, 48, colour=(30, 30, 200)))
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    older = hass.async_create_task(
        analyze(
            hass,
            response=True,
            image_url=image_server.url("/red.jpg"),
            image_name="porch",
        )
    )
    await first.wait_for_requests(len(first.requests) + 1)
    await analyze(
        hass, response=True, image_url=image_server.url("/blue.jpg"), image_name="porch"
    )
    await older
    assert [event.data["description"].split()[-1] for event in analyzed] == [
        "red.",
        "blue.",
    ]
    assert state_of(hass, "sensor.front_door_porch").state.endswith("blue.")
    [newer] = generated(second)
    assert newer.time >= generated(first)[0].time + 0.3


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_server_entities_follow_reconfiguration(
    hass: HomeAssistant,
    more_emulators: StartEmulators,
    entity_registry: er.EntityRegistry,
) -> None:
    """A connectivity sensor per server; removing a server removes its sensor."""
    first, second = await more_emulators(2)
    entry = await set_up(hass, [first, second], text=True)
    for emulator in (first, second):
        assert state_of(hass, server_entity(emulator)).state == STATE_ON
    assert state_of(hass, "binary_sensor.front_door_vision_server").state == STATE_ON
    assert state_of(hass, "sensor.front_door_vision_model").state == (
        f"moondream:latest @ 127.0.0.1:{first.port}, 127.0.0.1:{second.port}"
    )
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["servers"]["text"] == [
        f"127.0.0.1:{first.port}",
        f"127.0.0.1:{second.port}",
    ]

    hass.config_entries.async_update_entry(
        entry,
        data={**entry.data, CONF_VISION_HOST: first.url, CONF_TEXT_HOST: first.url},
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(server_entity(second)) is None
    # One server left: its sensors are the vision and text server's own.
    assert entity_registry.async_get(server_entity(first)) is None
    assert state_of(hass, "binary_sensor.front_door_vision_server").state == STATE_ON


async def test_setup_with_a_server_down_uses_the_others(
    hass: HomeAssistant, more_emulators: StartEmulators, door_jpeg: str
) -> None:
    """One server off at start: the setup loads, jobs go to the other one, and
    the absent server joins when it comes up."""
    first, second = await more_emulators(2)
    await first.stop()
    entry = await set_up(hass, [first, second])
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, server_entity(first)).state == STATE_OFF
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert len(generated(second)) == 1
    await first.start()
    await wait_for(lambda: state_of(hass, server_entity(first)).state == STATE_ON)


async def test_setup_waits_when_no_server_answers(
    hass: HomeAssistant, more_emulators: StartEmulators
) -> None:
    """No server of the model answers: Home Assistant retries the setup later."""
    emulators = await more_emulators(2)
    for emulator in emulators:
        await emulator.stop()
    entry = await set_up(hass, emulators)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_warm_up_loads_the_model_on_each_server(
    hass: HomeAssistant, more_emulators: StartEmulators, door_jpeg: str
) -> None:
    """With warm-up on, each server loads the model at setup and when it is back."""
    first, second = await more_emulators(2)
    await set_up(hass, [first, second], options={WARM_UP.key: True})
    await wait_for(
        lambda: all(
            emulator.loaded_models() == ["moondream:latest"]
            for emulator in (first, second)
        )
    )
    for emulator in (first, second):
        [load] = emulator.generate_requests()
        assert load.prompt == ""
        assert load.keep_alive == -1

    await first.stop()  # a restarted server has nothing loaded
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    await first.start()
    await wait_for(lambda: first.loaded_models() == ["moondream:latest"])
    assert [r.prompt for r in first.generate_requests()] == ["", ""]


async def _flow_to_models(
    hass: HomeAssistant, addresses: str, *, text: bool = False
) -> Any:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Front door",
            CONF_VISION_HOST: addresses,
            CONF_TEXT_MODEL_ENABLED: text,
        },
    )


async def test_flow_takes_several_addresses(
    hass: HomeAssistant, more_emulators: StartEmulators
) -> None:
    """Addresses by line or comma, in any accepted form, each checked; stored
    one per line, each once; the models offered are those on every server."""
    first, second = await more_emulators(2)
    second.remove_model("llava")
    typed = f"{first.url}, 127.0.0.1:{second.port}\n\n{first.url}/"
    result = await _flow_to_models(hass, typed)
    assert result["step_id"] == "models"
    options = result["data_schema"].schema[CONF_VISION_MODEL].config["options"]
    assert "moondream:latest" in options
    assert "llava:latest" not in options
    for emulator in (first, second):
        assert [r.path for r in emulator.requests].count("/api/tags") == 1

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_VISION_MODEL: "moondream", VISION_KEEPALIVE.key: -1}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VISION_HOST] == f"{first.url}\n{second.url}"
    await hass.async_block_till_done()
    assert state_of(hass, server_entity(second)).state == STATE_ON


async def test_flow_names_the_server_that_does_not_answer(
    hass: HomeAssistant, more_emulators: StartEmulators
) -> None:
    """Every address is checked: the one that does not answer is named."""
    first, second = await more_emulators(2)
    await second.stop()
    result = await _flow_to_models(hass, f"{first.url}\n{second.url}")
    assert result["errors"] == {CONF_VISION_HOST: "cannot_connect_refused"}
    assert result["description_placeholders"]["address"] == second.url
    result = await _flow_to_models(hass, f"{first.url}, ftp://nothing")
    assert result["errors"] == {CONF_VISION_HOST: "invalid_host"}


async def test_reconfigure_adds_a_server(
    hass: HomeAssistant, more_emulators: StartEmulators
) -> None:
    """Reconfiguring with one more address adds that server and its sensor."""
    first, second = await more_emulators(2)
    entry = await set_up(hass, [first])
    assert hass.states.get(server_entity(second)) is None
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_VISION_HOST: f"{first.url}\n{second.url}",
            CONF_TEXT_MODEL_ENABLED: False,
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_VISION_MODEL: "moondream"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert state_of(hass, server_entity(second)).state == STATE_ON
    assert len(entry.runtime_data.servers.vision.servers) == 2


async def test_api_key_goes_to_each_server_unless_it_has_credentials(
    hass: HomeAssistant, more_emulators: StartEmulators, door_jpeg: str
) -> None:
    """The key field's token goes to every address; an address with its own
    user and password sends those instead (a request cannot carry both)."""
    first, second = await more_emulators(2)
    entry = await set_up(hass, [first])
    hass.config_entries.async_update_entry(
        entry,
        data={
            **entry.data,
            CONF_VISION_HOST: f"{first.url}\nhttp://me:pw@127.0.0.1:{second.port}",
            CONF_VISION_API_KEY: "s3cret",
        },
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    first_auth = {r.headers.get("Authorization") for r in first.requests[-1:]}
    second_auth = {r.headers.get("Authorization") for r in second.requests}
    assert first_auth == {"Bearer s3cret"}
    assert second_auth == {"Basic bWU6cHc="}
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert "pw" not in str(diagnostics["servers"])


async def test_repair_names_the_server_that_lost_the_model(
    hass: HomeAssistant, more_emulators: StartEmulators
) -> None:
    """The model gone from one of two servers: one issue, naming that server."""
    first, second = await more_emulators(2)
    entry = await set_up(hass, [first, second])
    issue_id = f"vision_model_missing_{entry.entry_id}"
    second.remove_model("moondream:latest")
    await entry.runtime_data.coordinator.async_refresh()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["host"] == f"127.0.0.1:{second.port}"

    second.add_model("moondream:latest", ("completion", "vision"))
    await entry.runtime_data.coordinator.async_refresh()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
