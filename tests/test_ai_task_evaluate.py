"""ai_task.evaluate on the setup's AI Task entity, as far as Home Assistant 2026.10 goes.

The action and its types came with 2026.11, which the test plugin does not run:
here the entity must offer exactly what it did, and the evaluation itself (one
job of the setup's queue, against the emulator over real HTTP) runs through
`async_evaluate`, the function the entity's `_async_evaluate` hands each task
to on 2026.11. tests/e2e runs the action itself on 2026.11.
"""

from pathlib import Path

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision import ai_task as platform
from custom_components.ollama_vision.ai_task import async_evaluate
from custom_components.ollama_vision.const import (
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.pipeline.evaluation import (
    ChoiceNumbers,
    NoulNumbers,
    Question,
    ScoreNumbers,
    answer_structure,
    evaluation_prompt,
)
from custom_components.ollama_vision.pipeline.job import AnalysisError
from custom_components.ollama_vision.pipeline.structured import json_schema
from homeassistant.components.ai_task import AITaskEntityFeature
from homeassistant.components.conversation import Attachment
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util.json import JsonValueType
from tests.conftest import state_of
from tests.image_server import make_jpeg
from tests.ollama_emulator import OllamaEmulator

ENTITY_ID = "ai_task.front_door"
# Worded so the emulator's vision model, which sees a red picture, is sure of
# the red answers (0.9) and not of the others (0.1).
QUESTIONS: dict[str, Question] = {
    "red_car": {"type": "noul", "instructions": "Is the car in the driveway red?"},
    "colour": {
        "type": "choice",
        "instructions": "What colour is the car?",
        "criteria": {"red": "a red car", "blue": "a blue car", "other": "another"},
    },
    "redness": {
        "type": "score",
        "instructions": "How much of the picture is taken by the car?",
        "criteria": ["none", "some", "mostly red"],
    },
}
# The emulator's probabilities 0.9 and 0.1, normalised: 0.9 / 1.1 and 0.1 / 1.1.
LIKELY, UNLIKELY = 9 / 11, 1 / 11


@pytest.fixture
def driveway(tmp_path: Path) -> list[Attachment]:
    """A red snapshot, as ai_task hands a resolved media-folder picture over."""
    picture = tmp_path / "driveway.jpg"
    picture.write_bytes(make_jpeg(640, 480, colour=(220, 20, 20)))
    return [
        Attachment(
            media_content_id="media-source://media_source/local/driveway.jpg",
            mime_type="image/jpeg",
            path=picture,
        )
    ]


async def test_no_evaluate_before_2026_11(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """On 2026.10 the entity offers generate_data with attachments, as before,
    and there is no evaluate action to call."""
    if hasattr(AITaskEntityFeature, "EVALUATE"):  # pragma: no cover - 2026.11
        pytest.skip("this Home Assistant has ai_task.evaluate")
    assert platform.EVALUATE is None
    assert state_of(hass, ENTITY_ID).attributes["supported_features"] == (
        AITaskEntityFeature.GENERATE_DATA | AITaskEntityFeature.SUPPORT_ATTACHMENTS
    )
    assert not hass.services.has_service("ai_task", "evaluate")


async def test_every_question_in_one_request(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    driveway: list[Attachment],
) -> None:
    """One vision request with the picture, the questions and the state, the
    schema in `format`; the numbers come back as a distribution per question.
    Nothing goes on the timeline, to a sensor or to the event bus."""
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    state: JsonValueType = {"garage_door": "open"}
    answers = await async_evaluate(
        setup_entry,
        name="driveway check",
        questions=QUESTIONS,
        state=state,
        attachments=driveway,
    )
    assert answers["red_car"] == NoulNumbers(noul=0.9)
    colour = answers["colour"]
    assert isinstance(colour, ChoiceNumbers)
    assert colour.choice == "red"
    assert colour.probabilities == pytest.approx(
        {"red": LIKELY, "blue": UNLIKELY, "other": UNLIKELY}
    )
    redness = answers["redness"]
    assert isinstance(redness, ScoreNumbers)
    assert redness.probabilities == pytest.approx([UNLIKELY, UNLIKELY, LIKELY])
    assert redness.score == pytest.approx(UNLIKELY + 2 * LIKELY)

    (request,) = ollama_emulator.generate_requests()
    assert request.model == "moondream:latest"
    assert request.images == [(640, 480)]
    assert request.body["format"] == json_schema(answer_structure(QUESTIONS))
    assert request.prompt is not None
    assert request.prompt.startswith(
        evaluation_prompt(QUESTIONS, state, pictures=True) + "\n\n"
    )
    assert '"garage_door":"open"' in request.prompt
    await hass.async_block_till_done()
    assert analyzed == []
    assert failed == []
    assert not [e for e in hass.states.async_entity_ids() if "driveway" in e]
    assert "message" not in state_of(hass, "calendar.front_door_timeline").attributes


async def test_numbers_out_of_range_are_repaired(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    driveway: list[Attachment],
) -> None:
    """A model that writes 1.7 and -0.7 for its probabilities: clamped to [0, 1],
    then normalised, in the same single request."""
    ollama_emulator.inject("numbers_out_of_range")
    answers = await async_evaluate(
        setup_entry,
        name="driveway check",
        questions=QUESTIONS,
        state=None,
        attachments=driveway,
    )
    assert answers == {
        "red_car": NoulNumbers(noul=1.0),
        "colour": ChoiceNumbers(
            choice="red", probabilities={"red": 1.0, "blue": 0.0, "other": 0.0}
        ),
        "redness": ScoreNumbers(score=2.0, probabilities=[0.0, 0.0, 1.0]),
    }
    (request,) = ollama_emulator.generate_requests()
    assert request.fault == "numbers_out_of_range"


async def test_an_unreadable_answer_is_asked_once_more(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    driveway: list[Attachment],
) -> None:
    """Not JSON the first time: asked again, and the second answer serves."""
    ollama_emulator.inject("broken_json")
    answers = await async_evaluate(
        setup_entry,
        name="driveway check",
        questions=QUESTIONS,
        state=None,
        attachments=driveway,
    )
    assert answers["red_car"] == NoulNumbers(noul=0.9)
    assert [r.fault for r in ollama_emulator.generate_requests()] == [
        "broken_json",
        None,
    ]


async def test_a_question_missing_twice_is_a_translated_error(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    driveway: list[Attachment],
) -> None:
    """Two answers without the first question: the structured-answer error,
    quoting the answer, no traceback."""
    ollama_emulator.inject("missing_required", times=2)
    with pytest.raises(AnalysisError) as err:
        await async_evaluate(
            setup_entry,
            name="driveway check",
            questions=QUESTIONS,
            state=None,
            attachments=driveway,
        )
    assert err.value.code == "invalid_structured_answer"
    assert str(err.value).startswith(
        "moondream:latest did not answer in the requested structure, twice"
    )
    assert '"colour":' in str(err.value)
    assert len(ollama_emulator.generate_requests()) == 2


async def test_a_state_alone_goes_to_the_text_model(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """Without pictures the setup's text model judges the state; it saw no
    colour, so nothing is likely and the distributions are even."""
    questions: dict[str, Question] = {
        "delivered": {"type": "noul", "instructions": "Has the parcel arrived?"},
        "where": {
            "type": "choice",
            "instructions": "Where was it left?",
            "criteria": {"door": "at the door", "shed": "in the shed"},
        },
    }
    answers = await async_evaluate(
        setup_entry,
        name="parcel",
        questions=questions,
        state="Your parcel was left at the front door.",
        attachments=None,
    )
    assert answers == {
        "delivered": NoulNumbers(noul=0.1),
        "where": ChoiceNumbers(choice="door", probabilities={"door": 0.5, "shed": 0.5}),
    }
    (request,) = ollama_emulator.generate_requests()
    assert request.model == "llama3.1:latest"
    assert request.images == []
    assert request.prompt is not None
    assert "The state: Your parcel was left at the front door." in request.prompt


async def test_repeated_levels_are_refused_before_queueing(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    driveway: list[Attachment],
) -> None:
    """A translated error; nothing is queued, nothing reaches Ollama."""
    questions: dict[str, Question] = {
        "busy": {
            "type": "score",
            "instructions": "How busy is the street?",
            "criteria": ["quiet", "quiet"],
        }
    }
    with pytest.raises(ServiceValidationError) as err:
        await async_evaluate(
            setup_entry,
            name="street",
            questions=questions,
            state=None,
            attachments=driveway,
        )
    assert str(err.value) == (
        "In question busy, the level quiet is given twice. Give each level of a "
        "score question its own words"
    )
    assert ollama_emulator.generate_requests() == []
    assert setup_entry.runtime_data.queue.waiting == 0


async def test_a_text_attachment_is_refused(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    tmp_path: Path,
) -> None:
    """Attachments are taken as generate_data takes them: a text file is refused."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    with pytest.raises(ServiceValidationError) as err:
        await async_evaluate(
            setup_entry,
            name="notes",
            questions=QUESTIONS,
            state=None,
            attachments=[Attachment("media-source://notes", "text/plain", notes)],
        )
    assert err.value.translation_key == "attachment_not_an_image"
    assert ollama_emulator.generate_requests() == []
