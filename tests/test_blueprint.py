"""The "Describe camera events and notify" blueprint, run by Home Assistant's automation.

The blueprint is loaded from the repository by Home Assistant's blueprint
machinery; automations made from it run against the Ollama emulator.
"""

import asyncio
from collections.abc import Awaitable, Callable
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
    ClientSessionGenerator,
    MqttMockHAClient,
    WebSocketGenerator,
)

from custom_components.ollama_vision.pipeline.prompts import vision_prompt
from custom_components.ollama_vision.settings import TIMELINE_SNAPSHOTS
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, yaml as yaml_util
from tests.conftest import state_of
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.picture_entities import StillCamera, platform
from tests.waiting import wait_for

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
        "frigate_context",
        "frigate_url",
        "binary_sensors",
        "camera",
        "cooldown",
        "ollama_vision_device",
        "image_name",
        "prompt",
        "use_text_model",
        "text_prompt",
        "min_importance",
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


def markdown_picture(message: str) -> tuple[str, str, str]:
    """A persistent notification's text, and its picture's alt text and address."""
    text, _, picture = message.partition("\n\n![")
    alt, _, rest = picture.partition("](")
    assert rest.endswith(")"), message
    return text, alt, rest.removesuffix(")")


async def test_motion_sensor_describes_camera_and_notifies(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    blueprints: None,
    setup_entry: MockConfigEntry,
    porch_camera: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """Motion: the camera's picture is described, the notification says so and
    shows the picture, and a second motion during the cooldown is ignored."""
    assert await async_setup_component(hass, "media_source", {})
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
    text, alt, picture = markdown_picture(note["message"])
    assert text == vision_sentence(320, 240, "blue")
    assert alt == "Porch"
    # The analysis's snapshot, which the browser showing the notification
    # loads without signing in.
    assert picture.startswith("/media/local/ollama_vision/front_door/")
    response = await (await hass_client_no_auth()).get(picture)
    assert response.status == 200
    assert await response.read() == PORCH_JPEG
    state = hass.states.get("sensor.front_door_porch")
    assert state is not None
    assert state.state == text
    asked = len(ollama_emulator.generate_requests())

    # In the cooldown: ignored. (No async_block_till_done here: it would wait
    # for the cooldown's delay.) Whether it asked nothing shows at the end.
    hass.states.async_set("binary_sensor.porch_motion", "off")
    hass.states.async_set("binary_sensor.porch_motion", "on")
    assert state_of(hass, "automation.describe").attributes["current"] == 1

    # After it: described again, once.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await wait_for(
        lambda: state_of(hass, "automation.describe").attributes["current"] == 0
    )
    hass.states.async_set("binary_sensor.porch_motion", "off")
    hass.states.async_set("binary_sensor.porch_motion", "on")
    await wait_for(lambda: len(ollama_emulator.generate_requests()) > asked, 10)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=122))
    await hass.async_block_till_done()
    # The event in the cooldown asked nothing, then or later; the one after did.
    assert len(ollama_emulator.generate_requests()) == asked + 1


@pytest.mark.parametrize("snapshots", [True, False])
async def test_image_entity_as_the_camera(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    blueprints: None,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    snapshots: bool,
) -> None:
    """An image entity (the demo's are template images) can be the camera; the
    notification shows the analysis's snapshot, or without snapshots the
    entity's own picture, both loadable without signing in."""
    yard = make_jpeg(300, 200, colour=(200, 200, 30))
    image_server.add("/yard.jpg", yard)
    entry = make_entry(**{TIMELINE_SNAPSHOTS.key: snapshots})
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert await async_setup_component(hass, "media_source", {})
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {"image": [{"name": "Yard", "url": image_server.url("/yard.jpg")}]}
            ]
        },
    )
    await hass.async_block_till_done()
    hass.states.async_set("binary_sensor.yard_motion", "off")
    await start_automation(
        hass,
        {
            "trigger_source": "binary_sensor",
            "binary_sensors": ["binary_sensor.yard_motion"],
            "camera": "image.yard",
            "notify_actions": ["notify.persistent_notification"],
            "cooldown": 0,
        },
    )

    hass.states.async_set("binary_sensor.yard_motion", "on")
    note = await wait_for_notification(hass, hass_ws_client, "ollama_vision_yard")

    text, alt, picture = markdown_picture(note["message"])
    assert text == vision_sentence(300, 200, "yellow")
    assert alt == "Yard"
    assert state_of(hass, "sensor.front_door_yard").state == text
    if snapshots:
        assert picture.startswith("/media/local/ollama_vision/front_door/")
    else:
        assert picture.startswith("/api/image_proxy/image.yard?token=")
    response = await (await hass_client_no_auth()).get(picture)
    assert response.status == 200
    assert await response.read() == yard


def frigate_event(
    event_id: str,
    *,
    kind: str = "new",
    label: str = "person",
    zones: list[str],
    sub_label: str | list[Any] | None = None,
) -> str:
    """A `frigate/events` message (the parts the blueprint reads)."""
    after = {
        "id": event_id,
        "camera": "front_yard",
        "label": label,
        "sub_label": sub_label,
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
        hass,
        topic,
        frigate_event(
            "good", kind="update", zones=["front"], sub_label=["Alice", 0.91]
        ),
    )
    note = await wait_for_notification(hass, hass_ws_client, "ollama_vision_yard")
    assert note["title"] == "Front Yard"
    # The text model's introduction of what the vision model saw.
    text, alt, _ = markdown_picture(note["message"])
    assert text == f"Ding dong, a visitor: {vision_sentence(200, 100, 'green')}"
    assert alt == "Front Yard"
    assert [r.path for r in image_server.requests] == ["/api/events/good/snapshot.jpg"]
    vision, rewrite = ollama_emulator.generate_requests()
    # Frigate's label, the face it recognised and the zone go to the model.
    assert vision.prompt == (
        "Who is there?\n\nFrigate, the object detector watching this camera, saw:"
        " person, recognised as Alice, in front. Name who or what it is when"
        " Frigate recognised them."
    )
    assert rewrite.prompt == f"Announce: {vision_sentence(200, 100, 'green')}"


@pytest.mark.parametrize(
    ("inputs", "sub_label", "prompt"),
    [
        (
            {},
            "AB12 CDE",
            "Describe what this camera picture shows in two or three sentences."
            "\n\nFrigate, the object detector watching this camera, saw: car,"
            " recognised as AB12 CDE, in drive. Name who or what it is when"
            " Frigate recognised them.",
        ),
        ({"frigate_context": False}, "AB12 CDE", None),
        (
            {"prompt": "Which car?"},
            None,
            "Which car?\n\nFrigate, the object detector watching this camera, saw:"
            " car, in drive. Name who or what it is when Frigate recognised them.",
        ),
    ],
    ids=["own_prompt_and_plate", "no_context", "no_sub_label"],
)
# MQTT's periodic housekeeping timer outlives the test's mock client.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_frigate_context_in_the_prompt(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    blueprints: None,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    inputs: dict[str, Any],
    sub_label: str | None,
    prompt: str | None,
) -> None:
    """Frigate's label, sub label (here a licence plate, as Frigate 0.12 sent
    it: a plain string) and zones; none with the context off, and then an empty
    prompt leaves the setup's default."""
    image_server.add("/api/events/car/snapshot.jpg", make_jpeg(200, 100))
    await start_automation(
        hass,
        {
            "trigger_source": "frigate",
            "frigate_labels": ["car"],
            "frigate_url": image_server.url("/"),
            "cooldown": 0,
            **inputs,
        },
    )
    async_fire_mqtt_message(
        hass,
        "frigate/events",
        frigate_event("car", label="car", zones=["drive"], sub_label=sub_label),
    )
    await wait_for(lambda: bool(ollama_emulator.generate_requests()), 10)

    [vision] = ollama_emulator.generate_requests()
    default = vision_prompt(hass, setup_entry.runtime_data.settings, None)
    assert vision.prompt == (prompt or default)


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
            # Importance not asked: the iOS app's usual level.
            "push": {"interruption-level": "active"},
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


@pytest.fixture
def phone(hass: HomeAssistant, device_registry: dr.DeviceRegistry) -> str:
    """A phone with the companion app: its device id."""
    phone_entry = MockConfigEntry(domain="mobile_app")
    phone_entry.add_to_hass(hass)
    return device_registry.async_get_or_create(
        config_entry_id=phone_entry.entry_id,
        identifiers={("mobile_app", "pixel")},
        name="Pixel 9 Pro",
    ).id


async def ring(hass: HomeAssistant) -> None:
    """The doorbell rings; returns once the automation's run has ended."""
    before = state_of(hass, "automation.describe").attributes["last_triggered"]
    hass.states.async_set("binary_sensor.doorbell", "off")
    hass.states.async_set("binary_sensor.doorbell", "on")

    def run_ended() -> bool:
        attributes = state_of(hass, "automation.describe").attributes
        return bool(
            attributes["last_triggered"] != before and attributes["current"] == 0
        )

    await wait_for(run_ended, 10)


async def start_doorbell_automation(
    hass: HomeAssistant, camera: str, phone: str, **inputs: Any
) -> list[Any]:
    """The doorbell automation, telling the phone; returns the phone's calls."""
    hass.states.async_set("binary_sensor.doorbell", "off")
    await start_automation(
        hass,
        {
            "trigger_source": "binary_sensor",
            "binary_sensors": ["binary_sensor.doorbell"],
            "camera": camera,
            "cooldown": 0,
            "notify_devices": [phone],
            **inputs,
        },
    )
    return async_mock_service(hass, "notify", "mobile_app_pixel_9_pro")


@pytest.mark.usefixtures("blueprints", "setup_entry")
async def test_notify_only_from_the_importance_asked(
    hass: HomeAssistant,
    porch_camera: str,
    phone: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The model rates in the same request; below the level nothing is told,
    from it up the phone gets the level as its interruption level."""
    to_phone = await start_doorbell_automation(
        hass, porch_camera, phone, min_importance="time_sensitive"
    )
    # The emulator rates an enum with its first level, none.
    await ring(hass)
    (request,) = ollama_emulator.generate_requests()
    assert "importance" in request.body["format"]["properties"]
    assert to_phone == []

    for answered, level in (("Time-Sensitive", "time-sensitive"), (3, "critical")):
        ollama_emulator.fixed_answer = json.dumps(
            {"description": "A stranger at the door.", "importance": answered}
        )
        await ring(hass)
        assert to_phone[-1].data["message"] == "A stranger at the door."
        assert to_phone[-1].data["data"]["push"] == {"interruption-level": level}
    assert len(to_phone) == 2

    # A level the model cannot give is not a reason to stay silent.
    ollama_emulator.fixed_answer = json.dumps(
        {"description": "Something.", "importance": "beige"}
    )
    await ring(hass)
    assert to_phone[-1].data["data"]["push"] == {"interruption-level": "active"}
    assert len(ollama_emulator.generate_requests()) == 4


@pytest.mark.usefixtures("blueprints")
async def test_every_level_told_quietly_from_none_up(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    porch_camera: str,
    phone: str,
) -> None:
    """From none up every picture is told; one rated none arrives quietly."""
    to_phone = await start_doorbell_automation(
        hass, porch_camera, phone, min_importance="none"
    )
    await ring(hass)
    [told] = to_phone
    assert told.data["data"]["push"] == {"interruption-level": "passive"}


@pytest.mark.usefixtures("blueprints")
async def test_an_unchanged_picture_is_not_told_again(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    porch_camera: str,
    phone: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """With the setup skipping unchanged pictures, the same porch twice is told
    once, and the model asked once."""
    await load_entry(skip_unchanged=True)
    to_phone = await start_doorbell_automation(hass, porch_camera, phone)
    await ring(hass)
    await ring(hass)
    assert len(to_phone) == 1
    assert len(ollama_emulator.generate_requests()) == 1
    assert "last_checked" in state_of(hass, "sensor.front_door_porch").attributes
