"""Importance rated in the same request as the description, and repaired when
the model gets the level wrong."""

import json
import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import EVENT_IMAGE_ANALYZED
from custom_components.ollama_vision.pipeline.importance import (
    IMPORTANCE_INSTRUCTIONS,
    Importance,
    read_importance,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from tests.conftest import analyze, json_object, state_of
from tests.ollama_emulator import OllamaEmulator

RED_640 = "Image 1 is 640x480 pixels, mostly red."
LEVELS = ["none", "passive", "time_sensitive", "critical"]
IMPORTANCE_SCHEMA = {
    "type": "string",
    "enum": LEVELS,
    "description": "How urgently the people who live here need to know",
}
CARS = {
    "cars": {
        "description": "How many cars",
        "required": True,
        "selector": {"number": {"min": 0, "max": 10}},
    }
}


async def rated(hass: HomeAssistant, url: str, **fields: Any) -> dict[str, Any]:
    return json_object(
        await analyze(
            hass,
            response=True,
            image_url=url,
            image_name="porch",
            importance=True,
            **fields,
        )
    )


async def test_rated_in_the_same_request(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
) -> None:
    """One request: the description and the level in one JSON answer, read
    back as prose and a level in the answer, the event, the sensor and the
    timeline."""
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    answer = await rated(hass, door_jpeg, prompt="Who is there?")

    (request,) = ollama_emulator.generate_requests()
    assert request.body["format"] == {
        "type": "object",
        "properties": {
            "description": {
                "type": "string",
                "description": "The answer to the request",
            },
            "importance": IMPORTANCE_SCHEMA,
        },
        "required": ["description", "importance"],
        "additionalProperties": False,
    }
    assert request.prompt is not None
    assert request.prompt.startswith("Who is there?\n\n" + IMPORTANCE_INSTRUCTIONS)
    assert json.dumps(request.body["format"], separators=(",", ":")) in request.prompt
    # The emulator answers an enum with its first value.
    assert answer["importance"] == "none"
    assert answer["description"] == answer["final_description"] == RED_640
    assert "data" not in answer

    await hass.async_block_till_done()
    assert analyzed[0].data["importance"] == "none"
    state = state_of(hass, "sensor.front_door_porch")
    assert state.state == RED_640
    assert state.attributes["importance"] == "none"
    assert setup_entry.runtime_data.timeline.latest is not None
    assert setup_entry.runtime_data.timeline.latest.importance == "none"


@pytest.mark.usefixtures("setup_entry")
async def test_not_asked_not_there(
    hass: HomeAssistant, door_jpeg: str, ollama_emulator: OllamaEmulator
) -> None:
    """Without the field: no format, no level anywhere, one request as well."""
    answer = json_object(
        await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    )
    (request,) = ollama_emulator.generate_requests()
    assert "format" not in request.body
    assert "importance" not in answer
    await hass.async_block_till_done()
    assert "importance" not in state_of(hass, "sensor.front_door_porch").attributes


@pytest.mark.usefixtures("setup_entry")
async def test_beside_the_callers_structure(
    hass: HomeAssistant, door_jpeg: str, ollama_emulator: OllamaEmulator
) -> None:
    """The structure's schema goes under data, beside the description and the
    level, still in one request."""
    answer = await rated(hass, door_jpeg, structure=CARS)
    (request,) = ollama_emulator.generate_requests()
    schema = request.body["format"]
    assert schema["required"] == ["description", "importance", "data"]
    assert schema["properties"]["importance"] == IMPORTANCE_SCHEMA
    assert schema["properties"]["data"]["required"] == ["cars"]
    assert request.prompt is not None
    assert "data the fields asked for" in request.prompt
    assert answer["data"] == {"cars": 1.0}
    assert answer["importance"] == "none"
    assert answer["description"] == RED_640


@pytest.mark.usefixtures("setup_entry")
async def test_the_text_model_rates_when_it_has_the_last_word(
    hass: HomeAssistant, door_jpeg: str, ollama_emulator: OllamaEmulator
) -> None:
    """With use_text_model the text model rates, as it answers a structure:
    the vision model describes freely, two requests as without importance."""
    answer = await rated(
        hass, door_jpeg, use_text_model=True, text_prompt="Announce {description}"
    )
    vision, text = ollama_emulator.generate_requests()
    assert "format" not in vision.body
    assert text.body["format"]["properties"]["importance"] == IMPORTANCE_SCHEMA
    assert text.prompt is not None
    assert text.prompt.startswith(f"Announce {RED_640}\n\n{IMPORTANCE_INSTRUCTIONS}")
    assert answer["description"] == RED_640
    assert answer["final_description"] == f"Ding dong, a visitor: {RED_640}"
    assert answer["importance"] == "none"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("Time-Sensitive", "time_sensitive"),
        (" CRITICAL ", "critical"),
        ("high", "time_sensitive"),
        (1, "passive"),
        ("maybe later", None),
        (None, None),
    ],
)
@pytest.mark.usefixtures("setup_entry")
async def test_a_wrong_level_is_repaired_or_reported(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
    level: Any,
    expected: str | None,
) -> None:
    """A server that ignores `format` answers levels of its own: repaired to
    the level they mean, or none with a warning; never a failure, never a
    second request."""
    ollama_emulator.fixed_answer = json.dumps(
        {"description": "A fox on the lawn.", "importance": level}
    )
    with caplog.at_level(logging.WARNING):
        answer = await rated(hass, door_jpeg)
    assert answer["importance"] == expected
    assert answer["description"] == "A fox on the lawn."
    assert len(ollama_emulator.generate_requests()) == 1
    warned = "answered no importance level" in caplog.text
    assert warned is (expected is None)


@pytest.mark.usefixtures("setup_entry")
async def test_an_answer_that_is_not_json_keeps_its_words(
    hass: HomeAssistant,
    door_jpeg: str,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Prose instead of JSON: the prose is the description, unrated."""
    ollama_emulator.fixed_answer = "A fox on the lawn, looking at the camera."
    with caplog.at_level(logging.WARNING):
        answer = await rated(hass, door_jpeg)
    assert answer["description"] == "A fox on the lawn, looking at the camera."
    assert answer["importance"] is None
    assert "answered no importance level" in caplog.text
    assert len(ollama_emulator.generate_requests()) == 1


@pytest.mark.parametrize(
    "answer",
    [
        json.dumps(
            {"description": "Two cars.", "importance": "none", "data": {"cars": "two"}}
        ),
        "Two cars, I think.",
    ],
)
@pytest.mark.usefixtures("setup_entry")
async def test_data_that_does_not_fit_is_asked_again(
    hass: HomeAssistant, door_jpeg: str, ollama_emulator: OllamaEmulator, answer: str
) -> None:
    """With a structure, the caller's data is what may not be wrong: a second
    try, then the structured-answer failure, as without importance."""
    ollama_emulator.fixed_answer = answer
    with pytest.raises(HomeAssistantError) as failed:
        await rated(hass, door_jpeg, structure=CARS)
    assert failed.value.translation_key == "invalid_structured_answer"
    assert len(ollama_emulator.generate_requests()) == 2


@pytest.mark.parametrize(
    ("answered", "level"),
    [
        *[(level, Importance(level)) for level in LEVELS],
        ("time sensitive", Importance.TIME_SENSITIVE),
        ("time-sensitive", Importance.TIME_SENSITIVE),
        ("TimeSensitive", Importance.TIME_SENSITIVE),
        ('"passive".', Importance.PASSIVE),
        ("Active", Importance.PASSIVE),
        ("low", Importance.PASSIVE),
        ("Very high", Importance.CRITICAL),
        ("emergency", Importance.CRITICAL),
        ("urgent", Importance.TIME_SENSITIVE),
        ("nothing", Importance.NONE),
        (0, Importance.NONE),
        (3.0, Importance.CRITICAL),
        ("2", Importance.TIME_SENSITIVE),
        (4, None),
        (1.5, None),
        (True, None),
        ("", None),
        ("importance: critical", None),
        ("none or passive", None),
        (["critical"], None),
        ({"level": "critical"}, None),
    ],
)
def test_read_importance(answered: Any, level: Importance | None) -> None:
    """The repairs, all of them: names however written, the synonyms, a
    level's place in the order; nothing else is guessed at."""
    assert read_importance(answered) == level
