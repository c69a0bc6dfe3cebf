"""The one check of a call refused before its job is queued."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import (
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from tests.conftest import SECRET, analyze
from tests.ollama_emulator import OllamaEmulator


async def assert_refused_before_queueing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    *,
    code: str,
    words: str,
    bad: dict[str, Any],
    good: dict[str, Any],
) -> Any:
    """A call with `bad` is refused before anything is queued: the same
    ServiceValidationError with `code` (its message saying `words`, and no secret)
    whether the call asks for a response or not. No event, nothing sent to the
    model; then a call with `good` succeeds. Returns the good call's answer.
    """
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    messages: list[str] = []
    for response in (False, True):
        with pytest.raises(ServiceValidationError) as err:
            await analyze(hass, response=response, image_name="porch", **bad)
        assert err.value.translation_domain == DOMAIN
        assert err.value.translation_key == code
        assert words.lower() in str(err.value).lower()
        assert SECRET not in str(err.value)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    queue = entry.runtime_data.queue
    assert queue.waiting == queue.running == 0
    # One job at a time, in order: a job the refused calls had queued would
    # have ended (and fired its failure event) before this one is answered.
    assert entry.runtime_data.settings.concurrency == 1
    result = await analyze(hass, response=True, image_name="good", **good)
    await hass.async_block_till_done()
    assert failed == []
    assert [event.data["image_name"] for event in analyzed] == ["good"]
    assert len(ollama_emulator.generate_requests()) == 1
    assert hass.states.get("sensor.front_door_porch") is None
    return result
