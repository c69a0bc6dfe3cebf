"""Answers in JSON when a request sets `format`, as Ollama's constrained decoding does.

`format: "json"` gets any JSON object; a JSON schema gets an object that fits it.
The values are deterministic, so tests can check what arrived:
- probabilities (numbers bounded by 0 and 1): 0.9 when the property's name or
  description names the colour of a picture the model saw, else 0.1;
- other numbers and integers: the number of pictures the model saw (clamped to
  the schema's bounds);
- booleans: whether it saw any picture; or, with a colour rule set (the
  emulator's `true_when_colour`), whether the last picture it saw is mostly that
  colour: a test decides the answer to a yes/no question by what a camera shows;
- strings: the model's plain answer (the picture sentences, or the text model's answer);
- enums and constants: the first allowed value; arrays: one item; objects: every
  property, recursively.
"""

from collections.abc import Sequence
import re
from typing import Any

from tests.ollama_emulator.replies import dumps
from tests.ollama_emulator.vision import Picture

BROKEN_JSON = '{"answer": "I think there are'
# What a probability is when its words name a colour the model saw, and when not.
LIKELY = 0.9
UNLIKELY = 0.1


def json_answer(schema: Any, text: str, seen: Sequence[Picture], truth: bool) -> str:
    """The whole answer for a request with `format` set; booleans are `truth`."""
    if isinstance(schema, dict):
        return dumps(_value(schema, text, seen, truth))
    return dumps({"answer": text})


def without_required_key(
    schema: Any, text: str, seen: Sequence[Picture], truth: bool
) -> str:
    """An answer that leaves out the schema's first required key (the model
    ignored the schema, as a server without constrained decoding may)."""
    value = _value(schema, text, seen, truth) if isinstance(schema, dict) else {}
    required = schema.get("required") if isinstance(schema, dict) else None
    if isinstance(value, dict):
        value.pop(required[0] if required else next(iter(value), None), None)
    return dumps(value)


def out_of_range(schema: Any, text: str, seen: Sequence[Picture], truth: bool) -> str:
    """An answer whose every number is 3 x its value - 1, past the schema's bounds
    (a probability of 0.9 comes out as 1.7, one of 0.1 as -0.7), as a model
    without constrained decoding may write."""
    value = _value(schema, text, seen, truth) if isinstance(schema, dict) else {}
    return dumps(_stretched(value))


def _stretched(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _stretched(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stretched(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(3 * value - 1, 6)
    return value


def _names_a_colour_seen(words: str, seen: Sequence[Picture]) -> bool:
    return any(
        re.search(rf"\b{picture.colour}\b", words, re.IGNORECASE) for picture in seen
    )


def _value(
    schema: dict[str, Any],
    text: str,
    seen: Sequence[Picture],
    truth: bool,
    name: str = "",
) -> Any:
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _value(schema[key][0], text, seen, truth, name)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {
            key: _value(sub, text, seen, truth, key)
            for key, sub in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        item = schema.get("items")
        count = max(1, int(schema.get("minItems", 1)))
        return [_value(item, text, seen, truth) if item else text] * count
    if kind == "number" and (schema.get("minimum"), schema.get("maximum")) == (0, 1):
        words = f"{name} {schema.get('description', '')}"
        return LIKELY if _names_a_colour_seen(words, seen) else UNLIKELY
    if kind in ("number", "integer"):
        number = float(len(seen))
        number = max(number, float(schema.get("minimum", number)))
        number = min(number, float(schema.get("maximum", number)))
        return int(number) if kind == "integer" or number.is_integer() else number
    if kind == "boolean":
        return truth
    if kind == "null":
        return None
    return text
