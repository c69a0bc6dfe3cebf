"""`ollama_vision.summarize_timeline`: one request holding a period's entries."""

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.ollama_vision.const import DOMAIN
from custom_components.ollama_vision.pipeline.prompts import language_instruction
from custom_components.ollama_vision.timeline.recorder import database_path
from custom_components.ollama_vision.timeline.store import TimelineStore
from custom_components.ollama_vision.timeline.summary import (
    PROMPT_CHARACTERS,
    default_prompt,
    local_time,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import analyze, json_object
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator, RecordedRequest
from tests.ollama_emulator.text_model import write
from tests.test_readme_examples import readme_automation


async def summarize(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call the action as an automation with a response variable would."""
    return json_object(
        await hass.services.async_call(
            DOMAIN, "summarize_timeline", data, blocking=True, return_response=True
        )
    )


def picture(image_server: ImageServer, name: str, colour: tuple[int, int, int]) -> str:
    """A 320x240 picture of one colour on the image server; its URL."""
    image_server.add(f"/{name}.jpg", make_jpeg(320, 240, colour=colour))
    return image_server.url(f"/{name}.jpg")


def sentence(colour: str) -> str:
    """What the emulated vision model says about one of those pictures."""
    return f"Image 1 is 320x240 pixels, mostly {colour}."


def only_request(emulator: OllamaEmulator, since: int) -> RecordedRequest:
    """The one model request made after the first `since`."""
    requests = emulator.generate_requests()[since:]
    assert len(requests) == 1, [request.prompt for request in requests]
    return requests[0]


async def three_analyses(
    hass: HomeAssistant, image_server: ImageServer, freezer: FrozenDateTimeFactory
) -> list[datetime]:
    """Analyses of the door (red), the garden (green) and the door (blue), ten
    minutes apart; their times."""
    times = []
    for name, colour, rgb in (
        ("door", "red", (220, 20, 20)),
        ("garden", "green", (20, 200, 20)),
        ("door", "blue", (20, 20, 220)),
    ):
        url = picture(image_server, colour, rgb)
        answer = await analyze(hass, response=True, image_url=url, image_name=name)
        times.append(dt_util.parse_datetime(answer["analyzed_at"]))
        freezer.tick(timedelta(minutes=10))
    assert all(times)
    return [moment for moment in times if moment]


async def test_one_request_with_the_periods_entries(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The text model gets every entry of the last 24 hours, oldest first, then
    the built-in instructions; the answer is its words and the counts."""
    times = await three_analyses(hass, image_server, freezer)
    before = len(ollama_emulator.generate_requests())

    answer = await summarize(hass)

    request = only_request(ollama_emulator, before)
    assert request.model == "llama3.1:latest"
    assert request.images == []
    prompt = request.prompt or ""
    lines = [
        f"{local_time(times[0])} door: {sentence('red')}",
        f"{local_time(times[1])} garden: {sentence('green')}",
        f"{local_time(times[2])} door: {sentence('blue')}",
    ]
    assert "\n".join(lines) in prompt
    assert prompt.endswith(f"\n\n{default_prompt(hass)}")
    end = dt_util.now()
    assert answer == {
        "summary": write(prompt),
        "entries": 3,
        "left_out": 0,
        "start": (end - timedelta(hours=24)).isoformat(),
        "end": end.isoformat(),
    }
    # The summary went to its caller only: no sensor, no timeline entry.
    assert not [
        entity_id
        for entity_id in hass.states.async_entity_ids("sensor")
        if "summary" in entity_id
    ]
    assert (await summarize(hass))["entries"] == 3


async def test_window_names_and_own_prompt(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """`start`, `end` and `image_names` choose the entries; a prompt of the
    call's own is sent as written, after them."""
    times = await three_analyses(hass, image_server, freezer)
    before = len(ollama_emulator.generate_requests())
    start = times[0] + timedelta(minutes=1)

    answer = await summarize(
        hass,
        start=start.isoformat(),
        end=(times[2] + timedelta(minutes=1)).isoformat(),
        image_names=["door"],
        prompt="Who came to the door?",
    )

    prompt = only_request(ollama_emulator, before).prompt or ""
    assert sentence("blue") in prompt
    assert sentence("red") not in prompt  # before the start
    assert sentence("green") not in prompt  # another image name
    assert prompt.endswith("\n\nWho came to the door?")
    assert language_instruction(hass) not in prompt
    assert (answer["entries"], answer["left_out"]) == (1, 0)
    assert answer["start"] == start.isoformat()


async def test_default_window_is_the_last_day(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without a start, entries older than 24 hours before the end stay out."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="old")
    freezer.tick(timedelta(hours=25))
    await analyze(hass, response=True, image_url=door_jpeg, image_name="new")
    freezer.tick(timedelta(minutes=1))  # the end (now) is excluded
    before = len(ollama_emulator.generate_requests())

    answer = await summarize(hass)

    prompt = only_request(ollama_emulator, before).prompt or ""
    assert " new: " in prompt
    assert " old: " not in prompt
    assert answer["entries"] == 1


async def test_nothing_recorded_asks_no_model(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A period without entries is answered in Home Assistant's language, and
    no model is asked."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="door")
    before = len(ollama_emulator.generate_requests())
    hass.config.language = "nb"
    start = dt_util.now() - timedelta(days=3)
    end = start + timedelta(hours=2)

    answer = await summarize(hass, start=start.isoformat(), end=end.isoformat())

    assert answer == {
        "summary": f"Ingenting ble registrert på tidslinjen fra {local_time(start)}"
        f" til {local_time(end)}.",
        "entries": 0,
        "left_out": 0,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    assert (await summarize(hass, image_names=["garden"]))["entries"] == 0
    assert len(ollama_emulator.generate_requests()) == before


async def test_default_prompt_in_home_assistants_language(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The built-in instructions name Home Assistant's language."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="door")
    hass.config.language = "pt"
    before = len(ollama_emulator.generate_requests())

    await summarize(hass)

    prompt = only_request(ollama_emulator, before).prompt or ""
    assert prompt.endswith(language_instruction(hass))
    assert prompt.endswith("Answer in Portuguese.")


def add_entries(path: Path, count: int, first: datetime) -> None:
    """`count` analyses a minute apart from `first`, straight into the store."""
    store = TimelineStore(path)
    try:
        for number in range(count):
            store.add(
                analyzed_at=first + timedelta(minutes=number),
                image_name="drive",
                description=f"Entry {number}: a grey car passes the gate slowly.",
                data=None,
                snapshot=None,
                snapshot_bytes=0,
            )
    finally:
        store.close()


async def test_ten_thousand_entries_cut_to_the_newest_that_fit(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
) -> None:
    """One request within the budget, holding the newest entries; the answer
    says how many older ones were left out."""
    count = 10_000
    first = dt_util.utcnow() - timedelta(minutes=count)
    await hass.async_add_executor_job(
        add_entries, database_path(hass, setup_entry.entry_id), count, first
    )
    before = len(ollama_emulator.generate_requests())

    answer = await summarize(hass, start=(first - timedelta(hours=1)).isoformat())

    prompt = only_request(ollama_emulator, before).prompt or ""
    assert len(prompt) <= PROMPT_CHARACTERS
    kept = prompt.count("a grey car passes")
    assert 100 < kept < count
    assert answer["entries"] == count
    assert answer["left_out"] == count - kept
    assert f"({count - kept} older analyses did not fit" in prompt
    assert f"Entry {count - 1}:" in prompt  # the newest
    assert f"Entry {count - kept}:" in prompt  # the oldest kept...
    assert f"Entry {count - kept - 1}:" not in prompt  # ...and the one before


async def test_a_setup_without_a_text_model_asks_its_vision_model(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The vision model writes the summary, given no picture."""
    entry = make_entry(text=False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await analyze(hass, response=True, image_url=door_jpeg, image_name="door")
    before = len(ollama_emulator.generate_requests())

    answer = await summarize(hass)

    request = only_request(ollama_emulator, before)
    assert request.model == "moondream:latest"
    assert request.image_bytes == []
    assert answer["entries"] == 1


async def test_bad_times_are_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """A start after its end, or a time that is none, is refused before any work."""
    now = dt_util.now()
    with pytest.raises(ServiceValidationError) as err:
        await summarize(hass, start=now.isoformat(), end=now.isoformat())
    assert err.value.translation_key == "timeline_invalid_range"
    assert "is not before the end" in str(err.value)
    with pytest.raises(vol.Invalid):
        await summarize(hass, start="yesterday-ish")
    with pytest.raises(ServiceValidationError):
        # Only with a response: the summary is its answer.
        await hass.services.async_call(DOMAIN, "summarize_timeline", {}, blocking=True)
    assert ollama_emulator.generate_requests() == []


async def test_readme_notification_when_the_alarm_is_disarmed(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The README's automation: disarming sends the phone a summary of what was
    analysed while the alarm was armed, and only that."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    alarm = "alarm_control_panel.home"
    hass.states.async_set(alarm, "disarmed")
    automation = readme_automation("While you were away")
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await analyze(hass, response=True, image_url=door_jpeg, image_name="before")
    freezer.tick(timedelta(minutes=1))
    hass.states.async_set(alarm, "armed_away")
    freezer.tick(timedelta(minutes=1))
    await analyze(hass, response=True, image_url=door_jpeg, image_name="away")
    freezer.tick(timedelta(minutes=1))
    before = len(ollama_emulator.generate_requests())

    hass.states.async_set(alarm, "disarmed")

    await hass.async_block_till_done()
    prompt = only_request(ollama_emulator, before).prompt or ""
    assert " away: " in prompt
    assert " before: " not in prompt
    (call,) = notified
    assert call.data == {
        "title": "While you were away (1 analyses)",
        "message": write(prompt),
    }
