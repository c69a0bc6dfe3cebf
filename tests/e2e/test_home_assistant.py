"""Ollama Vision in a real Home Assistant, driven as a person and as Frigate would.

The tests run in file order and share one Home Assistant; each test makes what it
needs if an earlier one did not (so any of them can run alone), and the restart
comes last.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
import re
import shutil
from typing import TYPE_CHECKING, Any
import urllib.error
from urllib.parse import urlencode
import urllib.request

import pytest
import yaml

from homeassistant.util.yaml import dump as yaml_dump
from tests.clips_factory import make_clip
from tests.e2e import ui
from tests.e2e.ha_config_dir import REPO_ROOT, media_dir
from tests.e2e.home_assistant import ApiError, HomeAssistant
from tests.e2e.processes import closed_port, wait_until
from tests.e2e.side_servers import MqttBroker, ThreadedImageServer
from tests.images_factory import make_jpeg

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.timeout(240)

DOMAIN = "ollama_vision"
FRONT_DOOR = "Front door"
FRIGATE = "Frigate"


def vision_sentence(width: int, height: int, colour: str) -> str:
    """What the emulator's vision model says about a one-colour image."""
    return f"Image 1 is {width}x{height} pixels, mostly {colour}."


def wait_for_state(
    ha: HomeAssistant, entity_id: str, accept: Callable[[str], bool], timeout: float
) -> str:
    """The entity's state, once `accept` likes it."""
    seen: list[str] = []

    def accepted() -> bool:
        state = ha.state(entity_id)
        seen[:] = [state["state"]] if state else []
        return bool(seen) and accept(seen[0])

    try:
        wait_until(accepted, timeout, f"a new state of {entity_id}")
    except TimeoutError as err:
        raise AssertionError(f"{err}; its last state: {seen}") from err
    return seen[0]


def models_step(*, text: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "vision_model": "moondream:latest",
        "vision_keepalive": -1,
    }
    if text:
        answer |= {"text_model": "llama3.1:latest", "text_keepalive": -1}
    return answer


def ensure_entry(ha: HomeAssistant, emulator: str, name: str, *, text: bool) -> str:
    """The entry titled `name`, made through the config flow API if missing."""
    for entry in ha.entries(DOMAIN):
        if entry["title"] == name:
            return str(entry["entry_id"])
    servers = {"name": name, "vision_host": emulator, "text_model_enabled": text}
    # With a text model, its server's page comes first (empty: the same server).
    text_server: list[dict[str, Any]] = [{}] if text else []
    result = ha.config_flow(DOMAIN, servers, *text_server, models_step(text=text))
    return str(result["entry_id"])


@pytest.fixture(scope="module")
def front_door(onboarded: HomeAssistant, emulator: str) -> str:
    """The entry that test_add_integration_in_the_ui makes; its entry id."""
    return ensure_entry(onboarded, emulator, FRONT_DOOR, text=False)


def test_add_integration_in_the_ui(
    onboarded: HomeAssistant, page: Page, emulator: str, screens: ui.Screens
) -> None:
    """Settings > Devices & services > Add integration, a wrong server, then the right one."""
    ui.open_devices_and_services(page)
    ui.open_setup_form(page, "Ollama Vision")
    page.get_by_text("Add an Ollama Vision setup").wait_for()
    # A malformed string in translations/en.json shows as this under its field.
    translation_errors = page.get_by_text("Translation error").count()

    ui.fill(page, "name", FRONT_DOOR)
    # Two servers, a key each: the key field stays a one-line password box
    # (so the keys are comma-separated, and never shown in clear).
    ui.fill(page, "vision_host", f"{emulator}\ngpu2.lan:11434")
    ui.fill(page, "vision_api_key", "first-key,second-key")
    assert page.locator("input[name=vision_api_key]").get_attribute("type") == (
        "password"
    )
    screens.shot(page, "setup-form")
    ui.fill(page, "vision_api_key", "")

    with closed_port() as port:  # bound, never listening: refused while it lasts
        closed = f"127.0.0.1:{port}"
        ui.fill(page, "vision_host", closed)
        ui.submit(page)
        # The cause and the address tried, filled into the translated message.
        page.get_by_text(f"http://{closed} refused the connection").wait_for()
    screens.shot(page, "setup-form-cannot-connect")

    ui.fill(page, "vision_host", emulator)
    ui.submit(page)
    page.get_by_text("Choose the models").wait_for()
    ui.open_dropdown(page, "Vision model")
    page.get_by_text("llava:latest", exact=True).wait_for()
    # Only models that can see: the text-only llama3.1 is not offered.
    assert page.get_by_text("llama3.1:latest", exact=True).count() == 0
    screens.shot(page, "setup-models")
    # Not the default (moondream:latest, already shown in the field): proves the pick.
    ui.pick_option(page, "llava:latest")
    ui.submit(page)

    page.get_by_role("button", name="Skip and finish").click()
    page.wait_for_url("**/config/devices/device/*")
    page.get_by_text("Connected").wait_for()
    screens.shot(page, "device-page")
    assert page.get_by_text(FRONT_DOOR, exact=True).first.is_visible()
    assert [e["title"] for e in onboarded.entries(DOMAIN)] == [FRONT_DOOR]
    assert translation_errors == 0, "the setup form shows a translation error"


def test_model_download_from_the_setup_form(
    onboarded: HomeAssistant, page: Page, emulator: str, screens: ui.Screens
) -> None:
    """A model the server lacks, typed in the form: a progress bar, then the setup."""
    ui.open_devices_and_services(page)
    ui.open_setup_form(page, "Ollama Vision")
    ui.fill(page, "name", "Garden")
    ui.fill(page, "vision_host", emulator)
    ui.submit(page)
    page.get_by_text("Choose the models").wait_for()
    ui.type_option(page, "Vision model", "gemma3:4b")
    ui.submit(page)

    page.get_by_text(f"Downloading gemma3:4b onto {emulator}").wait_for()
    # The ring's value is the share of bytes the flow last reported.
    ring = page.locator("ha-progress-ring[value]")
    ring.wait_for()
    screens.shot(page, "model-download")
    assert 0 < float(ring.get_attribute("value") or 0) <= 100
    page.get_by_role("button", name="Skip and finish").click(timeout=60_000)
    page.wait_for_url("**/config/devices/device/*")
    garden = next(e for e in onboarded.entries(DOMAIN) if e["title"] == "Garden")
    assert garden["state"] == "loaded"


def test_options_in_sections(
    onboarded: HomeAssistant, page: Page, front_door: str, screens: ui.Screens
) -> None:
    """The options form: titled with the setup, grouped, our message for a bad number."""
    page.goto(f"{onboarded.url}/config/integrations/integration/{DOMAIN}")
    page.get_by_role("button", name="Configure").first.click()
    page.get_by_text(f"Options of {FRONT_DOOR}").wait_for()
    for section in ("Prompts", "Keeping models loaded", "Time limits", "Queue"):
        page.get_by_text(section, exact=True).wait_for()
    page.get_by_text("Queue", exact=True).click()
    # Number boxes carry no name: the first box of the open Queue section.
    queue = page.locator("ha-form-expandable").filter(has_text="Analyses at a time")
    queue.locator("input").first.fill("40")
    ui.submit(page)
    page.get_by_text("Analyses at a time: give a whole number from 1 to 16.").wait_for()
    screens.shot(page, "options-form")
    page.keyboard.press("Escape")
    entry = next(e for e in onboarded.entries(DOMAIN) if e["entry_id"] == front_door)
    assert entry["state"] == "loaded"


def test_analyze_image_from_developer_tools(
    onboarded: HomeAssistant,
    page: Page,
    front_door: str,
    images: ThreadedImageServer,
    screens: ui.Screens,
) -> None:
    """Developer tools > Actions in YAML mode; the sensor's dialog shows the result."""
    url = images.add("/doorbell.jpg", make_jpeg(320, 240, colour=(220, 20, 20)))
    action = {
        "action": f"{DOMAIN}.analyze_image",
        "data": {
            "image_url": url,
            "image_name": "doorbell",
            "device_id": onboarded.device_id(front_door),
        },
    }
    ui.perform_action_yaml(page, onboarded.url, yaml_dump(action))
    expected = vision_sentence(320, 240, "red")
    page.get_by_text(expected).first.wait_for()
    screens.shot(page, "developer-tools-action")

    ui.open_entity(page, "doorbell", "doorbell")
    page.locator("ha-more-info-dialog").get_by_text(expected).first.wait_for()
    screens.shot(page, "entity-dialog")
    # Details lists the attributes under their translated names.
    dialog = page.locator("ha-more-info-dialog")
    dialog.get_by_role("button", name="Menu").click()
    page.get_by_role("menuitem", name="Details").click()
    for name in ("Full description", "Duration (s)", "Analyzed at"):
        dialog.get_by_text(name, exact=True).wait_for()
    assert dialog.get_by_text("full_description", exact=True).count() == 0
    screens.shot(page, "entity-attributes")
    assert onboarded.state("sensor.front_door_doorbell") is not None
    assert images.requested("/doorbell.jpg")


def test_api_paths_never_count_as_failed_logins(
    onboarded: HomeAssistant, page: Page, front_door: str, screens: ui.Screens
) -> None:
    """/api/ paths in a real Home Assistant, whose IP ban is on by default.

    The brand icon comes through the relay; core's error log, which only
    administrators may read, is refused with a 403 that says so, and Home
    Assistant raises no "Login attempt failed" notification.
    """
    device = onboarded.device_id(front_door)
    icon = f"/api/brands/integration/{DOMAIN}/icon.png"
    result = onboarded.call_service_with_response(
        DOMAIN,
        "analyze_image",
        {"image_url": icon, "image_name": "icon", "device_id": device},
    )
    assert result["description"].startswith("Image 1 is 256x256 pixels")
    refused = "HTTP 403: Home Assistant lets only administrators read this path"
    error_log = {
        "image_url": "/api/error_log",
        "image_name": "log",
        "device_id": device,
    }
    with pytest.raises(ApiError) as err:
        onboarded.call_service_with_response(DOMAIN, "analyze_image", error_log)
    assert refused in str(err.value)
    action = {"action": f"{DOMAIN}.analyze_image", "data": error_log}
    ui.perform_action_yaml(page, onboarded.url, yaml_dump(action), shows=refused)
    screens.shot(page, "admin-only-path-refused")
    notifications = onboarded.ws({"type": "persistent_notification/get"})
    assert "Login attempt failed" not in [n["title"] for n in notifications]
    assert "invalid authentication" not in onboarded.log_path.read_text()


PICTURES_DASHBOARD = "ollama-pictures"
CARD_TYPES = {"picture-entity", "picture-glance", "tile", "markdown"}


def readme_cards() -> list[dict[str, Any]]:
    """The README's dashboard cards (its YAML blocks that are cards), by type."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)]
    cards = [b for b in blocks if isinstance(b, dict) and b.get("type") in CARD_TYPES]
    assert {card["type"] for card in cards} == CARD_TYPES
    return cards


def shows_width(page: Page, selector: str, width: int) -> bool:
    """Whether the first `<img>` of `selector` has loaded a picture `width` wide."""
    loaded = page.locator(selector).first.evaluate(
        "img => img.complete ? img.naturalWidth : 0"
    )
    return int(loaded) == width


def loaded_width(page: Page, url: str) -> int:
    """The width of the picture at `url` as the browser loads it; 0 if it cannot."""
    width = page.evaluate(
        """url => new Promise(done => {
            const img = new Image();
            img.onload = () => done(img.naturalWidth);
            img.onerror = () => done(0);
            img.src = url;
        })""",
        url,
    )
    return int(width)


def test_pictures_on_a_dashboard(
    onboarded: HomeAssistant,
    page: Page,
    front_door: str,
    images: ThreadedImageServer,
    screens: ui.Screens,
) -> None:
    """The README's cards, as written, show the image entity's picture, and an
    entities card the sensor's thumbnail; a new analysis replaces the pictures in
    the open page; and Home Assistant counts no failed login."""

    def analyze(width: int, height: int, colour: tuple[int, int, int]) -> None:
        url = images.add(f"/porch-{width}.jpg", make_jpeg(width, height, colour=colour))
        onboarded.call_service_with_response(
            DOMAIN,
            "analyze_image",
            {"image_url": url, "image_name": "porch", "config_entry_id": front_door},
        )

    analyze(400, 300, (20, 120, 220))
    dashboards = onboarded.ws({"type": "lovelace/dashboards/list"})
    if PICTURES_DASHBOARD not in [d["url_path"] for d in dashboards]:
        onboarded.ws(
            {
                "type": "lovelace/dashboards/create",
                "url_path": PICTURES_DASHBOARD,
                "title": "Pictures",
                "mode": "storage",
            }
        )
    cards = [
        *readme_cards(),
        {"type": "entities", "entities": ["sensor.front_door_porch"]},
    ]
    onboarded.ws(
        {
            "type": "lovelace/config/save",
            "url_path": PICTURES_DASHBOARD,
            "config": {"views": [{"path": "porch", "cards": cards}]},
        }
    )
    page.goto(f"{onboarded.url}/{PICTURES_DASHBOARD}/porch")
    pictures = [f"hui-{kind}-card img" for kind in sorted(CARD_TYPES)]
    for selector in pictures:
        wait_until(
            partial(shows_width, page, selector, 400), 30, f"the picture in {selector}"
        )
    badge = page.locator("hui-entities-card state-badge").first
    badge.wait_for()
    thumbnail = str(badge.evaluate("b => getComputedStyle(b).backgroundImage"))
    link = re.fullmatch(r'url\("(.+)"\)', thumbnail)
    assert link is not None, thumbnail
    assert "/api/image_proxy/image.front_door_porch?token=" in link[1]
    assert loaded_width(page, link[1]) == 400
    screens.shot(page, "picture-card")

    # A new picture shows in the open page.
    analyze(240, 160, (220, 200, 20))
    for selector in pictures:
        wait_until(
            partial(shows_width, page, selector, 240), 30, f"the new one in {selector}"
        )

    notifications = onboarded.ws({"type": "persistent_notification/get"})
    assert "Login attempt failed" not in [n["title"] for n in notifications]
    assert "invalid authentication" not in onboarded.log_path.read_text()


def test_analyze_video_from_developer_tools(
    onboarded: HomeAssistant,
    page: Page,
    front_door: str,
    images: ThreadedImageServer,
    screens: ui.Screens,
) -> None:
    """A clip by URL, read with PyAV in Home Assistant: one frame per scene."""
    clip = make_clip([((220, 20, 20), 2), ((20, 200, 20), 2), ((20, 20, 220), 2)])
    url = images.add("/driveway.mp4", clip, content_type="video/mp4")
    action = {
        "action": f"{DOMAIN}.analyze_image",
        "data": {
            "video": url,
            "image_name": "driveway_clip",
            "device_id": onboarded.device_id(front_door),
        },
    }
    ui.perform_action_yaml(page, onboarded.url, yaml_dump(action))
    page.get_by_text("Image 3 is 320x180 pixels, mostly blue.").first.wait_for()
    screens.shot(page, "developer-tools-video")
    # The form shows the video fields with their translated names.
    page.get_by_role("button", name="UI mode").click()
    for name in ("Video", "Frigate event ID", "Watch for", "Frames per video"):
        page.get_by_text(name, exact=True).first.wait_for()
    page.get_by_text("Frames per video", exact=True).first.scroll_into_view_if_needed()
    screens.shot(page, "developer-tools-video-fields")
    state = onboarded.state("sensor.front_door_driveway_clip")
    assert state is not None
    assert state["state"] == (
        "Image 1 is 320x180 pixels, mostly red. Image 2 is 320x180 pixels, mostly"
        " green. Image 3 is 320x180 pixels, mostly blue."
    )


def test_ai_task_from_developer_tools(
    onboarded: HomeAssistant, page: Page, front_door: str, screens: ui.Screens
) -> None:
    """ai_task.generate_data on the setup's entity, a camera's snapshot attached,
    answers in the structure asked for (the README's parcel check)."""
    picture = onboarded.config_dir / "www" / "doorstep.jpg"
    picture.parent.mkdir(exist_ok=True)
    picture.write_bytes(make_jpeg(300, 200, colour=(150, 80, 20)))
    if onboarded.state("camera.doorstep") is None:
        camera: dict[str, str] = {"file_path": str(picture)}
        if onboarded.version < (2026, 11):  # later ones name it after the file
            camera["name"] = "Doorstep"
        onboarded.config_flow("local_file", camera)
    action = {
        "action": "ai_task.generate_data",
        "data": {
            "task_name": "parcel check",
            "entity_id": "ai_task.front_door",
            "instructions": "Is there a parcel at the door?",
            "structure": {
                "parcel": {"required": True, "selector": {"boolean": {}}},
                "parcels": {"selector": {"number": {"min": 0}}},
            },
            "attachments": [
                {
                    "media_content_id": "media-source://camera/camera.doorstep",
                    "media_content_type": "image/jpeg",
                }
            ],
        },
    }
    ui.perform_action_yaml(page, onboarded.url, yaml_dump(action))
    page.get_by_text("parcel: true").first.wait_for()
    answer = page.get_by_text("parcels: 1").first
    answer.wait_for()
    answer.scroll_into_view_if_needed()
    screens.shot(page, "ai-task-action")
    state = onboarded.state("ai_task.front_door")
    assert state is not None
    assert state["state"] not in ("unknown", "unavailable")


# One question of each kind about a red picture: the emulator's vision model is
# sure (0.9) of what names the colour it sees, unsure (0.1) of the rest.
EVALUATE_QUESTIONS = {
    "red_car": {"type": "noul", "instructions": "Is the car in the driveway red?"},
    "colour": {
        "type": "choice",
        "instructions": "What colour is the car?",
        "criteria": {"red": "a red car", "blue": "a blue car"},
    },
    "redness": {
        "type": "score",
        "instructions": "How much of the picture is red?",
        "criteria": ["none", "some", "mostly red"],
    },
}
EVALUATE = 8  # AITaskEntityFeature.EVALUATE, from 2026.11


def test_ai_task_evaluate(onboarded: HomeAssistant, front_door: str) -> None:
    """ai_task.evaluate over the REST API, a picture from the media folder
    attached: every kind of question answered, the numbers as ai_task promises."""
    state = onboarded.state("ai_task.front_door")
    assert state is not None
    features = int(state["attributes"]["supported_features"])
    if onboarded.version < (2026, 11):
        assert not features & EVALUATE
        pytest.skip(
            "ai_task.evaluate came with Home Assistant 2026.11; this is "
            f"{'.'.join(map(str, onboarded.version))}, where the entity only "
            "generates data (checked)"
        )
    assert features & EVALUATE
    picture = media_dir(onboarded.config_dir) / "driveway.jpg"
    picture.write_bytes(make_jpeg(400, 300, colour=(220, 20, 20)))
    result = onboarded.call_service_with_response(
        "ai_task",
        "evaluate",
        {
            "task_name": "driveway check",
            "entity_id": "ai_task.front_door",
            "questions": EVALUATE_QUESTIONS,
            "state": {"garage_door": "open"},
            "attachments": [
                {
                    "media_content_id": "media-source://media_source/local/driveway.jpg",
                    "media_content_type": "image/jpeg",
                }
            ],
        },
    )
    answers = result["answers"]
    assert answers["red_car"] == {"type": "noul", "noul": 0.9}
    assert answers["colour"]["type"] == "choice"
    assert answers["colour"]["choice"] == "red"
    assert answers["colour"]["probabilities"] == pytest.approx(
        {"red": 0.9, "blue": 0.1}
    )
    likely, unlikely = 9 / 11, 1 / 11
    assert answers["redness"]["type"] == "score"
    assert answers["redness"]["probabilities"] == pytest.approx(
        [unlikely, unlikely, likely]
    )
    assert answers["redness"]["score"] == pytest.approx(unlikely + 2 * likely)


def test_summarize_timeline_from_developer_tools(
    onboarded: HomeAssistant,
    page: Page,
    front_door: str,
    images: ThreadedImageServer,
    screens: ui.Screens,
) -> None:
    """summarize_timeline, an action that only answers, in Developer tools: the
    setup's model (here its vision model, with no picture) sums up the analysis."""
    url = images.add("/summary.jpg", make_jpeg(320, 240, colour=(20, 200, 20)))
    onboarded.call_service_with_response(
        DOMAIN,
        "analyze_image",
        {"image_url": url, "image_name": "summary_door", "config_entry_id": front_door},
    )
    data = {"config_entry_id": front_door, "image_names": ["summary_door"]}
    action = {"action": f"{DOMAIN}.summarize_timeline", "data": data}

    ui.perform_action_yaml(page, onboarded.url, yaml_dump(action))

    page.get_by_text("entries: 1").first.wait_for()
    page.get_by_text("left_out: 0").first.wait_for()
    screens.shot(page, "summarize-timeline-action")
    answer = onboarded.call_service_with_response(DOMAIN, "summarize_timeline", data)
    assert vision_sentence(320, 240, "green") in answer["summary"]
    assert (answer["entries"], answer["left_out"]) == (1, 0)


README_TEXT_PROMPT = (
    "You are an AI that introduces people that come visit me. You are cheeky and "
    "love a good roast. based on the following description: "
    "<description>{description}</description> - introduce this guest for me. "
    "Make it short and concise."
)


def readme_automations(image_base: str, device_id: str) -> list[dict[str, Any]]:
    """The original README's two automations, for this test's servers.

    The first describes whoever Frigate sees in a zone; the second tells about
    every description (a persistent notification instead of a phone's).
    """
    after = "trigger.payload_json['after']"
    describe = {
        "id": "describe_person_outside",
        "alias": "Describe the person outside",
        "triggers": [{"trigger": "mqtt", "topic": "frigate/events"}],
        "conditions": [
            {
                "condition": "template",
                "value_template": f"{{{{ {after}['label'] == 'person' }}}}",
            },
            {
                "condition": "template",
                "value_template": f"{{{{ 'front' in {after}['entered_zones'] or "
                f"'back' in {after}['entered_zones'] }}}}",
            },
            {
                "condition": "template",
                "value_template": "{% set last = state_attr("
                "'automation.describe_the_person_outside', 'last_triggered') %}"
                "{{ last is none or (now() - last).total_seconds() > 60 }}",
            },
        ],
        "actions": [
            {
                "action": f"{DOMAIN}.analyze_image",
                "data": {
                    "image_url": f"{image_base}/api/frigate/notifications/"
                    f"{{{{ {after}['id'] }}}}/thumbnail.jpg",
                    "image_name": "person_outside",
                    "use_text_model": True,
                    "text_prompt": README_TEXT_PROMPT,
                    "device_id": device_id,
                },
            }
        ],
    }
    notify = {
        "id": "send_analysis_results",
        "alias": "Send analysis results",
        "triggers": [{"trigger": "event", "event_type": f"{DOMAIN}_image_analyzed"}],
        "actions": [
            {
                "action": "persistent_notification.create",
                "continue_on_error": True,
                "data": {
                    "notification_id": "vision_{{ trigger.event.data.image_name }}",
                    "title": "{{ trigger.event.data.image_name }}",
                    "message": "{{ trigger.event.data.final_description }}",
                },
            }
        ],
    }
    return [describe, notify]


def frigate_event(
    event_id: str,
    zones: list[str],
    camera: str = "front_door",
    label: str = "person",
) -> dict[str, Any]:
    """A `frigate/events` message as Frigate publishes it (the parts that matter)."""
    after = {
        "id": event_id,
        "camera": camera,
        "label": label,
        "entered_zones": zones,
        "has_snapshot": True,
        "start_time": 1_732_400_000.0,
    }
    return {"type": "new", "before": {**after, "entered_zones": []}, "after": after}


def wait_for_notification(
    ha: HomeAssistant, notification_id: str, timeout: float
) -> dict[str, Any]:
    """The persistent notification with this id, once it exists."""
    found: list[dict[str, Any]] = []

    def exists() -> bool:
        items = ha.ws({"type": "persistent_notification/get"})
        found[:] = [n for n in items if n["notification_id"] == notification_id]
        return bool(found)

    wait_until(exists, timeout, f"persistent notification {notification_id}")
    return found[0]


def ensure_mqtt(ha: HomeAssistant, mqtt_broker: MqttBroker) -> None:
    """The MQTT integration on the test's broker, set up through its flow if missing."""
    if ha.entries("mqtt"):
        return
    # What the MQTT form sends for a plain local broker: no TLS, no certificates.
    plain = {"set_client_cert": False, "set_ca_cert": "off", "transport": "tcp"}
    broker = {"broker": "127.0.0.1", "port": mqtt_broker.port, "other_settings": plain}
    ha.config_flow("mqtt", broker)


def test_readme_automations_over_mqtt(
    onboarded: HomeAssistant,
    emulator: str,
    images: ThreadedImageServer,
    mqtt_broker: MqttBroker,
) -> None:
    """A Frigate event on a real broker runs both of the README's automations."""
    ensure_mqtt(onboarded, mqtt_broker)
    frigate = ensure_entry(onboarded, emulator, FRIGATE, text=True)
    base = images.server.base_url
    automations = readme_automations(base, onboarded.device_id(frigate))
    (onboarded.config_dir / "automations.yaml").write_text(
        yaml_dump(automations), encoding="utf-8"
    )
    onboarded.call_service("automation", "reload", {})
    wait_for_state(
        onboarded, "automation.describe_the_person_outside", lambda s: s == "on", 20
    )
    event_id = "1732400000.123456-abcdef"
    thumbnail = f"/api/frigate/notifications/{event_id}/thumbnail.jpg"
    images.add(thumbnail, make_jpeg(400, 300, colour=(20, 20, 220)))

    mqtt_broker.wait_for_subscription("frigate/events", timeout=20)
    mqtt_broker.publish_json("frigate/events", frigate_event("ignored", ["street"]))
    mqtt_broker.publish_json("frigate/events", frigate_event(event_id, ["front"]))

    message = wait_for_notification(onboarded, "vision_person_outside", 60)["message"]
    # The text model's introduction of what the vision model saw.
    expected = f"Ding dong, a visitor: {vision_sentence(400, 300, 'blue')}"
    assert message == expected, message
    assert images.requested(thumbnail)
    assert not images.requested("/api/frigate/notifications/ignored/thumbnail.jpg")
    sensor = onboarded.state("sensor.frigate_person_outside")
    assert sensor is not None
    assert message.startswith(sensor["state"].removesuffix("…"))


def timeline_events(ha: HomeAssistant, calendar: str) -> list[dict[str, Any]]:
    """The calendar's events from yesterday to tomorrow, through the REST API."""
    now = datetime.now(UTC)
    window = urlencode(
        {
            "start": (now - timedelta(days=1)).isoformat(),
            "end": (now + timedelta(days=1)).isoformat(),
        }
    )
    return list(ha.get(f"/api/calendars/{calendar}?{window}"))


def fetch_as_user(ha: HomeAssistant, path: str, *, signed_in: bool) -> int:
    """The status Home Assistant answers a GET of `path` with."""
    headers = {"Authorization": f"Bearer {ha.token}"} if signed_in else {}
    request = urllib.request.Request(ha.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            assert body.startswith(b"\xff\xd8"), "not a JPEG"
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


BLUEPRINT_PATH = "ollama_vision/describe_camera_events.yaml"


def test_blueprint_frigate_event_to_notification(
    onboarded: HomeAssistant,
    page: Page,
    emulator: str,
    images: ThreadedImageServer,
    mqtt_broker: MqttBroker,
    screens: ui.Screens,
) -> None:
    """The blueprint, imported as a file and used through the automation API:
    Frigate events of another camera, another label or outside the zones are
    skipped before anything is fetched; the one that counts ends in a
    notification with the description and the picture, which the browser
    loads without signing in."""
    ensure_mqtt(onboarded, mqtt_broker)
    front_door = ensure_entry(onboarded, emulator, FRONT_DOOR, text=False)
    target = onboarded.config_dir / "blueprints" / "automation" / BLUEPRINT_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "blueprints" / "automation" / BLUEPRINT_PATH, target)
    listed = onboarded.ws({"type": "blueprint/list", "domain": "automation"})
    assert "error" not in listed[BLUEPRINT_PATH], listed[BLUEPRINT_PATH]

    automation = {
        "alias": "Describe driveway visitors",
        "description": "",
        "use_blueprint": {
            "path": BLUEPRINT_PATH,
            "input": {
                "trigger_source": "frigate",
                "frigate_cameras": ["driveway"],
                "frigate_labels": ["person", "car"],
                "frigate_zones": ["drive"],
                "frigate_url": images.server.base_url,
                "cooldown": 60,
                "ollama_vision_device": onboarded.device_id(front_door),
                "image_name": "driveway",
                "notify_actions": ["notify.persistent_notification"],
            },
        },
    }
    onboarded.post("/api/config/automation/config/describe_driveway", automation)
    wait_for_state(
        onboarded, "automation.describe_driveway_visitors", lambda s: s == "on", 20
    )
    event_id = "1732400100.654321-qwerty"
    snapshot = f"/api/events/{event_id}/snapshot.jpg"
    images.add(snapshot, make_jpeg(360, 240, colour=(20, 200, 20)))

    mqtt_broker.wait_for_subscription("frigate/events", timeout=20)
    skipped = {
        "elsewhere": frigate_event("elsewhere", ["drive"], camera="garden"),
        "dog": frigate_event("dog", ["drive"], camera="driveway", label="dog"),
        "street": frigate_event("street", ["street"], camera="driveway"),
    }
    for message in skipped.values():
        mqtt_broker.publish_json("frigate/events", message)
    mqtt_broker.publish_json(
        "frigate/events", frigate_event(event_id, ["drive"], camera="driveway")
    )

    note = wait_for_notification(onboarded, "ollama_vision_driveway", 60)
    text, _, picture = note["message"].partition("\n\n![Driveway](")
    assert text == vision_sentence(360, 240, "green")
    assert note["title"] == "Driveway"
    assert images.requested(snapshot)
    for skipped_id in skipped:
        assert not images.requested(f"/api/events/{skipped_id}/snapshot.jpg")
    sensor = onboarded.state("sensor.front_door_driveway")
    assert sensor is not None
    assert sensor["state"] == text
    # The analysis's own snapshot, signed: the notification shows it.
    assert picture.startswith("/media/local/ollama_vision/front_door/")
    assert fetch_as_user(onboarded, picture.removesuffix(")"), signed_in=False) == 200

    # The form a person fills in, as the automation editor shows it.
    # A taller window, so the picture shows more of the form.
    page.set_viewport_size({"width": ui.VIEWPORT["width"], "height": 1500})
    try:
        page.goto(f"{onboarded.url}/config/automation/edit/describe_driveway")
        frigate = page.get_by_role("radio", name="A Frigate event (MQTT)")
        frigate.wait_for()
        assert frigate.is_checked()
        screens.shot(page, "blueprint-form")
    finally:
        page.set_viewport_size(ui.VIEWPORT)


CARD = "ollama-vision-timeline-card"
PHONE = {"width": 375, "height": 812}


def ensure_dashboard(ha: HomeAssistant, url_path: str, title: str) -> str:
    """A dashboard of its own for the card (storage mode, empty); its URL."""
    dashboards = ha.ws({"type": "lovelace/dashboards/list"})
    if url_path not in [d["url_path"] for d in dashboards]:
        ha.ws(
            {
                "type": "lovelace/dashboards/create",
                "url_path": url_path,
                "title": title,
                "mode": "storage",
            }
        )
    return f"{ha.url}/{url_path}/0"


def calm(page: Page) -> None:
    """No pointer over the card and no "Saved" toast: a picture as a person
    would see the card after a moment."""
    page.mouse.move(0, 0)
    page.locator("ha-toast").wait_for(state="hidden")


def loaded_thumbnails(page: Page) -> int:
    """How many of the card's thumbnails the browser has loaded (and decoded)."""
    return int(
        page.locator(f"{CARD} img.thumb").evaluate_all(
            "images => images.filter(i => i.complete && i.naturalWidth > 0).length"
        )
    )


def test_timeline_card_on_a_dashboard(
    onboarded: HomeAssistant,
    page: Page,
    front_door: str,
    images: ThreadedImageServer,
    screens: ui.Screens,
) -> None:
    """The card from the card picker (its stub shows five), three analyses
    with their pictures, one opened, and a fourth that appears by itself;
    light, dark and phone."""
    door, garden = (220, 20, 20), (20, 200, 20)
    pictures = {
        "doorbell": images.add("/card-doorbell.jpg", make_jpeg(320, 240, colour=door)),
        # A clip of three scenes: the dialog lists its frames with their times.
        "garden": images.add(
            "/card-garden.mp4",
            make_clip([(garden, 2), ((20, 20, 220), 2), ((230, 200, 20), 2)]),
            content_type="video/mp4",
        ),
        "letterbox": images.add(
            "/card-letterbox.jpg", make_jpeg(320, 240, colour=(230, 200, 20))
        ),
    }
    # A structured answer: its title and its table read as words.
    parcel = {
        "parcel": {"required": True, "selector": {"boolean": {}}},
        "people": {"required": True, "selector": {"number": {"min": 0}}},
    }

    def analyse(name: str, **extra: Any) -> dict[str, Any]:
        source = "video" if pictures[name].endswith(".mp4") else "image_url"
        data = {source: pictures[name], "image_name": name, **extra}
        return onboarded.call_service_with_response(
            DOMAIN, "analyze_image", {**data, "config_entry_id": front_door}
        )

    # The card shows every setup's timeline: only this test's analyses on it.
    for entry in onboarded.entries(DOMAIN):
        if entry["state"] == "loaded":
            onboarded.call_service(
                DOMAIN, "clear_timeline", {"config_entry_id": entry["entry_id"]}
            )
    analyse("doorbell")
    analyse("garden")
    analyse("doorbell", structure=parcel)
    media_statuses: list[int] = []
    page.on(
        "response",
        lambda response: (
            media_statuses.append(response.status)
            if "/media/local/ollama_vision/" in response.url
            else None
        ),
    )
    page.goto(ensure_dashboard(onboarded, "camera-timeline", "Cameras"))

    ui.add_card_from_picker(page, "Ollama Vision", "Ollama Vision timeline")
    # The visual editor, labelled in the user's language, beside a preview.
    editor = page.locator(f"{CARD}-editor")
    for label in ("Setup (empty: all setups)", "Layout", "Number of entries"):
        editor.get_by_text(label).first.wait_for()
    page.locator(f"{CARD} button.entry").nth(2).wait_for()
    screens.shot(page, "timeline-card-editor")
    ui.save_card_and_finish_editing(page)

    entries = page.locator(f"{CARD} button.entry")
    entries.nth(2).wait_for()
    assert entries.count() == 3
    assert [entries.nth(n).locator(".name").inner_text() for n in range(3)] == [
        "doorbell",
        "garden",
        "doorbell",
    ]
    assert entries.first.locator(".title").inner_text() == "Parcel: yes · People: 1"
    wait_until(lambda: loaded_thumbnails(page) == 3, 20, "three thumbnails to load")
    oldest = entries.nth(2).locator("img.thumb")
    assert oldest.get_attribute("alt") == vision_sentence(320, 240, "red")
    calm(page)
    screens.shot(page, "timeline-card")

    # The whole entry, then Escape: back on the entry that opened it.
    entries.nth(1).click()
    dialog = page.locator(f"{CARD} dialog[open]")
    dialog.get_by_text("Image 3 is 320x180 pixels, mostly yellow.").wait_for()
    frames = dialog.locator("table.frames tbody tr")
    assert frames.count() == 3
    assert frames.first.locator("td").first.inner_text() == "0 s"
    dialog.locator("img.picture").wait_for()
    wait_until(
        lambda: dialog.locator("img.picture").evaluate("i => i.naturalWidth") > 0,
        20,
        "the full-size picture to load",
    )
    screens.shot(page, "timeline-card-dialog")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert entries.nth(1).evaluate("e => e.matches(':focus')")
    entries.nth(1).evaluate("e => e.blur()")

    # A fourth analysis appears at the top, with no reload of the page.
    page.evaluate("window.__sameDocument = true")
    analyse("letterbox")
    wait_until(
        lambda: entries.first.locator(".name").inner_text() == "letterbox",
        30,
        "the new analysis on the card",
    )
    assert entries.count() == 4
    assert page.evaluate("window.__sameDocument") is True
    wait_until(lambda: loaded_thumbnails(page) == 4, 20, "the new thumbnail")
    # Every picture came with its signed link: no 401, no failed login.
    assert media_statuses
    assert set(media_statuses) == {200}, media_statuses

    page.emulate_media(color_scheme="dark")
    try:
        calm(page)
        screens.shot(page, "timeline-card-dark")
    finally:
        page.emulate_media(color_scheme="light")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    try:
        wait_until(
            lambda: loaded_thumbnails(page) == 4, 20, "thumbnails at phone width"
        )
        # The whole card fits the phone's width.
        width = page.locator(f"{CARD} ha-card").evaluate(
            "c => c.getBoundingClientRect().right"
        )
        assert width <= PHONE["width"]
        calm(page)
        screens.shot(page, "timeline-card-phone")
    finally:
        page.set_viewport_size(ui.VIEWPORT)


def test_sensor_and_timeline_survive_a_restart(
    onboarded: HomeAssistant,
    page: Page,
    front_door: str,
    images: ThreadedImageServer,
    screens: ui.Screens,
) -> None:
    """Stop Home Assistant, start it again: the image sensor keeps its last state,
    the timeline its event and snapshot, the image entity shows the snapshot, and
    the calendar panel shows them."""
    url = images.add("/porch.jpg", make_jpeg(200, 100, colour=(20, 200, 20)))
    answer = onboarded.call_service_with_response(
        DOMAIN,
        "analyze_image",
        {"image_url": url, "image_name": "porch", "config_entry_id": front_door},
    )
    entity_id = "sensor.front_door_porch"
    before = wait_for_state(
        onboarded, entity_id, lambda s: s not in ("unknown", "unavailable"), 30
    )
    assert before == vision_sentence(200, 100, "green")
    summary = f"porch: {before}"
    calendar = "calendar.front_door_timeline"
    assert summary in [
        event["summary"] for event in timeline_events(onboarded, calendar)
    ]

    onboarded.restart()

    after = wait_for_state(onboarded, entity_id, lambda s: s != "unavailable", 60)
    assert after == before
    events = [
        e for e in timeline_events(onboarded, calendar) if e["summary"] == summary
    ]
    assert events, "the timeline lost its event in the restart"
    assert events[0]["description"] == before
    snapshot_url = answer["snapshot_url"]
    assert fetch_as_user(onboarded, snapshot_url, signed_in=True) == 200
    # The image entity shows that snapshot again, under a link of its own.
    image = "image.front_door_porch"
    shown = wait_for_state(onboarded, image, lambda s: s != "unavailable", 30)
    assert shown == answer["analyzed_at"]
    link = (onboarded.state(image) or {})["attributes"]["entity_picture"]
    assert fetch_as_user(onboarded, link, signed_in=False) == 200
    assert fetch_as_user(onboarded, snapshot_url, signed_in=False) == 401

    page.goto(f"{onboarded.url}/calendar")
    # The list view shows each event's whole title; a busy month cell hides some.
    page.get_by_label(re.compile("^list", re.IGNORECASE)).first.click()
    page.get_by_text(summary).first.wait_for()
    screens.shot(page, "calendar-timeline")
