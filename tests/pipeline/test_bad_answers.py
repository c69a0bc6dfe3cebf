"""Answers no well-behaved Ollama gives: one huge line, garbage, a proxy's error page.

Each ends as a failure with a documented code and a message saying what was wrong,
logged as one warning without a traceback; a long but valid one-line answer works.
"""

import logging

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import EVENT_IMAGE_ANALYSIS_FAILED
from custom_components.ollama_vision.ollama.client import MAX_ANSWER_BYTES
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from tests.conftest import analyze
from tests.ollama_emulator import FaultKind, OllamaEmulator

RED_640 = "Image 1 is 640x480 pixels, mostly red."


def integration_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the integration logged at WARNING or above."""
    return [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.ollama_vision")
        and record.levelno >= logging.WARNING
    ]


async def fail(hass: HomeAssistant, **data: object) -> tuple[str, dict[str, object]]:
    """Run a call that must fail; return its error text and failure event."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_name="porch", **data)
    await hass.async_block_till_done()
    [event] = failed
    assert event.data["message"] == str(err.value)
    return str(err.value), dict(event.data)


async def test_one_line_answer_within_the_cap_is_read(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A whole answer on one line, far longer than aiohttp's line reader takes (128 KiB)."""
    ollama_emulator.inject("one_line", size=10_000_000)
    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert result["description"] == RED_640


@pytest.mark.parametrize("fault", ["one_line", "garbage_line"])
async def test_answer_over_the_cap_is_refused(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
    fault: FaultKind,
) -> None:
    """A line bigger than the whole answer may be fails as too large, without a traceback."""
    ollama_emulator.inject(fault, size=MAX_ANSWER_BYTES + 1)
    message, event = await fail(hass, image_url=door_jpeg)
    assert message == (
        "The vision model failed: the server's answer is larger than 16 MiB"
    )
    assert event["error"] == "vision_model_failed"
    assert event["stage"] == "vision_model"
    [record] = integration_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "(vision_model_failed)" in record.getMessage()


async def test_long_garbage_line_is_not_json(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A long line that is not JSON is reported as such, for the text model too."""
    ollama_emulator.inject("garbage_line", model="llama3.1", size=1_000_000)
    message, event = await fail(hass, image_url=door_jpeg, use_text_model=True)
    assert message == ("The text model failed: the server sent a line that is not JSON")
    assert event["error"] == "text_model_failed"
    assert event["stage"] == "text_model"


async def test_proxy_error_page_in_latin1(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """A 502 page that is not UTF-8 keeps its status; bad bytes are replaced."""
    ollama_emulator.inject("proxy_502")
    message, event = await fail(hass, image_url=door_jpeg)
    assert message.startswith("The vision model failed: HTTP 502: <html><body>")
    assert "502 Passerelle d\ufffdfectueuse" in message
    assert event["error"] == "vision_model_failed"
