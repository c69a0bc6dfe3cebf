"""The README's automations for structured answers and the AI Task, run as written."""

import json
from pathlib import Path
import re
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_mock_service,
    mock_integration,
    mock_platform,
)
import yaml

from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.setup import async_setup_component
from tests.conftest import analyze, state_of
from tests.image_server import make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.picture_entities import StillCamera, platform

README = Path(__file__).parent.parent / "README.md"


def readme_automation(alias: str) -> dict[str, Any]:
    """The README's YAML block whose automation has this alias."""
    for block in re.findall(r"```yaml\n(.*?)```", README.read_text("utf-8"), re.S):
        automation = yaml.safe_load(block)
        if isinstance(automation, dict) and automation.get("alias") == alias:
            return automation
    raise AssertionError(f"no automation {alias!r} in the README")


@pytest.fixture
async def cameras(hass: HomeAssistant) -> None:
    """The README's cameras: the driveway and the front door."""
    mock_integration(hass, MockModule("test"))
    snapshot = make_jpeg(640, 480, colour=(120, 120, 120))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(
            async_setup_platform=platform(
                lambda _: [
                    StillCamera("Driveway", snapshot),
                    StillCamera("Front door", snapshot),
                ]
            )
        ),
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})


async def run(hass: HomeAssistant, alias: str) -> None:
    """Load the README's automation and run its actions."""
    automation = readme_automation(alias)
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await hass.async_block_till_done()
    entity_id = hass.states.async_entity_ids("automation")[0]
    await hass.services.async_call(
        "automation", "trigger", {"entity_id": entity_id}, blocking=True
    )
    await hass.async_block_till_done()
    # Its time trigger must not outlive the test.
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": entity_id}, blocking=True
    )


@pytest.mark.usefixtures("cameras", "setup_entry")
async def test_count_cars_into_an_input_number(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """analyze_image with a structure fills the input_number with the count."""
    assert await async_setup_component(
        hass,
        "input_number",
        {"input_number": {"cars_in_driveway": {"min": 0, "max": 10}}},
    )
    await run(hass, "Count cars in the driveway")
    # The emulator counts the pictures it saw: one snapshot.
    assert state_of(hass, "input_number.cars_in_driveway").state == "1.0"
    (request,) = ollama_emulator.generate_requests()
    assert request.body["format"]["required"] == ["cars"]


@pytest.mark.usefixtures("cameras", "setup_entry")
async def test_parcel_at_the_door(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """ai_task.generate_data with the camera attached tells the phone."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await run(hass, "Parcel at the door")
    assert [call.data["message"] for call in notified] == [
        "A parcel is waiting at the front door."
    ]
    (request,) = ollama_emulator.generate_requests()
    assert request.images == [(640, 480)]
    assert request.body["format"]["required"] == ["parcel"]


@pytest.mark.parametrize(("sure", "told"), [(0.8, True), (0.7, True), (0.6, False)])
async def test_car_in_the_driveway_threshold(
    hass: HomeAssistant, sure: float, told: bool
) -> None:
    """The evaluate example's condition: the phone hears of the car from 0.7 up.

    ai_task.evaluate needs Home Assistant 2026.11, which the test plugin does
    not run: here the action answers as 2026.11's does (tests/e2e calls the
    real one). The automation is the README's, as written.
    """
    asked = async_mock_service(
        hass,
        "ai_task",
        "evaluate",
        response={"answers": {"car": {"type": "noul", "noul": sure}}},
        supports_response=SupportsResponse.ONLY,
    )
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await run(hass, "Car in the driveway")
    (call,) = asked
    assert call.data["entity_id"] == "ai_task.front_door"
    assert call.data["questions"]["car"]["type"] == "noul"
    assert [c.data["message"] for c in notified] == (
        [f"A car is in the driveway ({round(sure * 100)} % sure)."] if told else []
    )


async def test_readme_names_the_setup_entity(setup_entry: MockConfigEntry) -> None:
    """The README's entity id is the one a setup named Front door gets."""
    data = readme_automation("Parcel at the door")["actions"][0]["data"]
    assert setup_entry.title == "Front door"
    assert data["entity_id"] == "ai_task.front_door"


@pytest.mark.usefixtures("setup_entry")
async def test_phone_notification_shows_the_snapshot(
    hass: HomeAssistant, door_jpeg: str
) -> None:
    """The README's notification attaches the analysis's snapshot."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    automation = readme_automation("Tell my phone what the camera saw")
    assert await async_setup_component(hass, "automation", {"automation": automation})
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="door")
    await hass.async_block_till_done()
    (call,) = notified
    assert call.data["message"] == answer["final_description"]
    assert call.data["data"]["image"] == answer["snapshot_url"]
    assert call.data["data"]["image"].startswith("/media/local/ollama_vision/")


async def trigger(hass: HomeAssistant, alias: str, times: int) -> None:
    """Load the README's automation and run its actions `times` times."""
    automation = readme_automation(alias)
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await hass.async_block_till_done()
    entity_id = hass.states.async_entity_ids("automation")[0]
    for _ in range(times):
        await hass.services.async_call(
            "automation", "trigger", {"entity_id": entity_id}, blocking=True
        )
        await hass.async_block_till_done()
    # A time trigger must not outlive the test.
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": entity_id}, blocking=True
    )


@pytest.mark.usefixtures("cameras", "setup_entry")
async def test_tell_me_when_the_driveway_changes(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """Three checks of a driveway that does not change: told once, asked once."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await trigger(hass, "Tell me when the driveway changes", 3)
    assert len(notified) == 1
    assert len(ollama_emulator.generate_requests()) == 1
    assert "last_checked" in state_of(hass, "sensor.front_door_driveway").attributes


@pytest.mark.usefixtures("cameras", "setup_entry")
async def test_tell_me_what_matters_at_the_front_door(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """Rated none (the emulator's first level): silence. Rated critical: the
    phone hears it as critical."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    alias = "Tell me what matters at the front door"
    await trigger(hass, alias, 1)
    assert notified == []
    ollama_emulator.fixed_answer = json.dumps(
        {"description": "Smoke is coming from the door.", "importance": "critical"}
    )
    await trigger(hass, alias, 1)
    (call,) = notified
    assert call.data["message"] == "Smoke is coming from the door."
    assert call.data["data"] == {"push": {"interruption-level": "critical"}}
    assert len(ollama_emulator.generate_requests()) == 2
