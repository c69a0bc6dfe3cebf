"""The AI Task entity: ai_task.generate_data through the setup's queue and models."""

import asyncio
from collections.abc import Awaitable, Callable
import gc
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_capture_events,
    mock_integration,
    mock_platform,
)

from custom_components.ollama_vision.const import (
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.pipeline.job import AnalysisError
from custom_components.ollama_vision.settings import (
    CONCURRENCY,
    QUEUE_SIZE,
    VISION_TIMEOUT,
)
from homeassistant.components.ai_task import AITaskEntityFeature
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from tests.clips_factory import make_clip
from tests.conftest import analyze, errors_logged, state_of
from tests.image_server import make_jpeg, make_png
from tests.ollama_emulator import FaultKind, OllamaEmulator
from tests.picture_entities import StillCamera, platform
from tests.waiting import wait_for

ENTITY_ID = "ai_task.front_door"
CAMERA = "media-source://camera/camera.porch"
PARCEL = {
    "parcel": {
        "description": "Is there a parcel at the door?",
        "required": True,
        "selector": {"boolean": {}},
    },
    "count": {"selector": {"number": {}}},
}


@pytest.fixture(autouse=True)
async def pictures(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A camera with a large snapshot, and a media folder with a picture and notes."""
    media = tmp_path / "media"
    media.mkdir()
    (media / "yard.png").write_bytes(make_png(300, 200, colour=(20, 20, 220)))
    (media / "notes.txt").write_text("not a picture")
    (media / "door.mp4").write_bytes(
        make_clip([((230, 20, 20), 2), ((20, 20, 230), 2)])
    )
    hass.config.media_dirs = {"local": str(media)}
    mock_integration(hass, MockModule("test"))
    snapshot = make_jpeg(1600, 1200, colour=(20, 160, 20))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(
            async_setup_platform=platform(lambda _: [StillCamera("Porch", snapshot)])
        ),
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    await hass.async_block_till_done()
    return media


async def generate(hass: HomeAssistant, **data: Any) -> Any:
    """Call ai_task.generate_data as an automation would; return its data."""
    data.setdefault("task_name", "Parcel check")
    data.setdefault("entity_id", ENTITY_ID)
    result = await hass.services.async_call(
        "ai_task", "generate_data", data, blocking=True, return_response=True
    )
    assert result is not None
    return result["data"]


async def test_entity_per_setup(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """One entity, named after the setup, on its device; its state is its last task."""
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes["supported_features"] == (
        AITaskEntityFeature.GENERATE_DATA | AITaskEntityFeature.SUPPORT_ATTACHMENTS
    )
    entity = er.async_get(hass).async_get(ENTITY_ID)
    assert entity is not None
    assert entity.unique_id == f"{setup_entry.entry_id}_ai_task"
    assert entity.device_id is not None
    device = dr.async_get(hass).async_get(entity.device_id)
    assert device is not None
    assert device.identifiers == {(DOMAIN, setup_entry.entry_id)}

    await generate(hass, instructions="Say hello")
    assert state_of(hass, ENTITY_ID).state not in (STATE_UNKNOWN, "unavailable")


async def test_camera_attachment_with_structure(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """The snapshot is prepared like an analysis image and answered in the structure;
    no image event and no image sensor."""
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    failures = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    data = await generate(
        hass,
        instructions="Is there a parcel at the door?",
        structure=PARCEL,
        attachments=[{"media_content_id": CAMERA, "media_content_type": "image/jpeg"}],
    )
    assert data == {"parcel": True, "count": 1.0}
    (request,) = ollama_emulator.generate_requests()
    assert request.model == "moondream:latest"
    # Scaled to the setup's largest side (1280), as analyze_image does.
    assert request.images == [(1280, 960)]
    assert request.body["format"]["required"] == ["parcel"]
    assert request.prompt is not None
    assert request.prompt.startswith("Is there a parcel at the door?\n\n")
    await hass.async_block_till_done()
    assert events == []
    assert failures == []
    assert not [
        e.entity_id
        for e in er.async_entries_for_config_entry(
            er.async_get(hass), setup_entry.entry_id
        )
        if "parcel" in e.entity_id
    ]


def snapshots(hass: HomeAssistant) -> list[Path]:
    """The timeline's snapshot files (blocking, but a test's folder is small)."""
    return list(Path(hass.config.media_dirs["local"]).rglob("*.jpg"))


async def test_tasks_stay_off_the_timeline(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """A task's answer goes to its caller only, with or without a picture; the
    timeline keeps what analyses saw."""
    await generate(hass, instructions="Say hello")
    await generate(
        hass,
        instructions="Is there a parcel at the door?",
        attachments=[{"media_content_id": CAMERA, "media_content_type": "image/jpeg"}],
    )
    await hass.async_block_till_done()
    calendar = hass.states.get("calendar.front_door_timeline")
    assert calendar is not None
    assert "message" not in calendar.attributes
    assert snapshots(hass) == []

    await analyze(hass, response=True, image_url=door_jpeg, image_name="door")
    calendar = hass.states.get("calendar.front_door_timeline")
    assert calendar is not None
    assert calendar.attributes["message"].startswith("door: ")
    assert len(snapshots(hass)) == 1


async def test_media_folder_attachment_without_structure(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """Without a structure the answer is the model's text."""
    data = await generate(
        hass,
        instructions="What is this?",
        attachments=[
            {
                "media_content_id": "media-source://media_source/local/yard.png",
                "media_content_type": "image/png",
            }
        ],
    )
    assert data == "Image 1 is 300x200 pixels, mostly blue."
    (request,) = ollama_emulator.generate_requests()
    assert "format" not in request.body


async def test_video_attachment_sends_its_key_frames(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """A clip from the media folder: its key frames go to the vision model."""
    data = await generate(
        hass,
        instructions="What happened?",
        attachments=[
            {
                "media_content_id": "media-source://media_source/local/door.mp4",
                "media_content_type": "video/mp4",
            }
        ],
    )
    # Three frames (the default): the first, the blue scene, one more in between.
    assert data == (
        "Image 1 is 320x180 pixels, mostly red. Image 2 is 320x180 pixels, mostly red."
        " Image 3 is 320x180 pixels, mostly blue."
    )
    (request,) = ollama_emulator.generate_requests()
    assert request.prompt == "What happened?"


async def test_without_attachments_the_text_model_answers(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """Words alone go to the setup's text model."""
    data = await generate(hass, instructions="Write a haiku about parcels")
    assert data == 'A short answer to "Write a haiku about parcels".'
    assert [r.model for r in ollama_emulator.generate_requests()] == ["llama3.1:latest"]
    data = await generate(hass, instructions="Any parcel?", structure=PARCEL)
    assert data == {"parcel": False, "count": 0.0}


async def test_without_a_text_model_the_vision_model_answers(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    ollama_emulator: OllamaEmulator,
) -> None:
    """A setup without a text model asks its vision model, with no picture."""
    await load_entry(text=False)
    data = await generate(hass, instructions="Hello")
    assert data == 'A short answer to "Hello".'
    (request,) = ollama_emulator.generate_requests()
    assert request.model == "moondream:latest"
    assert request.images == []


async def test_non_image_attachment_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """A text file is refused with a translated error; nothing reaches Ollama."""
    notes = "media-source://media_source/local/notes.txt"
    with pytest.raises(ServiceValidationError) as err:
        await generate(
            hass,
            instructions="Read this",
            attachments=[
                {"media_content_id": notes, "media_content_type": "text/plain"}
            ],
        )
    assert err.value.translation_key == "attachment_not_an_image"
    assert str(err.value).startswith(
        f"{notes} is neither an image nor a video (text/plain)"
    )
    assert ollama_emulator.generate_requests() == []
    assert setup_entry.runtime_data.queue.waiting == 0


@pytest.mark.parametrize(
    ("fault", "times", "code"),
    [
        ("missing_required", 2, "invalid_structured_answer"),
        ("http_500", 1, "vision_model_failed"),
        ("stall", 1, "timeout"),
    ],
)
async def test_failures_have_the_usual_codes(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    ollama_emulator: OllamaEmulator,
    fault: FaultKind,
    times: int,
    code: str,
) -> None:
    """Same time limits and error codes as analyses; no failure event."""
    entry = make_entry(**{VISION_TIMEOUT.key: 0.3})
    assert await hass.config_entries.async_setup(entry.entry_id)
    failures = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    ollama_emulator.inject(fault, times=times)
    with pytest.raises(HomeAssistantError) as err:
        await generate(
            hass,
            instructions="Parcel?",
            structure=PARCEL,
            attachments=[
                {"media_content_id": CAMERA, "media_content_type": "image/jpeg"}
            ],
        )
    assert isinstance(err.value, AnalysisError)
    assert err.value.code == code
    await hass.async_block_till_done()
    assert failures == []


async def test_busy_server_is_tried_again(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """The analyses' retries apply to tasks: a busy server is asked again."""
    ollama_emulator.inject("busy_503", times=2)
    assert await generate(hass, instructions="Hi") == 'A short answer to "Hi".'
    assert [r.status for r in ollama_emulator.generate_requests()] == [503, 503, 200]


async def test_tasks_share_the_queue_and_are_never_merged(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    ollama_emulator: OllamaEmulator,
    door_jpeg: str,
) -> None:
    """Tasks wait behind the running job, count against the queue size, and two
    tasks with one name (or a task and an image of that name) stay two jobs."""
    entry = make_entry(**{QUEUE_SIZE.key: 3, CONCURRENCY.key: 1})
    assert await hass.config_entries.async_setup(entry.entry_id)
    queue = entry.runtime_data.queue
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    ollama_emulator.inject("stall", seconds=0.5)

    running = hass.async_create_task(generate(hass, instructions="first"))
    await wait_for(lambda: queue.running == 1)
    second = hass.async_create_task(
        generate(hass, task_name="porch", instructions="second")
    )
    third = hass.async_create_task(
        generate(hass, task_name="porch", instructions="third")
    )
    await wait_for(lambda: queue.waiting == 2)
    await analyze(hass, image_url=door_jpeg, image_name="porch")
    assert queue.waiting == 3
    with pytest.raises(HomeAssistantError) as err:
        await generate(hass, instructions="one too many")
    assert err.value.translation_key == "queue_full"

    assert await running == 'A short answer to "first".'
    assert await second == 'A short answer to "second".'
    assert await third == 'A short answer to "third".'
    await wait_for(lambda: len(analyzed) == 1)
    assert analyzed[0].data["image_name"] == "porch"
    prompts = [r.prompt for r in ollama_emulator.generate_requests()]
    assert prompts[:3] == ["first", "second", "third"]
    assert len(prompts) == 4


async def test_cancelled_task_whose_job_fails_logs_no_error(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A task given up on while its job runs: the job's failure leaves no traceback."""
    ollama_emulator.first_token_delay = 0.2
    ollama_emulator.inject("error_mid_stream", after_chunks=0)
    before = len(ollama_emulator.requests)
    task = hass.async_create_task(generate(hass, instructions="Any parcel?"))
    await ollama_emulator.wait_for_requests(before + 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    queue = setup_entry.runtime_data.queue
    await wait_for(lambda: queue.running == 0)
    await hass.async_block_till_done()
    # asyncio logs "exception was never retrieved" when the future is collected.
    gc.collect()
    assert errors_logged(caplog) == []
    assert "(text_model_failed)" in caplog.text
