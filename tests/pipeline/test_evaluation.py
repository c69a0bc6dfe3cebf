"""ai_task.evaluate's pure logic: the structure, the prompt, the repair of the numbers.

It needs none of Home Assistant 2026.11's names, so it is tested here on 2026.10.
"""

from collections.abc import Mapping
import math
from typing import Any

import probatio as vol
import pytest

from custom_components.ollama_vision.pipeline.evaluation import (
    ChoiceNumbers,
    NoulNumbers,
    Question,
    ScoreNumbers,
    answer_structure,
    distribution,
    evaluation_prompt,
    read_answers,
)
from custom_components.ollama_vision.pipeline.structured import json_schema
from homeassistant.exceptions import ServiceValidationError

QUESTIONS: dict[str, Question] = {
    "car": {"type": "noul", "instructions": "Is a car in the driveway?"},
    "who": {
        "type": "choice",
        "instructions": "Who is at the door?",
        "criteria": {"postman": "a postman", "neighbour": "a neighbour"},
    },
    "bins": {
        "type": "score",
        "instructions": "How full are the bins?",
        "criteria": ["empty", "half full", "overflowing"],
    },
}
PROBABILITY = {"type": "number", "minimum": 0.0, "maximum": 1.0}


def answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The repaired answers for a raw answer, checked by the structure first, as
    the pipeline does."""
    return dict(read_answers(QUESTIONS, answer_structure(QUESTIONS)(raw)))


def test_json_schema_asks_for_each_questions_numbers() -> None:
    """One property per question: a probability, or one per criterion or level,
    each bounded by 0 and 1, every one required."""
    assert json_schema(answer_structure(QUESTIONS)) == {
        "type": "object",
        "properties": {
            "car": {**PROBABILITY, "description": "Is a car in the driveway?"},
            "who": {
                "type": "object",
                "description": "Who is at the door?",
                "properties": {
                    "postman": {**PROBABILITY, "description": "a postman"},
                    "neighbour": {**PROBABILITY, "description": "a neighbour"},
                },
                "required": ["postman", "neighbour"],
                "additionalProperties": False,
            },
            "bins": {
                "type": "object",
                "description": "How full are the bins?",
                "properties": {
                    "empty": PROBABILITY,
                    "half full": PROBABILITY,
                    "overflowing": PROBABILITY,
                },
                "required": ["empty", "half full", "overflowing"],
                "additionalProperties": False,
            },
        },
        "required": ["car", "who", "bins"],
        "additionalProperties": False,
    }


def test_numbers_that_fit_are_kept() -> None:
    """A distribution that sums to 1 stays; the choice is the likeliest, the score
    the expectation over the level indexes."""
    result = answers(
        {
            "car": 0.8,
            "who": {"postman": 0.25, "neighbour": 0.75},
            "bins": {"empty": 0.5, "half full": 0.25, "overflowing": 0.25},
        }
    )
    assert result == {
        "car": NoulNumbers(noul=0.8),
        "who": ChoiceNumbers(
            choice="neighbour", probabilities={"postman": 0.25, "neighbour": 0.75}
        ),
        "bins": ScoreNumbers(score=0.75, probabilities=[0.5, 0.25, 0.25]),
    }


def test_bad_numbers_are_repaired() -> None:
    """Clamped to [0, 1], then normalised: probabilities summing to 3, a negative
    one, a whole number, one far past 1."""
    result = answers(
        {
            "car": 7,
            "who": {"postman": -0.5, "neighbour": 3},
            "bins": {"empty": 1, "half full": 1, "overflowing": 1},
        }
    )
    assert result["car"] == NoulNumbers(noul=1.0)
    assert result["who"] == ChoiceNumbers(
        choice="neighbour", probabilities={"postman": 0.0, "neighbour": 1.0}
    )
    bins = result["bins"]
    assert isinstance(bins, ScoreNumbers)
    assert bins.probabilities == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert bins.score == pytest.approx(1.0)
    below = answers(
        {
            "car": -2,
            "who": {"postman": 0.2, "neighbour": 0.6},
            "bins": {"empty": 0.1, "half full": 0.1, "overflowing": 0.2},
        }
    )
    assert below["car"] == NoulNumbers(noul=0.0)
    who, bins = below["who"], below["bins"]
    assert isinstance(who, ChoiceNumbers)
    assert who.choice == "neighbour"
    assert who.probabilities == pytest.approx({"postman": 0.25, "neighbour": 0.75})
    assert isinstance(bins, ScoreNumbers)
    assert bins.probabilities == pytest.approx([0.25, 0.25, 0.5])
    assert bins.score == pytest.approx(1.25)


def test_all_zeros_mean_no_preference() -> None:
    """A distribution of zeros (or of negatives, clamped) becomes uniform: the
    choice is then the first criterion, the score the middle level."""
    result = answers(
        {
            "car": 0,
            "who": {"postman": 0, "neighbour": -1},
            "bins": {"empty": 0, "half full": 0, "overflowing": 0},
        }
    )
    assert result["who"] == ChoiceNumbers(
        choice="postman", probabilities={"postman": 0.5, "neighbour": 0.5}
    )
    assert result["bins"] == ScoreNumbers(score=1.0, probabilities=[1 / 3] * 3)


def test_ties_go_to_the_first_criterion() -> None:
    """Among equally likely criteria the question's order decides."""
    result = answers(
        {
            "car": 0.5,
            "who": {"neighbour": 0.4, "postman": 0.4},
            "bins": {"empty": 0, "half full": 1, "overflowing": 0},
        }
    )
    assert result["who"] == ChoiceNumbers(
        choice="postman", probabilities={"postman": 0.5, "neighbour": 0.5}
    )
    assert result["bins"] == ScoreNumbers(score=1.0, probabilities=[0.0, 1.0, 0.0])


@pytest.mark.parametrize(
    "raw",
    [
        # a question missing
        {"car": 0.5, "who": {"postman": 0.5, "neighbour": 0.5}},
        # a criterion missing
        {
            "car": 0.5,
            "who": {"postman": 1},
            "bins": {"empty": 1, "half full": 0, "overflowing": 0},
        },
        # wrong types: text, a yes/no, an object for a number
        {
            "car": "likely",
            "who": {"postman": 0.5, "neighbour": 0.5},
            "bins": {"empty": 1, "half full": 0, "overflowing": 0},
        },
        {
            "car": True,
            "who": {"postman": 0.5, "neighbour": 0.5},
            "bins": {"empty": 1, "half full": 0, "overflowing": 0},
        },
        {
            "car": {"yes": 1},
            "who": {"postman": 0.5, "neighbour": 0.5},
            "bins": {"empty": 1, "half full": 0, "overflowing": 0},
        },
        # a criterion that was not asked for
        {
            "car": 0.5,
            "who": {"postman": 0.5, "neighbour": 0.5, "burglar": 1},
            "bins": {"empty": 1, "half full": 0, "overflowing": 0},
        },
    ],
)
def test_unreadable_answers_do_not_fit(raw: dict[str, Any]) -> None:
    """What cannot be read is refused by the structure (the pipeline then asks
    once more, then fails with its translated error)."""
    with pytest.raises(vol.Invalid):
        answer_structure(QUESTIONS)(raw)


def test_repeated_levels_are_refused() -> None:
    """Two levels with the same words could not be told apart in the answer."""
    questions: dict[str, Question] = {
        "mood": {
            "type": "score",
            "instructions": "How busy is the street?",
            "criteria": ["quiet", "busy", "quiet"],
        }
    }
    with pytest.raises(ServiceValidationError) as err:
        answer_structure(questions)
    assert err.value.translation_key == "evaluation_levels_repeat"
    assert err.value.translation_placeholders == {"question": "mood", "level": "quiet"}


def test_prompt_names_every_question_and_the_state() -> None:
    """The questions with what each wants, then the state as JSON."""
    prompt = evaluation_prompt(QUESTIONS, {"door": "open", "minutes": 5}, pictures=True)
    assert prompt.splitlines() == [
        "Answer each of these questions about the pictures and the state below, "
        "with probabilities from 0 to 1.",
        "- car: Is a car in the driveway? Give the probability that the answer is yes.",
        "- who: Who is at the door? Give each of these its probability of being the "
        "right one: postman (a postman); neighbour (a neighbour).",
        "- bins: How full are the bins? Give each of these levels, lowest first, its "
        "probability of being the right one: empty; half full; overflowing.",
        'The state: {"door":"open","minutes":5}',
    ]


def test_prompt_without_pictures_or_without_state() -> None:
    """A text state goes as it is; without a state, only the pictures are named."""
    text = evaluation_prompt(
        QUESTIONS, "The parcel was left at the door.", pictures=False
    )
    assert text.startswith("Answer each of these questions about the state below,")
    assert text.endswith("\nThe state: The parcel was left at the door.")
    pictures = evaluation_prompt(QUESTIONS, None, pictures=True)
    assert pictures.startswith("Answer each of these questions about the pictures,")
    assert "The state" not in pictures


def test_distribution() -> None:
    assert distribution([0.2, 0.6]) == pytest.approx([0.25, 0.75])
    assert distribution([0.0, 0.0, 0.0, 0.0]) == [0.25] * 4
    assert math.fsum(distribution([0.3, 0.3, 0.3])) == pytest.approx(1.0)
