"""Importance: how much a picture should interrupt, rated in the same request as its description.

The levels are the companion app's notification interruption levels, with
`none` for nothing worth telling, in this order: none, passive, time_sensitive,
critical. The final model of the call (the text model with use_text_model, else
the vision model: the same one that answers a structure) answers one JSON
object: `description`, `importance`, and under `data` the caller's structure
when there is one. So a rated analysis costs no request more than an unrated one.

A level outside the four is repaired when it plainly means one (`read_importance`);
otherwise the result has none (None) and the stage logs a warning. An answer
that is not JSON at all keeps its text as the description, unrated: only the
caller's structure, which an automation relies on, is worth asking again for.
"""

from dataclasses import dataclass
from enum import StrEnum
from json import JSONDecodeError
import re
from typing import Any, Final

import probatio as vol

from homeassistant.util.json import json_loads

from .structured import InvalidStructuredAnswer, structured_prompt


class Importance(StrEnum):
    """How much a picture should interrupt, from least to most."""

    NONE = "none"
    PASSIVE = "passive"
    TIME_SENSITIVE = "time_sensitive"
    CRITICAL = "critical"


LEVELS: Final = tuple(Importance)
# What models answer instead of a level's name (after `_normalised`), mapped to
# the level it means; a word halfway between two levels gets the quieter one.
_SYNONYMS: Final[dict[str, Importance]] = {
    "no": Importance.NONE,
    "nothing": Importance.NONE,
    "unimportant": Importance.NONE,
    "irrelevant": Importance.NONE,
    "low": Importance.PASSIVE,
    "minor": Importance.PASSIVE,
    "info": Importance.PASSIVE,
    "informational": Importance.PASSIVE,
    "quiet": Importance.PASSIVE,
    "normal": Importance.PASSIVE,
    "medium": Importance.PASSIVE,
    "moderate": Importance.PASSIVE,
    "active": Importance.PASSIVE,
    "timesensitive": Importance.TIME_SENSITIVE,
    "high": Importance.TIME_SENSITIVE,
    "important": Importance.TIME_SENSITIVE,
    "urgent": Importance.TIME_SENSITIVE,
    "very_high": Importance.CRITICAL,
    "highest": Importance.CRITICAL,
    "emergency": Importance.CRITICAL,
    "severe": Importance.CRITICAL,
    "alarm": Importance.CRITICAL,
    "danger": Importance.CRITICAL,
}
_WORDS: Final = re.compile(r"[a-z0-9]+")

IMPORTANCE_INSTRUCTIONS: Final = (
    "Also rate how urgently the people who live here need to know what the "
    "picture shows, as importance: none when nothing is worth telling (nobody "
    "there, a car passing by, a cat, the weather); passive when it is worth "
    "knowing but can wait (a parcel delivered, the postman, a neighbour walking "
    "past); time_sensitive when someone should look now (a visitor at the door, "
    "a stranger on the property, a car pulling in); critical for an emergency "
    "(fire or smoke, a break-in, a person hurt or lying on the ground, water "
    "flooding in)."
)


def read_importance(value: Any) -> Importance | None:
    """The level a model answered, repaired where it plainly means one.

    Case, spaces, hyphens and quotes do not matter (`"Time-Sensitive"` is
    time_sensitive); the words in `_SYNONYMS` mean their level (`high` is
    time_sensitive); a whole number 0 to 3 is a level's place in the order.
    Anything else is None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return LEVELS[int(value)] if value in range(len(LEVELS)) else None
    if not isinstance(value, str):
        return None
    word = _normalised(value)
    if word in LEVELS:
        return Importance(word)
    if word.isdigit():
        return read_importance(int(word))
    return _SYNONYMS.get(word)


def _normalised(text: str) -> str:
    """A level as a name: lower case, its words joined by `_`."""
    return "_".join(_WORDS.findall(text.casefold()))


def rated_schema(data_schema: dict[str, Any] | None) -> dict[str, Any]:
    """The JSON schema for Ollama's `format`: the description, the level, and
    the caller's structure's schema as `data` when there is one."""
    properties: dict[str, Any] = {
        "description": {"type": "string", "description": "The answer to the request"},
        "importance": {
            "type": "string",
            "enum": [level.value for level in LEVELS],
            "description": "How urgently the people who live here need to know",
        },
    }
    required = ["description", "importance"]
    if data_schema is not None:
        properties["data"] = data_schema
        required.append("data")
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def importance_prompt(prompt: str, schema: dict[str, Any]) -> str:
    """The prompt with the request to rate the importance, and to answer in the
    schema's JSON."""
    fields = "description holds your answer to the request above, importance the level"
    if "data" in schema["properties"]:
        fields += ", data the fields asked for"
    return structured_prompt(
        f"{prompt}\n\n{IMPORTANCE_INSTRUCTIONS} In the JSON, {fields}.", schema
    )


@dataclass(frozen=True, slots=True)
class RatedAnswer:
    """An answer read from the rated JSON."""

    description: str
    importance: Importance | None
    data: Any = None


def parse_rated_answer(text: str, structure: vol.Schema | None) -> RatedAnswer:
    """The description, the (repaired) level and the checked data of an answer.

    Raises InvalidStructuredAnswer only when there is a structure and the
    answer does not fit it; otherwise an answer that is not the JSON asked for
    keeps its text as the description, with no level.
    """
    try:
        value = json_loads(text)
    except JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        if structure is not None:
            raise InvalidStructuredAnswer("not a JSON object")
        return RatedAnswer(text, None)
    data = None
    if structure is not None:
        try:
            data = structure(value.get("data"))
        except vol.Invalid as err:
            raise InvalidStructuredAnswer(f"data: {err}") from err
    description = value.get("description")
    return RatedAnswer(
        description if isinstance(description, str) else text,
        read_importance(value.get("importance")),
        data,
    )
