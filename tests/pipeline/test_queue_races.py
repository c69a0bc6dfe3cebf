"""Races around the queue: callers that give up, and one image name asked for twice."""

import asyncio
from collections.abc import Awaitable, Callable
import gc

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import (
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.settings import CONCURRENCY
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from tests.conftest import analyze, errors_logged, state_of
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.waiting import wait_for


async def test_cancelled_caller_of_a_failing_job_logs_no_error(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A caller that gives up (automation restarted) leaves no traceback behind.

    The job still ends with its one failure event, and a caller of the same job
    that kept waiting gets the error.
    """
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    ollama_emulator.first_token_delay = 0.3
    ollama_emulator.inject("error_mid_stream", after_chunks=0)
    data = {"image_url": door_jpeg, "image_name": "porch"}
    impatient = hass.async_create_task(analyze(hass, response=True, **data))
    await ollama_emulator.wait_for_requests(len(ollama_emulator.requests) + 1)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient

    await wait_for(lambda: len(failed) == 1)
    await hass.async_block_till_done()
    # asyncio logs "exception was never retrieved" when the future is collected.
    gc.collect()
    assert failed[0].data["error"] == "vision_model_failed"
    assert errors_logged(caplog) == []


async def test_cancelled_caller_does_not_cancel_a_shared_job(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two callers of one waiting job: one gives up, the other gets the failure."""
    image_server.add_stall("/slow.jpg", seconds=0.3)
    image_server.add("/bad.jpg", b"not a picture")
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    # Occupy the only worker, so the next two calls share one waiting job.
    first = hass.async_create_task(
        analyze(
            hass, response=True, image_url=image_server.url("/slow.jpg"), image_name="a"
        )
    )
    await image_server.wait_for_requests(1)
    data = {"image_url": image_server.url("/bad.jpg"), "image_name": "b"}
    impatient = hass.async_create_task(analyze(hass, response=True, **data))
    patient = hass.async_create_task(analyze(hass, response=True, **data))
    await asyncio.sleep(0)
    impatient.cancel()

    with pytest.raises(HomeAssistantError, match="not a usable image"):
        await patient
    with pytest.raises(HomeAssistantError):
        await first
    await hass.async_block_till_done()
    assert [e.data["image_name"] for e in failed] == ["a", "b"]
    assert errors_logged(caplog) == []


async def test_same_name_never_runs_twice_at_once(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
) -> None:
    """With two analyses at a time, a slow older picture cannot overwrite a newer one.

    The newer job for the name waits for the older to end; another name goes
    ahead meanwhile.
    """
    await load_entry(**{CONCURRENCY.key: 2})
    ollama_emulator.parallel = 2
    image_server.add("/red.jpg", make_jpeg(64, 48, colour=(200, 30, 30)))
    image_server.add("/blue.jpg", make_jpeg(64, 48, colour=(30, 30, 200)))
    image_server.add("/green.jpg", make_jpeg(64, 48, colour=(30, 180, 30)))
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    ollama_emulator.inject("stall", seconds=0.4)
    before = len(ollama_emulator.requests)

    await analyze(hass, image_url=image_server.url("/red.jpg"), image_name="door")
    await ollama_emulator.wait_for_requests(before + 1)
    await analyze(hass, image_url=image_server.url("/blue.jpg"), image_name="door")
    await analyze(hass, image_url=image_server.url("/green.jpg"), image_name="garage")
    await wait_for(lambda: len(analyzed) == 3)
    await hass.async_block_till_done()

    described = [(e.data["image_name"], e.data["description"]) for e in analyzed]
    assert described == [
        ("garage", "Image 1 is 64x48 pixels, mostly green."),
        ("door", "Image 1 is 64x48 pixels, mostly red."),
        ("door", "Image 1 is 64x48 pixels, mostly blue."),
    ]
    state = state_of(hass, "sensor.front_door_door")
    assert state.state == "Image 1 is 64x48 pixels, mostly blue."


async def test_restarted_script_leaves_no_traceback(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A script in restart mode, run again while it waits for a job that then fails."""
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "look": {
                    "mode": "restart",
                    "sequence": [
                        {
                            "action": "ollama_vision.analyze_image",
                            "data": {"image_url": door_jpeg, "image_name": "porch"},
                            "response_variable": "seen",
                        }
                    ],
                }
            }
        },
    )
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    ollama_emulator.first_token_delay = 0.2
    ollama_emulator.inject("error_mid_stream", after_chunks=0)
    before = len(ollama_emulator.requests)

    await hass.services.async_call("script", "look", blocking=False)
    await ollama_emulator.wait_for_requests(before + 1)
    # The restart cancels the first run, which is waiting for the failing job.
    await hass.services.async_call("script", "look", blocking=False)
    await wait_for(lambda: len(failed) + len(analyzed) == 2)
    await hass.async_block_till_done()

    assert failed[0].data["error"] == "vision_model_failed"
    assert analyzed[0].data["image_name"] == "porch"
    assert errors_logged(caplog) == []
