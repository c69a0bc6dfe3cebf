"""The "Describe camera events and notify" blueprint, run by Home Assistant's automation.

The blueprint is loaded from the repository by Home Assistant's blueprint
machinery; automations made from it run against the Ollama emulator.
"""

import asyncio
from datetime import timedelta
import json
from pathlib import Path
import shutil
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_fire_mqtt_message,
    async_fire_time_changed,
    async_mock_service,
    mock_integration,
    mock_platform,
)
from pytest_homeassistant_custom_component.typing import (
    MqttMockHAClient,
    WebSocketGenerator,
)

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, yaml as yaml_util
from tests.conftest import state_of, wait_for
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.picture_entities import StillCamera, platform

REPO = Path(__file__).parents[1]
BLUEPRINT_PATH = "ollama_vision/describe_camera_events.yaml"
BLUEPRINT_FILE = REPO / "blueprints" / "automation" / BLUEPRINT_PATH
PORCH_JPEG = make_jpeg(320, 240, colour=(30, 30, 220))


def vision_sentence(width: int, height: int, colour: str) -> str:
    """What the emulator's vision model says about a one-colour image."""
    return f"Image 1 is {width}x{height} pixels, mostly {colour}."


@pytest.fixture
def blueprints(hass: HomeAssistant, tmp_path: Path) -> None:
    """A configuration folder holding the blueprint where an import puts it."""
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / BLUEPRINT_PATH
    target.parent.mkdir(parents=True)
    shutil.copy(BLUEPRINT_FILE, target)


@pytest.fixture
async def porch_camera(hass: HomeAssistant) -> str:
    """camera.porch, showing a blue 320x240 picture."""
    mock_integration(hass, MockModule("test"))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(
            async_setup_platform=platform(lambda _: [StillCamera("Porch", PORCH_JPEG)])
        ),
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    await hass.async_block_till_done()
    return "camera.porch"


async def start_automation(hass: HomeAssistant, inputs: dict[str, Any]) -> None:
    """One automation from the blueprint, as the UI's editor saves it."""
    assert await async_setup_component(hass, "persistent_notification", {})
    assert await async_setup_component(hass, "notify", {})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "describe",
                "alias": "Describe",
                "use_blueprint": {"path": BLUEPRINT_PATH, "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.describe")
    assert state is not None
    assert state.state == "on", state


async def notifications(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> dict[str, dict[str, Any]]:
    """The persistent notifications, by id, as the frontend gets them."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    answer = await client.receive_json()
    return {item["notification_id"]: item for item in answer["result"]}


async def wait_for_notification(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, notification_id: str
) -> dict[str, Any]:
    """The notification, once the run made it: analysis is real I/O."""
    async with asyncio.timeout(10):
        while True:
            if note := (await notifications(hass, hass_ws_client)).get(notification_id):
                return note
            await asyncio.sleep(0.02)


def test_blueprint_validates_and_links_home() -> None:
    """Home Assistant accepts it; its inputs are grouped; it names where it lives."""
    data = yaml_util.load_yaml_dict(BLUEPRINT_FILE)
    blueprint = models.Blueprint(
        data, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )

    assert blueprint.validate() is None
    assert blueprint.name == "Describe camera events and notify"
    assert set(blueprint.inputs) == {
        "trigger_source",
        "frigate_topic",
        "frigate_cameras",
        "frigate_labels",
        "frigate_zones",
        "frigate_url",
        "binary_sensors",
        "camera",
        "cooldown",
        "ollama_vision_device",
        "image_name",
        "prompt",
        "use_text_model",
        "text_prompt",
        "notify_devices",
        "notify_actions",
        "notify_entities",
        "title",
        "tts_entity",
        "media_players",
    }
    # Everything is optional: a user fills in only what applies.
    assert all("default" in spec for spec in blueprint.inputs.values())
    manifest = json.loads(
        (REPO / "custom_components" / "ollama_vision" / "manifest.json").read_text()
    )
    assert blueprint.metadata["source_url"] == (
        f"{manifest['documentation']}/blob/main/blueprints/automation/{BLUEPRINT_PATH}"
    )


def test_readme_import_button_points_at_the_blueprint() -> None:
    """The README's my-link imports this file from the repository."""
    readme = (REPO / "README.md").read_text()
    link = next(
        word.strip("()")
        for word in readme.replace("(", " (").split()
        if "redirect/blueprint_import" in word
    )
    url = parse_qs(urlparse(link).query)["blueprint_url"][0]
    manifest = json.loads(
        (REPO / "custom_components" / "ollama_vision" / "manifest.json").read_text()
    )
    repository = manifest["documentation"].removeprefix("https://github.com/")
    assert url == (
        f"https://raw.githubusercontent.com/{repository}/main/blueprints/automation/"
        f"{BLUEPRINT_PATH}"
    )


async def test_motion_sensor_describes_camera_and_notifies(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    blueprints: None,
    setup_entry: MockConfigEntry,
    porch_camera: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """Motion: the camera's picture is described, the notification says so,
    and a second motion during the cooldown is ignored."""
    hass.states.async_set("binary_sensor.porch_motion", "off")
    await start_automation(
        hass,
        {
            "trigger_source": "binary_sensor",
            "binary_sensors": ["binary_sensor.porch_motion"],
            "camera": porch_camera,
            "cooldown": 60,
            "notify_actions": ["notify.persistent_notification"],
        },
    )
    hass.states.async_set("binary_sensor.porch_motion", "on")
    note = await wait_for_notification(hass, hass_ws_client, "ollama_vision_porch")
    assert note["title"] == "Porch"
    assert note["message"] == vision_sentence(320, 240, "blue")
    state = hass.states.get("sensor.front_door_porch")
    assert state is not None
    assert state.state == note["message"]
    asked = len(ollama_emulator.generate_requests())

    # In the cooldown: ignored, nothing asked. (No async_block_till_done here:
    # it would wait for the cooldown's delay.)
    hass.states.async_set("binary_sensor.porch_motion", "off")
    hass.states.async_set("binary_sensor.porch_motion", "on")
    await asyncio.sleep(0.3)
    assert len(ollama_emulator.generate_requests()) == asked
    assert state_of(hass, "automation.describe").attributes["current"] == 1

    # After it: described again.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await wait_for(
        lambda: state_of(hass, "automation.describe").attributes["current"] == 0
    )
    hass.states.async_set("binary_sensor.porch_motion", "off")
    hass.states.async_set("binary_sensor.porch_motion", "on")
    await wait_for(lambda: len(ollama_emulator.generate_requests()) > asked, 10)


def frigate_event(
    event_id: str, *, kind: str = "new", label: str = "person", zones: list[str]
) -> str:
    """A `frigate/events` message (the parts the blueprint reads)."""
    after = {
        "id": event_id,
        "camera": "front_yard",
        "label": label,
        "entered_zones": zones,
        "has_snapshot": True,
    }
    before = {**after, "entered_zones": []}
    return json.dumps({"type": kind, "before": before, "after": after})


# MQTT's periodic housekeeping timer outlives the test's mock client.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_frigate_event_filters_and_text_model(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    mqtt_mock: MqttMockHAClient,
    blueprints: None,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
) -> None:
    """Only a person entering the front zone counts; Frigate's snapshot is
    described and rewritten by the text model with the given prompts."""
    image_server.add(
        "/api/events/good/snapshot.jpg", make_jpeg(200, 100, colour=(20, 200, 20))
    )
    await start_automation(
        hass,
        {
            "trigger_source": "frigate",
            "frigate_zones": ["front"],
            "frigate_url": image_server.url("/"),
            "ollama_vision_device": "",
            "image_name": "yard",
            "prompt": "Who is there?",
            "use_text_model": True,
            "text_prompt": "Announce: {description}",
            "notify_actions": ["notify.persistent_notification"],
            "cooldown": 0,
        },
    )
    topic = "frigate/events"
    # Not a person; not the zone; no zone yet; then the zone entered.
    async_fire_mqtt_message(
        hass, topic, frigate_event("dog", label="dog", zones=["front"])
    )
    async_fire_mqtt_message(hass, topic, frigate_event("street", zones=["street"]))
    async_fire_mqtt_message(hass, topic, "not json")
    async_fire_mqtt_message(hass, topic, frigate_event("good", zones=[]))
    async_fire_mqtt_message(
        hass, topic, frigate_event("good", kind="update", zones=["front"])
    )
    note = await wait_for_notification(hass, hass_ws_client, "ollama_vision_yard")
    assert note["title"] == "Front Yard"
    # The text model's introduction of what the vision model saw.
    assert note["message"] == (
        f"Ding dong, a visitor: {vision_sentence(200, 100, 'green')}"
    )
    assert [r.path for r in image_server.requests] == ["/api/events/good/snapshot.jpg"]
    vision, text = ollama_emulator.generate_requests()
    assert vision.prompt == "Who is there?"
    assert text.prompt == f"Announce: {vision_sentence(200, 100, 'green')}"


async def test_phone_notifier_entity_and_speech(
    hass: HomeAssistant,
    blueprints: None,
    setup_entry: MockConfigEntry,
    porch_camera: str,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A phone gets the picture and a tap that opens the camera; another notify
    action the image entity's link (which needs no sign-in); a notifier entity
    and a speaker get the words."""
    phone_entry = MockConfigEntry(domain="mobile_app")
    phone_entry.add_to_hass(hass)
    phone = device_registry.async_get_or_create(
        config_entry_id=phone_entry.entry_id,
        identifiers={("mobile_app", "pixel")},
        name="Pixel 9 Pro",
    )
    hass.states.async_set("binary_sensor.doorbell", "off")
    await start_automation(
        hass,
        {
            "trigger_source": "binary_sensor",
            "binary_sensors": ["binary_sensor.doorbell"],
            "camera": porch_camera,
            "title": "Someone at the door",
            "notify_devices": [phone.id],
            "notify_actions": ["notify.family"],
            "notify_entities": ["notify.kitchen_display"],
            "tts_entity": "tts.piper",
            "media_players": ["media_player.kitchen"],
        },
    )
    # Stand-ins (after notify's own set-up) for the phone's notify action,
    # notify entities and speech: what the blueprint sends them is the point.
    phone_calls = async_mock_service(hass, "notify", "mobile_app_pixel_9_pro")
    group_calls = async_mock_service(hass, "notify", "family")
    entity_calls = async_mock_service(hass, "notify", "send_message")
    speech_calls = async_mock_service(hass, "tts", "speak")
    hass.states.async_set("binary_sensor.doorbell", "on")
    await wait_for(lambda: bool(speech_calls), 10)

    description = vision_sentence(320, 240, "blue")
    [to_phone] = phone_calls
    # The setup's own snapshot of this analysis (its timeline keeps one).
    picture = to_phone.data["data"].pop("image")
    assert picture.startswith("/media/local/ollama_vision/front_door/")
    assert picture.endswith("_porch.jpg")
    assert to_phone.data == {
        "title": "Someone at the door",
        "message": description,
        "data": {
            "clickAction": "entityId:camera.porch",
            "url": "entityId:camera.porch",
            "entity_id": "camera.porch",
            "tag": "ollama_vision_porch",
            "notification_id": "ollama_vision_porch",
            "ttl": 0,
            "priority": "high",
        },
    }
    [to_group] = group_calls
    link = state_of(hass, "image.front_door_porch").attributes["entity_picture"]
    assert link.startswith("/api/image_proxy/image.front_door_porch?token=")
    assert to_group.data == {
        "title": "Someone at the door",
        "message": description,
        "data": {**to_phone.data["data"], "image": link},
    }
    [to_entity] = entity_calls
    assert to_entity.data == {
        "entity_id": ["notify.kitchen_display"],
        "title": "Someone at the door",
        "message": description,
    }
    [spoken] = speech_calls
    assert spoken.data == {
        "entity_id": ["tts.piper"],
        "media_player_entity_id": ["media_player.kitchen"],
        "message": description,
    }
