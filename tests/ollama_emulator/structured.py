"""Answers in JSON when a request sets `format`, as Ollama's constrained decoding does.

`format: "json"` gets any JSON object; a JSON schema gets an object that fits it.
The values are deterministic, so tests can check what arrived:
- numbers and integers: the number of pictures the model saw (clamped to the
  schema's bounds);
- booleans: whether it saw any picture; or, with a colour rule set (the
  emulator's `true_when_colour`), whether the last picture it saw is mostly that
  colour: a test decides the answer to a yes/no question by what a camera shows;
- strings: the model's plain answer (the picture sentences, or the text model's answer);
- enums and constants: the first allowed value; arrays: one item; objects: every
  property, recursively.
"""

from typing import Any

from tests.ollama_emulator.replies import dumps

BROKEN_JSON = '{"answer": "I think there are'


def json_answer(schema: Any, text: str, pictures: int, truth: bool) -> str:
    """The whole answer for a request with `format` set; booleans are `truth`."""
    if isinstance(schema, dict):
        return dumps(_value(schema, text, pictures, truth))
    return dumps({"answer": text})


def without_required_key(schema: Any, text: str, pictures: int, truth: bool) -> str:
    """An answer that leaves out the schema's first required key (the model
    ignored the schema, as a server without constrained decoding may)."""
    value = _value(schema, text, pictures, truth) if isinstance(schema, dict) else {}
    required = schema.get("required") if isinstance(schema, dict) else None
    if isinstance(value, dict):
        value.pop(required[0] if required else next(iter(value), None), None)
    return dumps(value)


def _value(schema: dict[str, Any], text: str, pictures: int, truth: bool) -> Any:
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _value(schema[key][0], text, pictures, truth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {
            name: _value(sub, text, pictures, truth)
            for name, sub in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        item = schema.get("items")
        count = max(1, int(schema.get("minItems", 1)))
        return [_value(item, text, pictures, truth) if item else text] * count
    if kind in ("number", "integer"):
        number = float(pictures)
        number = max(number, float(schema.get("minimum", number)))
        number = min(number, float(schema.get("maximum", number)))
        return int(number) if kind == "integer" or number.is_integer() else number
    if kind == "boolean":
        return truth
    if kind == "null":
        return None
    return text
