"""ai_task.evaluate's questions in one structured request, and the answers repaired.

Home Assistant 2026.11 has three kinds of question (`ai_task/evaluation.py`):
`noul` asks for the probability of yes, `choice` for one of named criteria
with a probability for each, `score` for a level of an ordered list with a
probability for each level. They arrive as the mappings ai_task has already
validated; the TypedDicts below describe the same mappings, so this module
needs none of 2026.11's names and its tests run on 2026.10 as well.

Every question goes into one request. The structure asks, for each question,
for one probability (noul) or a probability per criterion or level (keyed by
the criterion's name or the level's own words, which the model writes just
before each number); the structure clamps every number to [0, 1]. The model's
numbers are then repaired into what ai_task promises its callers (see
`read_answers`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypedDict

import probatio as vol

from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.json import json_dumps
from homeassistant.util.json import JsonValueType

from ..const import DOMAIN


class NoulQuestion(TypedDict):
    """How likely the answer is yes."""

    type: Literal["noul"]
    instructions: str


class ChoiceQuestion(TypedDict):
    """Which of the criteria (name to description) fits."""

    type: Literal["choice"]
    instructions: str
    criteria: dict[str, str]


class ScoreQuestion(TypedDict):
    """Which level of an ordered list (lowest first) fits."""

    type: Literal["score"]
    instructions: str
    criteria: list[str]


type Question = NoulQuestion | ChoiceQuestion | ScoreQuestion


@dataclass(frozen=True, slots=True)
class NoulNumbers:
    """The probability of yes."""

    noul: float


@dataclass(frozen=True, slots=True)
class ChoiceNumbers:
    """The most likely criterion, and each criterion's probability (summing to 1)."""

    choice: str
    probabilities: dict[str, float]


@dataclass(frozen=True, slots=True)
class ScoreNumbers:
    """The expected level index, and each level's probability (summing to 1)."""

    score: float
    probabilities: list[float]


type Answer = NoulNumbers | ChoiceNumbers | ScoreNumbers

# A number the model gives, clamped to a probability; the bounds also go into
# the JSON schema, so the model reads that they are probabilities.
PROBABILITY: Final = vol.All(float, vol.Clamp(min=0.0, max=1.0))


def answer_structure(questions: Mapping[str, Question]) -> vol.Schema:
    """The structure the model answers in: a number, or an object of numbers, per question.

    Raises ServiceValidationError for a score whose levels repeat: the answer
    gives each level's probability under the level's words, and two levels
    with the same words could not be told apart (nor could the model).
    """
    fields: dict[vol.Marker, Any] = {}
    for question_id, question in questions.items():
        key = vol.Required(question_id, description=question["instructions"])
        if question["type"] == "noul":
            fields[key] = PROBABILITY
        elif question["type"] == "choice":
            fields[key] = vol.Schema(
                {
                    vol.Required(name, description=description): PROBABILITY
                    for name, description in question["criteria"].items()
                }
            )
        else:
            _check_levels_differ(question_id, question["criteria"])
            fields[key] = vol.Schema(
                {vol.Required(level): PROBABILITY for level in question["criteria"]}
            )
    return vol.Schema(fields)


def _check_levels_differ(question_id: str, levels: Sequence[str]) -> None:
    seen: set[str] = set()
    for level in levels:
        if level in seen:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="evaluation_levels_repeat",
                translation_placeholders={"question": question_id, "level": level},
            )
        seen.add(level)


def evaluation_prompt(
    questions: Mapping[str, Question], state: JsonValueType, *, pictures: bool
) -> str:
    """What the model is asked: every question, then the state to judge, if any.

    A state that is text goes as it is; anything else as JSON.
    """
    # ai_task refuses a task with neither pictures nor a state.
    subjects = [
        *(["the pictures"] if pictures else []),
        *(["the state below"] if state is not None else []),
    ]
    lines = [
        f"Answer each of these questions about {' and '.join(subjects)}, "
        "with probabilities from 0 to 1."
    ]
    for question_id, question in questions.items():
        lines.append(f"- {question_id}: {question['instructions']} {_ask(question)}")
    if state is not None:
        text = state if isinstance(state, str) else json_dumps(state)
        lines.append(f"The state: {text}")
    return "\n".join(lines)


def _ask(question: Question) -> str:
    """What numbers a question wants."""
    if question["type"] == "noul":
        return "Give the probability that the answer is yes."
    if question["type"] == "choice":
        options = "; ".join(
            f"{name} ({description})"
            for name, description in question["criteria"].items()
        )
        return f"Give each of these its probability of being the right one: {options}."
    levels = "; ".join(question["criteria"])
    return (
        "Give each of these levels, lowest first, its probability of being the "
        f"right one: {levels}."
    )


def read_answers(questions: Mapping[str, Question], data: Any) -> dict[str, Answer]:
    """The answers ai_task promises, from data the structure has checked and clamped.

    - noul: the probability of yes, as it is (already within [0, 1]);
    - choice and score: the probabilities normalised to sum to 1. When they are
      all 0 (the model ruled out everything), every criterion or level counts
      as equally likely: the answer then says it knows nothing, rather than
      inventing a preference;
    - the choice is the most likely criterion, the first in the question's
      order among equals; the score is the expectation of the distribution
      over the level indexes 0 to n-1, as ai_task's ScoreAnswer defines it.
    """
    answers: dict[str, Answer] = {}
    for question_id, question in questions.items():
        value = data[question_id]
        if question["type"] == "noul":
            answers[question_id] = NoulNumbers(noul=float(value))
        elif question["type"] == "choice":
            names = list(question["criteria"])
            shares = distribution([value[name] for name in names])
            probabilities = dict(zip(names, shares, strict=True))
            answers[question_id] = ChoiceNumbers(
                choice=max(names, key=probabilities.__getitem__),
                probabilities=probabilities,
            )
        else:
            shares = distribution([value[level] for level in question["criteria"]])
            answers[question_id] = ScoreNumbers(
                score=sum(index * share for index, share in enumerate(shares)),
                probabilities=shares,
            )
    return answers


def distribution(numbers: Sequence[float]) -> list[float]:
    """Numbers within [0, 1] scaled to sum to 1; all zeros become uniform."""
    total = sum(numbers)
    if total <= 0:
        return [1 / len(numbers)] * len(numbers)
    return [float(number) / total for number in numbers]
