"""Skipping unchanged pictures through analyze_image: the model is spared, the
last analysis comes back with `unchanged: true`, and nothing new is recorded."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import DOMAIN, EVENT_IMAGE_ANALYZED
from custom_components.ollama_vision.settings import (
    SKIP_UNCHANGED,
    UNCHANGED_THRESHOLD,
)
from custom_components.ollama_vision.timeline.recorder import Timeline
from custom_components.ollama_vision.timeline.store import TimelineEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from tests.clips_factory import make_clip
from tests.conftest import analyze, json_object, state_of
from tests.image_server import ImageServer
from tests.images_factory import make_scene
from tests.ollama_emulator import OllamaEmulator

SENSOR = "sensor.front_door_driveway"
DURATION_SENSOR = "sensor.front_door_last_analysis_duration"
SCENE = make_scene()
# The same view through a grainy, heavily compressed stream, and in more light.
NOISY = make_scene(noise=12, quality=50)
LIGHTER = make_scene(brightness=1.1, noise=6, quality=70)
# Someone walked in.
PERSON = make_scene(person_at=0.45, noise=6, quality=70)


@pytest.fixture
def driveway(image_server: ImageServer) -> Callable[[bytes], str]:
    """Serve a picture as the driveway camera's snapshot; returns its URL."""

    def show(picture: bytes) -> str:
        image_server.add("/driveway.jpg", picture)
        return image_server.url("/driveway.jpg")

    return show


async def look(
    hass: HomeAssistant, url: str | list[str], **fields: Any
) -> dict[str, Any]:
    """One analysis of the driveway, answered."""
    return json_object(
        await analyze(
            hass, response=True, image_url=url, image_name="driveway", **fields
        )
    )


async def timeline_entries(entry: MockConfigEntry) -> list[TimelineEntry]:
    """The analyses on the setup's timeline."""
    now = dt_util.utcnow()
    timeline: Timeline = entry.runtime_data.timeline
    return await timeline.async_between(
        now - timedelta(days=1), now + timedelta(days=1), lambda entry: entry
    )


async def test_unchanged_picture_repeats_the_last_analysis(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    driveway: Callable[[bytes], str],
    ollama_emulator: OllamaEmulator,
) -> None:
    """Noise and a little more light: the model is not asked; the answer, the
    event and the sensor repeat the analysis; nothing new on the timeline."""
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    first = await look(hass, driveway(SCENE), skip_unchanged=True)
    assert first["unchanged"] is False
    assert first["checked_at"] == first["analyzed_at"]
    await hass.async_block_till_done()
    before = state_of(hass, SENSOR)
    duration_before = state_of(hass, DURATION_SENSOR)

    for picture in (NOISY, LIGHTER):
        again = await look(hass, driveway(picture), skip_unchanged=True)
        assert again["unchanged"] is True
        assert len(ollama_emulator.generate_requests()) == 1
        # The same analysis, with the moment this call looked.
        for field in ("description", "final_description", "analyzed_at", "snapshot"):
            assert again[field] == first[field], field
        assert again["checked_at"] > first["analyzed_at"]
        assert set(again["timings"]) == {"image_fetch", "total"}

        await hass.async_block_till_done()
        state = state_of(hass, SENSOR)
        assert state.state == before.state
        assert state.last_changed == before.last_changed
        assert state.attributes["last_checked"] == again["checked_at"]
        assert state.attributes["analyzed_at"] == first["analyzed_at"]
        assert state.attributes["duration"] == before.attributes["duration"]
        assert analyzed[-1].data["unchanged"] is True
        assert analyzed[-1].data["checked_at"] == again["checked_at"]

    assert len(analyzed) == 3
    assert len(await timeline_entries(setup_entry)) == 1
    # The last analysis's duration is a model's: a check is not one.
    assert state_of(hass, DURATION_SENSOR).state == duration_before.state


@pytest.mark.usefixtures("setup_entry")
async def test_someone_entering_is_analysed(
    hass: HomeAssistant,
    driveway: Callable[[bytes], str],
    ollama_emulator: OllamaEmulator,
) -> None:
    """A person in the picture is a change: the model is asked, and the new
    picture is what the next call is compared with."""
    await look(hass, driveway(SCENE), skip_unchanged=True)
    changed = await look(hass, driveway(PERSON), skip_unchanged=True)
    assert changed["unchanged"] is False
    assert len(ollama_emulator.generate_requests()) == 2
    # Still there: unchanged from the picture with the person.
    assert (await look(hass, driveway(PERSON), skip_unchanged=True))["unchanged"]
    # Gone again: a change from the last picture the model saw.
    assert not (await look(hass, driveway(SCENE), skip_unchanged=True))["unchanged"]
    assert len(ollama_emulator.generate_requests()) == 3


async def test_the_option_and_the_field(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    driveway: Callable[[bytes], str],
    ollama_emulator: OllamaEmulator,
) -> None:
    """With the option on, calls skip unless they say otherwise; its threshold
    decides what counts as unchanged."""
    entry = make_entry(**{SKIP_UNCHANGED.key: True, UNCHANGED_THRESHOLD.key: 64})
    assert await hass.config_entries.async_setup(entry.entry_id)
    url = driveway(SCENE)
    await look(hass, url)
    assert (await look(hass, url))["unchanged"] is True
    assert len(ollama_emulator.generate_requests()) == 1
    # The call's field wins: asked, and no `unchanged` in the answer.
    answer = await look(hass, url, skip_unchanged=False)
    assert "unchanged" not in answer
    assert "checked_at" not in answer
    assert len(ollama_emulator.generate_requests()) == 2
    # 64 of 256 bits may differ: a person is within that.
    assert (await look(hass, driveway(PERSON)))["unchanged"] is True
    assert len(ollama_emulator.generate_requests()) == 2


@pytest.mark.usefixtures("setup_entry")
async def test_off_by_default_and_then_absent(
    hass: HomeAssistant,
    driveway: Callable[[bytes], str],
    ollama_emulator: OllamaEmulator,
) -> None:
    """Without the option or the field every call asks, and says nothing of it."""
    url = driveway(SCENE)
    for _ in range(2):
        answer = await look(hass, url)
        assert "unchanged" not in answer
    assert len(ollama_emulator.generate_requests()) == 2
    await hass.async_block_till_done()
    assert "last_checked" not in state_of(hass, SENSOR).attributes


@pytest.mark.usefixtures("setup_entry")
async def test_a_different_question_is_asked(
    hass: HomeAssistant,
    driveway: Callable[[bytes], str],
    ollama_emulator: OllamaEmulator,
) -> None:
    """Another prompt, the text model or a structure asks the model again."""
    url = driveway(SCENE)
    await look(hass, url, skip_unchanged=True)
    variants: list[dict[str, Any]] = [
        {"prompt": "Is the gate open?"},
        {"use_text_model": True},
        {"structure": {"cars": {"selector": {"number": {"min": 0}}, "required": True}}},
        {"importance": True},
    ]
    for fields in variants:
        answer = await look(hass, url, skip_unchanged=True, **fields)
        assert answer["unchanged"] is False, fields
        # ... and the same question again is not.
        assert (await look(hass, url, skip_unchanged=True, **fields))["unchanged"]


@pytest.mark.usefixtures("setup_entry")
async def test_several_pictures_are_compared_in_order(
    hass: HomeAssistant,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
) -> None:
    """All of a call's pictures must be unchanged, each with its counterpart."""
    image_server.add("/a.jpg", SCENE)
    image_server.add("/b.jpg", PERSON)
    a, b = image_server.url("/a.jpg"), image_server.url("/b.jpg")
    await look(hass, [a, b], skip_unchanged=True)
    assert (await look(hass, [a, b], skip_unchanged=True))["unchanged"] is True
    assert (await look(hass, [b, a], skip_unchanged=True))["unchanged"] is False
    assert (await look(hass, [b], skip_unchanged=True))["unchanged"] is False
    assert len(ollama_emulator.generate_requests()) == 3


async def test_videos_and_watches_are_never_skipped(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    driveway: Callable[[bytes], str],
    ollama_emulator: OllamaEmulator,
) -> None:
    """The field with a video or a duration is refused before anything is
    queued; the option leaves such calls alone; and after a video the next
    still picture is asked, the model having seen other pictures since."""
    entry = make_entry(**{SKIP_UNCHANGED.key: True})
    assert await hass.config_entries.async_setup(entry.entry_id)
    image_server.add("/driveway.mp4", make_clip([((20, 200, 20), 1)]))
    clip = image_server.url("/driveway.mp4")
    for fields in (
        {"video": clip},
        {"frigate_event_id": "1700000000.123456-abc123"},
        {"image_entity": "camera.driveway", "duration": 5},
    ):
        with pytest.raises(ServiceValidationError) as refused:
            await analyze(hass, image_name="driveway", skip_unchanged=True, **fields)
        assert refused.value.translation_key == "skip_unchanged_not_for_videos"
        assert "still pictures only" in str(refused.value)
    assert ollama_emulator.generate_requests() == []

    url = driveway(SCENE)
    await look(hass, url)
    answer = json_object(
        await analyze(hass, response=True, image_name="driveway", video=clip)
    )
    assert "unchanged" not in answer
    assert (await look(hass, url))["unchanged"] is False
    assert len(ollama_emulator.generate_requests()) == 3


async def test_forgotten_with_the_timeline_and_at_a_reload(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    driveway: Callable[[bytes], str],
    ollama_emulator: OllamaEmulator,
) -> None:
    """Clearing the timeline forgets what the model saw, as does a reload
    (the memory is the running setup's)."""
    url = driveway(SCENE)
    await look(hass, url, skip_unchanged=True)
    await hass.services.async_call(
        DOMAIN,
        "clear_timeline",
        {"config_entry_id": setup_entry.entry_id},
        blocking=True,
    )
    assert (await look(hass, url, skip_unchanged=True))["unchanged"] is False
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert (await look(hass, url, skip_unchanged=True))["unchanged"] is False
    assert (await look(hass, url, skip_unchanged=True))["unchanged"] is True
    assert len(ollama_emulator.generate_requests()) == 3
