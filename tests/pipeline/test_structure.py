"""Structured answers through analyze_image: the schema sent, the data returned."""

import json
from typing import Any

import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ollama_vision.const import (
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.sensor import ImageDescriptionSensor
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from tests.conftest import analyze, state_of
from tests.ollama_emulator import FaultKind, OllamaEmulator

RED_640 = "Image 1 is 640x480 pixels, mostly red."
STRUCTURE: dict[str, Any] = {
    "cars": {
        "description": "How many cars are in the driveway",
        "required": True,
        "selector": {"number": {"min": 0, "max": 10}},
    },
    "parcel": {"description": "Is there a parcel?", "selector": {"boolean": {}}},
    "summary": {"selector": {"text": {}}},
    "colour": {"selector": {"select": {"options": ["red", "blue"]}}},
}
SCHEMA = {
    "type": "object",
    "properties": {
        "cars": {
            "type": "number",
            "minimum": 0.0,
            "maximum": 10.0,
            "description": "How many cars are in the driveway",
        },
        "parcel": {"type": "boolean", "description": "Is there a parcel?"},
        "summary": {"type": "string"},
        "colour": {"type": "string", "enum": ["red", "blue"]},
    },
    "required": ["cars"],
    "additionalProperties": False,
}
DATA = {"cars": 1.0, "parcel": True, "summary": RED_640, "colour": "red"}


@pytest.mark.usefixtures("setup_entry")
async def test_structure_on_the_vision_model(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The schema goes as `format`, the prompt asks for it, data comes back checked."""
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    result = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="driveway",
        prompt="Count the cars.",
        structure=STRUCTURE,
    )
    # Coerced by the selectors: the number selector makes the count a float.
    assert result["data"] == DATA
    assert isinstance(result["data"]["cars"], float)
    assert json.loads(result["description"]) == {**DATA, "cars": 1}
    assert result["final_description"] == result["description"]
    assert result["prompt"] == "Count the cars."

    (request,) = ollama_emulator.generate_requests()
    assert request.body["format"] == SCHEMA
    assert request.prompt is not None
    assert request.prompt.startswith("Count the cars.\n\n")
    assert "JSON" in request.prompt
    assert json.dumps(SCHEMA, separators=(",", ":")) in request.prompt

    await hass.async_block_till_done()
    assert analyzed[0].data["data"] == DATA
    state = state_of(hass, "sensor.front_door_driveway")
    assert state.attributes["data"] == DATA
    # The recorder keeps it out: data has no size limit of its own.
    assert "data" in ImageDescriptionSensor._unrecorded_attributes


@pytest.mark.usefixtures("setup_entry")
async def test_structure_on_the_text_model(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """With the text model, only it (the final model) answers in JSON."""
    result = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="driveway",
        use_text_model=True,
        text_prompt="From {description}: fill in the fields.",
        structure=STRUCTURE,
    )
    vision, text = ollama_emulator.generate_requests()
    assert "format" not in vision.body
    assert text.body["format"] == SCHEMA
    assert text.prompt is not None
    assert text.prompt.startswith(f"From {RED_640}: fill in the fields.")
    assert result["description"] == RED_640
    # A text model sees no pictures: the emulator counts none.
    assert result["data"]["cars"] == 0.0
    assert result["data"]["parcel"] is False
    assert result["final_description"] == json.dumps(
        result["data"] | {"cars": 0}, separators=(",", ":")
    )


@pytest.mark.usefixtures("setup_entry")
async def test_without_structure_nothing_changes(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """No format, no structured prompt, no `data` anywhere."""
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    result = await analyze(
        hass, response=True, image_url=door_jpeg, image_name="porch", prompt="Hi"
    )
    assert "data" not in result
    (request,) = ollama_emulator.generate_requests()
    assert "format" not in request.body
    assert request.prompt == "Hi"
    await hass.async_block_till_done()
    assert "data" not in analyzed[0].data
    assert "data" not in state_of(hass, "sensor.front_door_porch").attributes


@pytest.mark.parametrize("fault", ["broken_json", "missing_required"])
@pytest.mark.usefixtures("setup_entry")
async def test_one_more_try_after_a_bad_answer(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    fault: FaultKind,
) -> None:
    """A first answer that is not JSON or lacks a required field is asked again."""
    ollama_emulator.inject(fault)
    result = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="drive",
        structure=STRUCTURE,
    )
    assert result["data"] == DATA
    assert [r.fault for r in ollama_emulator.generate_requests()] == [fault, None]


@pytest.mark.parametrize(
    ("fault", "quoted"),
    [
        ("broken_json", '{"answer": "I think there are'),
        ("missing_required", '{"parcel":true,"summary":"Image 1 is 640x480 pixels'),
    ],
)
@pytest.mark.usefixtures("setup_entry")
async def test_two_bad_answers_fail(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    fault: FaultKind,
    quoted: str,
) -> None:
    """Two bad answers: invalid_structured_answer, one failure event, no sensor."""
    ollama_emulator.inject(fault, times=2)
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError, match="twice") as err:
        await analyze(
            hass,
            response=True,
            image_url=door_jpeg,
            image_name="drive",
            structure=STRUCTURE,
        )
    assert err.value.translation_key == "invalid_structured_answer"
    assert "moondream:latest" in str(err.value)
    assert quoted in str(err.value)
    await hass.async_block_till_done()
    assert len(failed) == 1
    assert failed[0].data["error"] == "invalid_structured_answer"
    assert failed[0].data["stage"] == "vision_model"
    assert quoted in failed[0].data["message"]
    assert analyzed == []
    assert len(ollama_emulator.generate_requests()) == 2
    assert hass.states.get("sensor.front_door_drive") is None


@pytest.mark.parametrize(
    "structure",
    [
        {"cars": {"selector": {"no_such_selector": {}}}},
        {"cars": {"description": "no selector"}},
        {"cars": {"selector": {"number": {}}, "required": "maybe"}},
        ["cars"],
    ],
)
@pytest.mark.usefixtures("setup_entry")
async def test_bad_structure_is_refused(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    structure: Any,
) -> None:
    """A structure ai_task would refuse is refused before anything is queued."""
    with pytest.raises(vol.Invalid):
        await analyze(hass, image_url=door_jpeg, image_name="x", structure=structure)
    assert ollama_emulator.generate_requests() == []
