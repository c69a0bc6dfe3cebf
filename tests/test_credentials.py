"""Passwords in URLs stay out of everything people and logs see, even in bad URLs."""

import logging

from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ollama_vision.const import (
    CONF_TEXT_HOST,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
)
from custom_components.ollama_vision.ollama.redact import redact_credentials
from custom_components.ollama_vision.settings import DEFAULT_OPTIONS
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from tests.conftest import analyze, json_object, state_of
from tests.image_server import ImageServer
from tests.ollama_emulator import OllamaEmulator

SECRET = "hunter2"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("http://admin:hunter2@cam/x.jpg", "http://admin:***@cam/x.jpg"),
        ("http://admin:hunter2@cam:99999/x", "http://admin:***@cam:99999/x"),
        ("http://admin:hun#ter2@cam/x", "http://admin:***@cam/x"),
        ("http://admin:h/u@nter2@cam/x", "http://admin:***@cam/x"),
        (
            "RTSP://a:b@cam and https://c:d@e/f.",
            "RTSP://a:***@cam and https://c:***@e/f.",
        ),
        ("'http://a:b@c' \"http://d:e@f\"", "'http://a:***@c' \"http://d:***@f\""),
        ("http://user@cam/x", "http://user@cam/x"),
        ("http://cam/x?mail=a@b", "http://cam/x?mail=a@b"),
        ("no address: a:b@c", "no address: a:b@c"),
    ],
)
def test_masking_of_text(text: str, masked: str) -> None:
    """Masked in any text, parseable as a URL or not; other text unchanged."""
    assert redact_credentials(text) == masked


@pytest.mark.parametrize(
    "template",
    [
        "http://admin:hunter2@127.0.0.1:99999/cam.jpg",  # port out of range
        "http://admin:hun#ter2@{host}/cam.jpg",  # unencoded '#'
        "http://admin:hunter2/x@{host}/cam.jpg",  # unencoded '/'
        "http://admin:hunter2@{host}/missing.jpg",  # a valid URL, a 404
    ],
)
async def test_password_in_a_bad_image_url_never_shown(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    caplog: pytest.LogCaptureFixture,
    template: str,
) -> None:
    """Not in the error, the failure event, the sensor or the log."""
    caplog.set_level(logging.DEBUG)
    url = template.format(host=image_server.url().removeprefix("http://").rstrip("/"))
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=url, image_name="cam")
    await hass.async_block_till_done()

    [event] = failed
    assert event.data["error"] == "image_fetch_failed"
    assert event.data["image_url"].startswith("http://admin:***@")
    assert event.data["image_sources"] == [event.data["image_url"]]
    for shown in (str(err.value), str(event.data), caplog.text):
        assert "hunter2" not in shown
        assert "ter2" not in shown
    assert hass.states.get("sensor.front_door_cam") is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_password_in_the_server_address_never_shown(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    door_jpeg: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A proxy's user and password in the server URL stay out of sensors and errors."""
    caplog.set_level(logging.DEBUG)
    address = ollama_emulator.url.removeprefix("http://")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Porch",
        data={
            CONF_NAME: "Porch",
            CONF_VISION_HOST: f"http://proxy:{SECRET}@{address}",
            CONF_VISION_MODEL: "moondream:latest",
            CONF_TEXT_MODEL_ENABLED: False,
        },
        options=DEFAULT_OPTIONS,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert ollama_emulator.requests[0].headers["Authorization"].startswith("Basic ")
    assert state_of(hass, "sensor.porch_vision_model").state == (
        f"moondream:latest @ proxy:***@{address}"
    )

    await ollama_emulator.stop()
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=door_jpeg, image_name="x")
    await hass.async_block_till_done()
    assert str(err.value) == f"Cannot reach the Ollama server at proxy:***@{address}"
    assert "hunter2" not in caplog.text
    assert "hunter2" not in str(failed[0].data)
    assert "hunter2" not in str(err.value)


@given(
    scheme=st.sampled_from(["http", "https", "rtsp", "HTTP"]),
    user=st.text(st.characters(exclude_characters=":/?#@'\"<>"), max_size=8).filter(
        lambda user: not any(char.isspace() for char in user)
    ),
    password=st.text(st.characters(exclude_characters="'\"<>"), max_size=12).filter(
        lambda password: not any(char.isspace() for char in password)
    ),
    rest=st.sampled_from(["cam", "cam:99999/x", "cam/a b", "[::1", "cam/?q=1"]),
    before=st.sampled_from(["", "error: ", "(", "url="]),
)
def test_no_password_survives_masking(
    scheme: str, user: str, password: str, rest: str, before: str
) -> None:
    """Whatever the password holds, it is gone from the text; the rest stays."""
    secret = f"S3cr{password}"
    text = f"{before}{scheme}://{user}:{secret}@{rest} and more"
    masked = redact_credentials(text)
    assert secret not in masked
    assert masked == f"{before}{scheme}://{user}:***@{rest} and more"


async def test_password_in_the_server_address_not_in_diagnostics(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    hass_client: ClientSessionGenerator,
) -> None:
    """The diagnostics download shows the addresses, without their passwords."""
    address = ollama_emulator.url.removeprefix("http://")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Porch",
        data={
            CONF_NAME: "Porch",
            CONF_VISION_HOST: f"http://proxy:{SECRET}@{address}",
            CONF_VISION_MODEL: "moondream:latest",
            CONF_TEXT_MODEL_ENABLED: True,
            CONF_TEXT_HOST: f"http://user:{SECRET}@{address}",
            CONF_TEXT_MODEL: "llama3.1:latest",
        },
        options=DEFAULT_OPTIONS,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = json_object(
        await get_diagnostics_for_config_entry(hass, hass_client, entry)
    )
    assert SECRET not in str(diagnostics)
    vision_url = f"http://proxy:***@{address}"
    assert diagnostics["entry"]["data"][CONF_VISION_HOST] == vision_url
    assert diagnostics["servers"]["vision"] == [vision_url.removeprefix("http://")]
    text_url = f"http://user:***@{address}"
    assert diagnostics["entry"]["data"][CONF_TEXT_HOST] == text_url
    assert diagnostics["servers"]["text"] == [text_url.removeprefix("http://")]
