"""The analyze_image action end to end: queue, models, sensors, events, answers."""

import asyncio
from collections.abc import Callable
import logging
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import (
    CONF_VISION_API_KEY,
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.settings import (
    CONCURRENCY,
    QUEUE_SIZE,
    VISION_TIMEOUT,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from tests.conftest import analyze, state_of
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import FaultKind, OllamaEmulator
from tests.waiting import wait_for

ORIGINAL_EVENT_FIELDS = {
    "integration_id",
    "image_name",
    "image_url",
    "prompt",
    "description",
    "used_text_model",
    "text_prompt",
    "final_description",
}
RED_640 = "Image 1 is 640x480 pixels, mostly red."


async def wait_for_events(hass: HomeAssistant, events: list[Any], count: int) -> None:
    """Wait until `count` events arrived (the queue works in the background)."""
    await wait_for(lambda: len(events) >= count, 10)
    await hass.async_block_till_done()


async def test_queued_call_updates_sensor_and_fires_event(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """Without a response variable the call returns at once; the event follows."""
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    assert await analyze(hass, image_url=door_jpeg, image_name="person_outside") is None
    await wait_for_events(hass, events, 1)

    data = events[0].data
    assert set(data) >= ORIGINAL_EVENT_FIELDS
    assert data["integration_id"] == setup_entry.entry_id
    assert data["image_name"] == "person_outside"
    assert data["image_url"] == door_jpeg
    assert data["description"] == RED_640
    assert data["final_description"] == RED_640
    assert data["used_text_model"] is False
    assert data["text_prompt"] is None
    assert data["entity_id"] == "sensor.front_door_person_outside"
    assert data["vision_model"] == "moondream:latest"
    assert data["timings"]["vision"] is not None

    state = hass.states.get("sensor.front_door_person_outside")
    assert state is not None
    assert state.state == RED_640
    assert state.attributes["full_description"] == RED_640
    assert state.attributes["integration_id"] == setup_entry.entry_id
    assert state.attributes["image_url"] == door_jpeg
    assert state.attributes["used_text_model"] is False


async def test_response_with_text_model(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """With a response variable the caller gets the result; braces stay as typed."""
    text_prompt = "Introduce {guest} and {0}: <d>{description}</d>"
    result = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="porch",
        prompt="What is there?",
        use_text_model=True,
        text_prompt=text_prompt,
    )
    expected_prompt = f"Introduce {{guest}} and {{0}}: <d>{RED_640}</d>"
    assert result["description"] == RED_640
    assert result["final_description"] == f"Ding dong, a visitor: {RED_640}"
    text_request = ollama_emulator.generate_requests()[-1]
    assert (text_request.model, text_request.prompt) == (
        "llama3.1:latest",
        expected_prompt,
    )
    assert result["used_text_model"] is True
    assert result["text_prompt"] == text_prompt
    assert result["entity_id"] == "sensor.front_door_porch"
    assert result["text_model"] == "llama3.1:latest"
    assert set(result["timings"]) >= {"image_fetch", "vision", "text", "total"}

    generate = ollama_emulator.generate_requests()
    assert [r.model for r in generate] == ["moondream:latest", "llama3.1:latest"]
    assert generate[0].prompt == "What is there?"
    assert generate[0].images == [(640, 480)]
    assert generate[0].keep_alive == -1
    assert generate[1].prompt == expected_prompt
    assert generate[1].images == []

    state = state_of(hass, "sensor.front_door_porch")
    assert state.state == result["final_description"]
    assert state.attributes["text_prompt"] == text_prompt


async def test_long_description_cut_at_word(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """The state holds at most 255 characters, cut between words; attributes keep all."""
    # The text model introduces each sentence it is given: eight make a long answer.
    text_prompt = "Introduce: " + "{description} " * 8
    result = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="long",
        use_text_model=True,
        text_prompt=text_prompt,
    )
    state = state_of(hass, "sensor.front_door_long")
    full = result["final_description"]
    assert len(full) > 255
    assert len(state.state) <= 255
    cut = state.state.removesuffix("…")
    assert cut != state.state
    assert full.startswith(cut)
    assert full[len(cut)] in " ."  # between two words
    assert state.attributes["final_description"] == full


async def test_text_model_not_configured(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry], door_jpeg: str
) -> None:
    """use_text_model on a setup without one is refused before queueing."""
    entry = make_entry("Porch", text=False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await analyze(hass, image_url=door_jpeg, image_name="x", use_text_model=True)
    assert err.value.translation_key == "text_model_not_configured"
    assert "Porch has no text model" in str(err.value)


async def test_no_image_given(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """At least one image source is required."""
    with pytest.raises(ServiceValidationError) as err:
        await analyze(hass, image_name="x")
    assert err.value.translation_key == "no_image"


async def test_choosing_the_setup(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """By device_id, by config_entry_id, or the first setup with a warning."""
    first = make_entry("Front door")
    second = make_entry("Garden", text=False)
    # Setting up the integration loads all its entries.
    assert await hass.config_entries.async_setup(first.entry_id)
    await hass.async_block_till_done()
    assert second.state is ConfigEntryState.LOADED

    garden = device_registry.async_get_device_by_identifier(
        (DOMAIN, second.entry_id), second.entry_id
    )
    assert garden is not None
    assert garden.name == "Garden"
    result = await analyze(
        hass, response=True, image_url=door_jpeg, image_name="cat", device_id=garden.id
    )
    assert result["integration_id"] == second.entry_id
    assert result["setup"] == "Garden"
    assert result["entity_id"] == "sensor.garden_cat"

    result = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="cat",
        config_entry_id=first.entry_id,
    )
    assert result["entity_id"] == "sensor.front_door_cat"

    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="dog")
    assert result["integration_id"] == first.entry_id
    assert result["config_entry_id"] == first.entry_id
    assert result["setup"] == "Front door"
    assert "the first, Front door, answers" in caplog.text

    with pytest.raises(ServiceValidationError) as err:
        await analyze(hass, image_url=door_jpeg, image_name="x", device_id="nope")
    assert err.value.translation_key == "device_not_found"

    front_door = device_registry.async_get_device_by_identifier(
        (DOMAIN, first.entry_id), first.entry_id
    )
    assert front_door is not None
    await hass.config_entries.async_unload(first.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await analyze(
            hass, image_url=door_jpeg, image_name="x", device_id=front_door.id
        )
    assert err.value.translation_key == "device_not_loaded"

    await hass.config_entries.async_unload(second.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await analyze(hass, image_url=door_jpeg, image_name="x")
    assert err.value.translation_key == "no_setup_loaded"


@pytest.mark.parametrize(
    ("fault", "times", "error", "stage", "message"),
    [
        (
            "http_500",
            1,
            "vision_model_failed",
            "vision_model",
            "model runner has unexpectedly stopped",
        ),
        (
            "error_mid_stream",
            1,
            "vision_model_failed",
            "vision_model",
            "The vision model failed",
        ),
        (
            "drop_mid_stream",
            4,
            "vision_model_failed",
            "vision_model",
            "The vision model failed",
        ),
        ("busy_503", 4, "vision_model_failed", "vision_model", "server busy"),
    ],
)
async def test_vision_model_failures(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    fault: FaultKind,
    times: int,
    error: str,
    stage: str,
    message: str,
) -> None:
    """Every failure ends with one failure event and a translated error for callers."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    ollama_emulator.inject(fault, times=times)
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert message in str(err.value)
    await hass.async_block_till_done()
    assert len(failed) == 1
    assert not analyzed
    data = failed[0].data
    assert data["error"] == error
    assert data["stage"] == stage
    assert data["image_name"] == "porch"
    assert data["image_url"] == door_jpeg
    assert data["integration_id"] == setup_entry.entry_id
    assert message in data["message"]
    # No sensor for a failed first analysis.
    assert hass.states.get("sensor.front_door_porch") is None


@pytest.mark.parametrize("fault", ["busy_503", "drop_mid_stream"])
async def test_retried_then_success(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    fault: FaultKind,
) -> None:
    """A busy server or a dropped connection is tried again, and the job succeeds."""
    ollama_emulator.inject(fault, times=2)
    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert result["description"] == RED_640
    assert len(ollama_emulator.generate_requests()) == 3


async def test_text_model_failure(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A failing text model names the text model."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    ollama_emulator.inject("http_500", model="llama3.1")
    with pytest.raises(HomeAssistantError, match="The text model failed"):
        await analyze(
            hass,
            response=True,
            image_url=door_jpeg,
            image_name="porch",
            use_text_model=True,
        )
    await hass.async_block_till_done()
    assert failed[0].data["error"] == "text_model_failed"
    assert failed[0].data["stage"] == "text_model"


async def test_unknown_model(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A model removed from the server fails with the server's words."""
    ollama_emulator.remove_model("moondream")
    with pytest.raises(HomeAssistantError, match="model 'moondream:latest' not found"):
        await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")


async def test_server_down_during_job(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused connection is tried once more, then fails naming the server."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    await ollama_emulator.stop()
    caplog.set_level(logging.DEBUG, "custom_components.ollama_vision")
    address = ollama_emulator.url.removeprefix("http://")
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert str(err.value) == f"Cannot reach the Ollama server at {address}"
    await hass.async_block_till_done()
    assert failed[0].data["error"] == "cannot_connect"
    assert failed[0].data["stage"] == "vision_model"
    retries = [r for r in caplog.records if "trying again" in r.getMessage()]
    assert len(retries) == 1
    # Only the integration's own records: a busy machine adds asyncio's.
    [warning] = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING
        and r.name.startswith("custom_components.ollama_vision")
    ]
    assert warning.getMessage() == (
        "Analysis of porch failed at stage vision_model (cannot_connect): "
        f"Cannot reach the Ollama server at {address}"
    )


async def test_stall_past_timeout(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A model that never answers ends as a timeout of the vision stage."""
    entry = make_entry(**{VISION_TIMEOUT.key: 0.3})
    assert await hass.config_entries.async_setup(entry.entry_id)
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    ollama_emulator.inject("stall")
    with pytest.raises(
        HomeAssistantError, match="The vision model took longer than its limit"
    ):
        await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    await hass.async_block_till_done()
    assert failed[0].data["error"] == "timeout"
    assert failed[0].data["stage"] == "vision_model"
    # The next job works.
    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert result["description"] == RED_640


async def test_image_404(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
) -> None:
    """An image that is not there fails the fetch; nothing goes to Ollama."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError, match="404"):
        await analyze(
            hass,
            response=True,
            image_url=image_server.url("/gone.jpg"),
            image_name="porch",
        )
    await hass.async_block_till_done()
    assert failed[0].data["error"] == "image_fetch_failed"
    assert failed[0].data["stage"] == "image_fetch"
    assert ollama_emulator.generate_requests() == []


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_queue_full_and_coalescing(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A full queue refuses new names but still takes a newer image of a waiting one."""
    entry = make_entry(**{QUEUE_SIZE.key: 2, CONCURRENCY.key: 1})
    assert await hass.config_entries.async_setup(entry.entry_id)
    for size in (100, 200, 300, 400):
        image_server.add(f"/{size}.jpg", make_jpeg(size, size, colour=(20, 20, 220)))
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    ollama_emulator.inject("stall", seconds=0.5)

    first = hass.async_create_task(
        analyze(
            hass,
            response=True,
            image_url=image_server.url("/100.jpg"),
            image_name="busy",
        )
    )
    await wait_for(lambda: entry.runtime_data.queue.running > 0)
    older = hass.async_create_task(
        analyze(
            hass,
            response=True,
            image_url=image_server.url("/200.jpg"),
            image_name="porch",
        )
    )
    await analyze(hass, image_url=image_server.url("/300.jpg"), image_name="garden")
    assert entry.runtime_data.queue.waiting == 2
    assert state_of(hass, "sensor.front_door_jobs_waiting").state == "2"

    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, image_url=image_server.url("/300.jpg"), image_name="gate")
    assert err.value.translation_key == "queue_full"
    assert "full" in str(err.value)

    # Same name as a waiting job: it replaces that job's image, even when full.
    newer = await analyze(
        hass, response=True, image_url=image_server.url("/400.jpg"), image_name="porch"
    )
    assert newer["description"] == "Image 1 is 400x400 pixels, mostly blue."
    assert (await older)["description"] == newer["description"]
    assert (await first)["image_name"] == "busy"
    await wait_for_events(hass, analyzed, 3)
    assert sorted(e.data["image_name"] for e in analyzed) == ["busy", "garden", "porch"]
    sizes = [r.images for r in ollama_emulator.generate_requests()]
    assert [(200, 200)] not in sizes
    assert state_of(hass, "sensor.front_door_jobs_waiting").state == "0"


async def test_unload_mid_job(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """Unloading stops at once: running and waiting jobs end as `unloaded`."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    ollama_emulator.inject("stall")
    running = hass.async_create_task(
        analyze(hass, response=True, image_url=door_jpeg, image_name="one")
    )
    queue = setup_entry.runtime_data.queue
    await wait_for(lambda: queue.running > 0)
    await analyze(hass, image_url=door_jpeg, image_name="two")
    assert [t for t in asyncio.all_tasks() if DOMAIN in t.get_name()]

    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert setup_entry.state is ConfigEntryState.NOT_LOADED
    with pytest.raises(HomeAssistantError, match="unloaded"):
        await running
    assert sorted((e.data["image_name"], e.data["error"]) for e in failed) == [
        ("one", "unloaded"),
        ("two", "unloaded"),
    ]
    # No worker is left behind.
    assert not [t for t in asyncio.all_tasks() if DOMAIN in t.get_name()]
    with pytest.raises(ServiceValidationError):
        await analyze(hass, image_url=door_jpeg, image_name="three")


async def test_config_folder_file_reported_as_local(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    tmp_path: Path,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A www/ file is read from disk and reported as local/..., as the original did."""
    snapshots = tmp_path / "www" / "snapshots"
    snapshots.mkdir(parents=True)
    (snapshots / "door.jpg").write_bytes(make_jpeg(320, 240, colour=(250, 250, 250)))
    hass.config.config_dir = str(tmp_path)
    hass.config.allowlist_external_dirs = {str(tmp_path / "www")}

    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    result = await analyze(
        hass, response=True, image_url="www/snapshots/door.jpg", image_name="door"
    )
    assert result["description"] == "Image 1 is 320x240 pixels, mostly white."
    assert result["image_url"] == "local/snapshots/door.jpg"
    assert result["image_sources"] == ["www/snapshots/door.jpg"]
    await hass.async_block_till_done()
    assert events[0].data["image_url"] == "local/snapshots/door.jpg"
    state = state_of(hass, "sensor.front_door_door")
    assert state.attributes["image_url"] == "local/snapshots/door.jpg"


async def test_www_file_in_every_spelling(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    tmp_path: Path,
    ollama_emulator: OllamaEmulator,
) -> None:
    """/local/x (as Home Assistant serves www) and local/x (as results report it)
    read www/x: the image_url a result gives works as the next call's."""
    demo = tmp_path / "www" / "ollama_vision_demo"
    demo.mkdir(parents=True)
    (demo / "parcel.jpg").write_bytes(make_jpeg(320, 240, colour=(250, 250, 250)))
    hass.config.config_dir = str(tmp_path)
    hass.config.allowlist_external_dirs = {str(tmp_path / "www")}

    first = await analyze(
        hass,
        response=True,
        image_url="www/ollama_vision_demo/parcel.jpg",
        image_name="parcel",
    )
    assert first["image_url"] == "local/ollama_vision_demo/parcel.jpg"
    for spelling in (first["image_url"], "/local/ollama_vision_demo/parcel.jpg"):
        result = await analyze(
            hass, response=True, image_url=spelling, image_name="parcel"
        )
        assert result["description"] == "Image 1 is 320x240 pixels, mostly white."
        assert result["image_sources"] == [spelling]
    assert len(ollama_emulator.generate_requests()) == 3

    with pytest.raises(ServiceValidationError) as err:
        await analyze(
            hass, image_url="local/ollama_vision_demo/gone.jpg", image_name="x"
        )
    assert str(err.value) == (
        "Image file local/ollama_vision_demo/gone.jpg does not exist"
    )


async def test_several_images_in_one_call(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
) -> None:
    """Several sources go to the model in one request, in the order given."""
    image_server.add("/a.jpg", make_jpeg(100, 50, colour=(200, 0, 0)))
    image_server.add("/b.jpg", make_jpeg(60, 90, colour=(0, 0, 200)))
    result = await analyze(
        hass,
        response=True,
        image_url=[image_server.url("/b.jpg"), image_server.url("/a.jpg")],
        image_name="pair",
    )
    assert result["description"] == (
        "Image 1 is 60x90 pixels, mostly blue. Image 2 is 100x50 pixels, mostly red."
    )
    assert ollama_emulator.generate_requests()[0].images == [(60, 90), (100, 50)]


async def test_password_in_url_never_shown(
    hass: HomeAssistant, setup_entry: MockConfigEntry, image_server: ImageServer
) -> None:
    """A camera URL with credentials works, but the password stays out of results."""
    image_server.add("/cam.jpg", make_jpeg(64, 64, colour=(0, 180, 0)))
    url = image_server.url("/cam.jpg").replace("http://", "http://admin:hunter2@")
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    result = await analyze(hass, response=True, image_url=url, image_name="cam")
    assert result["description"] == "Image 1 is 64x64 pixels, mostly green."
    assert "hunter2" not in str(result)
    assert "admin:***@" in result["image_url"]
    assert "hunter2" not in str(state_of(hass, "sensor.front_door_cam").attributes)

    bad = url.replace("/cam.jpg", "/missing.jpg")
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=bad, image_name="cam")
    await hass.async_block_till_done()
    assert "hunter2" not in str(err.value)
    assert "hunter2" not in str(failed[0].data)


async def test_api_key_shared_by_models_on_one_server(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """Without a text key, the text model on the vision server uses the vision key."""
    entry = make_entry()
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_VISION_API_KEY: "proxy-token"}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await analyze(
        hass, response=True, image_url=door_jpeg, image_name="door", use_text_model=True
    )
    assert [
        r.headers.get("Authorization") for r in ollama_emulator.generate_requests()
    ] == ["Bearer proxy-token", "Bearer proxy-token"]
