"""The title of a timeline entry: what the calendar, the card and the
websocket API show in one line.

A description's first sentence; for a structured answer, its fields in words
("Cars: 2 · Parcel: yes"), never the JSON the model wrote.
"""

from dataclasses import dataclass
import re
from typing import Any

MAX_TITLE = 120
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n")
FIELD_SEPARATOR = " · "


@dataclass(frozen=True, slots=True)
class AnswerWords:
    """How a yes-or-no field reads, in Home Assistant's language."""

    yes: str = "yes"
    no: str = "no"


def _shorten(text: str) -> str:
    if len(text) <= MAX_TITLE:
        return text
    return text[: MAX_TITLE - 1].rstrip() + "…"


def first_sentence(text: str) -> str:
    """The first sentence of a description, cut short if it runs on."""
    return _shorten(_SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip())


def _label(name: str) -> str:
    """A field name as words: `parcel_count` reads "Parcel count"."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _value(value: Any, words: AnswerWords) -> str:
    if isinstance(value, bool):
        return words.yes if value else words.no
    if isinstance(value, float) and value.is_integer():
        # Number selectors give floats: two cars, not 2.0 cars.
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(_value(item, words) for item in value)
    if isinstance(value, dict):
        return f"({_fields(value, words)})"
    return str(value)


def _fields(data: dict[str, Any], words: AnswerWords) -> str:
    return FIELD_SEPARATOR.join(
        f"{_label(name)}: {_value(value, words)}"
        for name, value in data.items()
        # An optional field the model left out says nothing.
        if value not in (None, "", [])
    )


def entry_title(description: str, data: Any, words: AnswerWords) -> str:
    """The title: a structured answer's fields, else the first sentence."""
    if isinstance(data, dict) and (fields := _fields(data, words)):
        return _shorten(fields)
    return first_sentence(description)
