"""Watching until something happens: analyze_image with `until`, stop_watch, unloading.

A garage camera shows red (the door open) or green (closed); the emulator
answers the yes/no question by the colour (its `true_when_colour`). Where time
matters it is frozen (`freezer`) and moved by the test: each look waits for
Home Assistant's timer, which only the test's `async_fire_time_changed` sets off.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
    mock_integration,
    mock_platform,
)

from custom_components.ollama_vision.const import (
    DOMAIN,
    EVENT_CONDITION_MET,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.pipeline.watches import ConditionWatch, Watches
from custom_components.ollama_vision.settings import CONCURRENCY, QUEUE_SIZE
from custom_components.ollama_vision.sources import watch as camera_watch
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import analyze, json_object, state_of
from tests.image_server import make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.picture_entities import StillCamera, platform
from tests.test_readme_examples import readme_automation
from tests.waiting import wait_for

OPEN = make_jpeg(480, 270, colour=(220, 30, 30))  # red
CLOSED = make_jpeg(480, 270, colour=(20, 200, 20))  # green
QUESTION = "Is the garage door closed?"
SENSOR = "sensor.front_door_garage"
# Loop turns a wait may take: with time frozen no sleep ends, so waiting for
# real I/O (the emulator over HTTP, the executor) means letting the loop turn.
_TURNS = 2_000_000


async def settle(predicate: Callable[[], bool]) -> None:
    """Let Home Assistant run until the predicate holds."""
    for _ in range(_TURNS):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("the awaited moment never came")


@pytest.fixture
def garage(hass: HomeAssistant) -> StillCamera:
    """camera.garage, showing the door open."""
    return StillCamera("Garage", OPEN)


@pytest.fixture
async def garage_camera(
    hass: HomeAssistant, garage: StillCamera, ollama_emulator: OllamaEmulator
) -> None:
    """The garage camera, and a model that says yes to green."""
    mock_integration(hass, MockModule("test"))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(async_setup_platform=platform(lambda _: [garage])),
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    await hass.async_block_till_done()
    ollama_emulator.true_when_colour = "green"


@pytest.fixture
async def entry(garage_camera: None, setup_entry: MockConfigEntry) -> MockConfigEntry:
    """The setup, and the garage camera."""
    return setup_entry


def watches(entry: MockConfigEntry) -> Watches:
    """The setup's watches."""
    running: Watches = entry.runtime_data.watches
    return running


def watch_of(entry: MockConfigEntry, image_name: str = "garage") -> ConditionWatch:
    watch = watches(entry).get(image_name)
    assert watch is not None, f"no watch of {image_name}"
    return watch


async def between_looks(
    entry: MockConfigEntry, image_name: str = "garage", *, looks: int = 1
) -> float:
    """Wait until the watch had `looks` looks and waits for the next one;
    return the seconds until it."""
    await settle(
        lambda: (
            (watch := watches(entry).get(image_name)) is not None
            and watch.checks >= looks
            and watch.next_check is not None
        )
    )
    next_check = watch_of(entry, image_name).next_check
    assert next_check is not None
    return (next_check - dt_util.utcnow()).total_seconds()


def next_look(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, seconds: float
) -> None:
    """Move time on by `seconds`: the timer of the next look goes off."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)


async def stop_watch(hass: HomeAssistant, image_name: str = "garage") -> None:
    await hass.services.async_call(
        DOMAIN, "stop_watch", {"image_name": image_name}, blocking=True
    )


def watch_call(hass: HomeAssistant, **data: Any) -> asyncio.Task[Any]:
    """analyze_image with a response variable, as a task: a watch takes a while."""
    call = {"image_entity": "camera.garage", "image_name": "garage", "until": QUESTION}
    return hass.async_create_task(analyze(hass, response=True, **(call | data)))


async def test_watch_until_the_answer_is_yes(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    garage: StillCamera,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Open at the first look, closed at the second: the condition event fires,
    the look that said yes is recorded like an analysis, and the caller gets
    after how long and how many looks. Looks that say no go nowhere else."""
    met = async_capture_events(hass, EVENT_CONDITION_MET)
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    call = watch_call(hass, interval=30, max_duration=600)

    assert await between_looks(entry) == 30
    # Between looks no worker is held, and nothing was reported.
    assert entry.runtime_data.queue.running == 0
    assert met == analyzed == []
    assert hass.states.get(SENSOR) is None

    garage.picture = CLOSED
    next_look(freezer, hass, 30)
    answer = json_object(await call)

    description = "Image 1 is 480x270 pixels, mostly green."
    assert answer["met"] is True
    assert answer["ended"] == "met"
    assert answer["question"] == QUESTION
    assert answer["after"] == 30.0
    assert answer["checks"] == 2
    assert answer["description"] == answer["final_description"] == description
    assert answer["entity_id"] == SENSOR
    assert answer["key_frame"] == {"time": None, "index": 0}
    assert answer["snapshot_url"].startswith("/media/local/ollama_vision/")
    assert "data" not in answer  # the yes/no structure is the watch's own
    await hass.async_block_till_done()
    [event] = met
    assert event.data == {
        "integration_id": entry.entry_id,
        "config_entry_id": entry.entry_id,
        "setup": "Front door",
        "image_name": "garage",
        "entity_id": SENSOR,
        "question": QUESTION,
        "after": 30.0,
        "checks": 2,
        "description": description,
        "key_frame": {"time": None, "index": 0},
        "snapshot": answer["snapshot"],
        "snapshot_url": answer["snapshot_url"],
    }
    [analysis] = analyzed
    assert analysis.data["description"] == description
    assert state_of(hass, SENSOR).state == description
    # Each look asked the question, in the structure, with the call's picture.
    looks = ollama_emulator.generate_requests()
    assert len(looks) == 2
    for look in looks:
        assert look.prompt is not None
        assert QUESTION in look.prompt
        assert look.images == [(480, 270)]
        assert look.body["format"]["required"] == ["met", "description"]
    assert watches(entry).get("garage") is None


async def test_watch_gives_up_at_the_limit(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every 60 s for 150 s: looks at 0, 60, 120 and, the last, at 150 s; then
    met: false, the last look's words, and no condition event."""
    met = async_capture_events(hass, EVENT_CONDITION_MET)
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    call = watch_call(hass, interval=60, max_duration=150)

    waits = []
    for looks in range(1, 4):
        waits.append(await between_looks(entry, looks=looks))
        next_look(freezer, hass, waits[-1])
    answer = json_object(await call)

    assert waits == [60, 60, 30]
    assert answer["met"] is False
    assert answer["ended"] == "limit"
    assert answer["after"] == 150.0
    assert answer["checks"] == 4
    assert answer["description"] == "Image 1 is 480x270 pixels, mostly red."
    assert answer["snapshot"] is None  # not recorded: it did not happen
    assert len(ollama_emulator.generate_requests()) == 4
    await hass.async_block_till_done()
    assert met == analyzed == []
    assert hass.states.get(SENSOR) is None


async def test_model_suggests_when_to_look_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without an interval the model says when to look again, as part of its
    answer (the emulator's numbers are the pictures it saw: one second)."""
    call = watch_call(hass)

    assert await between_looks(entry) == 1
    next_look(freezer, hass, 1)
    assert await between_looks(entry, looks=2) == 1
    [look, _] = ollama_emulator.generate_requests()
    assert look.body["format"]["required"] == ["met", "description", "next_check"]
    await stop_watch(hass)
    assert json_object(await call)["checks"] == 2


async def test_stop_watch_ends_it_early(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """stop_watch answers the waiting caller at once (met: false); stopping
    what no longer runs is no error, the answer says so."""
    met = async_capture_events(hass, EVENT_CONDITION_MET)
    call = watch_call(hass, interval=60)
    await between_looks(entry)

    stopped = await hass.services.async_call(
        DOMAIN,
        "stop_watch",
        {"image_name": "garage", "config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    answer = json_object(await call)

    assert stopped == {"stopped": True}
    assert answer["met"] is False
    assert answer["ended"] == "stopped"
    assert answer["checks"] == 1
    assert answer["after"] == 0.0
    assert watches(entry).get("garage") is None
    again = await hass.services.async_call(
        DOMAIN,
        "stop_watch",
        {"image_name": "garage"},
        blocking=True,
        return_response=True,
    )
    assert again == {"stopped": False}
    assert len(ollama_emulator.generate_requests()) == 1
    assert met == []


async def test_a_newer_watch_of_the_name_replaces_the_older(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    older = watch_call(hass, interval=60)
    await between_looks(entry)
    newer = watch_call(hass, interval=60, until="Is the garage empty?")

    answer = json_object(await older)

    assert answer["ended"] == "replaced"
    assert answer["question"] == QUESTION
    await between_looks(entry)
    await stop_watch(hass)
    assert json_object(await newer)["question"] == "Is the garage empty?"


async def test_unloading_answers_every_watch(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two watches, one with a caller waiting: unloading ends both, and the
    caller gets its answer."""
    waiting = watch_call(hass, interval=60)
    await analyze(
        hass,
        image_entity="camera.garage",
        image_name="side door",
        until="Is the side door closed?",
        interval=60,
    )
    await between_looks(entry)
    await between_looks(entry, "side door")

    assert await hass.config_entries.async_unload(entry.entry_id)
    answer = json_object(await waiting)

    assert entry.state is ConfigEntryState.NOT_LOADED
    assert answer["met"] is False
    assert answer["ended"] == "unloaded"
    assert answer["checks"] == 1
    await hass.async_block_till_done()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_each_look_watches_for_the_duration(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    garage: StillCamera,
    ollama_emulator: OllamaEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With duration, a look is a few seconds of the camera (here shortened),
    its frames chosen as for any watch: the door closed at once, the first look
    says yes."""
    monkeypatch.setattr(camera_watch, "WATCH_INTERVAL", 0.05)
    garage.picture = CLOSED

    answer = json_object(
        await watch_call(hass, duration=0.2, max_frames=2, frame_selection="even")
    )

    assert answer["met"] is True
    assert answer["checks"] == 1
    assert garage.shots >= 2
    [look] = ollama_emulator.generate_requests()
    assert look.images == [(480, 270)] * 2
    first, second = answer["frames"]
    assert first["time"] == 0.0 < second["time"]


async def test_stopped_before_any_answer(
    hass: HomeAssistant, entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """Stopped while its first look is still with the model: the caller learns
    that nothing was answered."""
    ollama_emulator.inject("stall", seconds=30)
    call = watch_call(hass, interval=60)
    await wait_for(lambda: bool(ollama_emulator.generate_requests()))

    await stop_watch(hass)
    answer = json_object(await call)

    assert answer["ended"] == "stopped"
    assert answer["met"] is False
    assert answer["checks"] == 0
    assert answer["description"] is None
    assert answer["entity_id"] is None
    assert answer["image_name"] == "garage"


async def test_a_full_queue_ends_the_watch(
    hass: HomeAssistant,
    garage_camera: None,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A look that finds the queue full ends the watch with the queue's error."""
    entry = await load_entry(**{CONCURRENCY.key: 1, QUEUE_SIZE.key: 1})
    call = watch_call(hass, interval=10)
    await between_looks(entry)
    # One analysis at the model (it stalls), one waiting: no room left.
    ollama_emulator.inject("stall")
    await analyze(hass, image_entity="camera.garage", image_name="porch")
    await settle(lambda: entry.runtime_data.queue.running == 1)
    await analyze(hass, image_entity="camera.garage", image_name="side")

    next_look(freezer, hass, 10)
    with pytest.raises(HomeAssistantError) as err:
        await call

    assert err.value.translation_key == "queue_full"
    assert watches(entry).get("garage") is None


async def test_a_failed_look_ends_the_watch(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    garage: StillCamera,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The camera has no picture at the second look: the failure event fires
    as for an analysis, and the caller gets the error."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    call = watch_call(hass, interval=10)
    await between_looks(entry)

    garage.picture = None
    next_look(freezer, hass, 10)
    with pytest.raises(HomeAssistantError) as err:
        await call

    assert err.value.translation_key == "image_entity_unavailable"
    await hass.async_block_till_done()
    assert [event.data["error"] for event in failed] == ["image_entity_unavailable"]
    assert watches(entry).get("garage") is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"video": "www/garage.mp4"}, "until_not_combinable"),
        ({"frigate_event_id": "1700000000.123456-abc123"}, "until_not_combinable"),
        ({"use_text_model": True}, "until_not_combinable"),
        (
            {"structure": {"open": {"selector": {"boolean": {}}, "required": True}}},
            "until_not_combinable",
        ),
        ({"image_entity": None, "image_url": "www/garage.jpg"}, "until_without_entity"),
        ({"until": None, "interval": 10}, "watch_field_without_until"),
        ({"until": None, "max_duration": 10}, "watch_field_without_until"),
    ],
)
async def test_refused_before_anything_is_queued(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    data: dict[str, Any],
    code: str,
) -> None:
    """What a watch cannot do is refused with a translated error, at once."""
    call: dict[str, Any] = {
        "image_entity": "camera.garage",
        "image_name": "garage",
        "until": QUESTION,
    }
    call = {key: value for key, value in (call | data).items() if value is not None}

    with pytest.raises(ServiceValidationError) as err:
        await analyze(hass, **call)

    assert err.value.translation_key == code
    assert str(err.value)  # a message, in words
    assert ollama_emulator.generate_requests() == []
    assert watches(entry).get("garage") is None


@pytest.mark.parametrize(
    "data", [{"max_duration": 3601}, {"max_duration": 0}, {"interval": 0.5}]
)
async def test_field_ranges(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]
) -> None:
    """At most an hour; a look a second at most."""
    with pytest.raises(vol.Invalid):
        await analyze(
            hass,
            image_entity="camera.garage",
            image_name="garage",
            until=QUESTION,
            **data,
        )


async def test_readme_garage_door_automation(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    garage: StillCamera,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The README's example: told when the garage door is closed."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    hass.states.async_set("binary_sensor.garage_door_button", "off")
    automation = readme_automation("Tell me when the garage door is closed")
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await hass.async_block_till_done()

    hass.states.async_set("binary_sensor.garage_door_button", "on")
    wait = await between_looks(entry, "garage_door")
    garage.picture = CLOSED
    next_look(freezer, hass, wait)
    await settle(lambda: bool(notified))

    [message] = [call.data["message"] for call in notified]
    assert message == f"The garage door closed {wait:g} s after the button was pressed."


async def test_readme_garage_door_automation_gives_up(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """... or told, after ten minutes, that it is still open."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    hass.states.async_set("binary_sensor.garage_door_button", "off")
    automation = readme_automation("Tell me when the garage door is closed")
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await hass.async_block_till_done()

    hass.states.async_set("binary_sensor.garage_door_button", "on")
    waited = 0.0
    looks = 0
    while waited < 600:
        looks += 1
        wait = await between_looks(entry, "garage_door", looks=looks)
        waited += wait
        next_look(freezer, hass, wait)
    await settle(lambda: bool(notified))

    [message] = [call.data["message"] for call in notified]
    assert message.startswith("The garage door is still open after ten minutes:")
