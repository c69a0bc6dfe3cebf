"""Structured answers: a structure as ai_task defines it, its JSON schema, the check.

The structure is the mapping ai_task.generate_data takes (field name to
description, required, selector); it is validated by the same rules ai_task
applies, turned into a JSON schema the way core's Ollama AI Task does (HA's
selector serializer), and the model's answer is checked, and coerced, with the
structure's own schema.
"""

from json import JSONDecodeError
from typing import Any, Final

import probatio as vol

from homeassistant.helpers import llm, selector
from homeassistant.helpers.json import json_dumps
from homeassistant.util.json import json_loads

# One field of a structure, as ai_task.generate_data takes it.
_FIELD_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("description"): str,
        vol.Optional("required"): bool,
        vol.Required("selector"): selector.validate_selector,
    }
)


def _answer_schema(fields: dict[str, dict[str, Any]]) -> vol.Schema:
    """The schema an answer must fit: each field's selector, required or not."""
    return vol.Schema(
        {
            (vol.Required if field.get("required", False) else vol.Optional)(
                name, description=field.get("description")
            ): selector.selector(field["selector"])
            for name, field in fields.items()
        },
        extra=vol.PREVENT_EXTRA,
    )


# Validates a `structure` field into the schema of its answers, by ai_task's rules.
STRUCTURE_SCHEMA: Final = vol.All(vol.Schema({str: _FIELD_SCHEMA}), _answer_schema)
# How much of a refused answer an error message quotes.
EXCERPT_LENGTH: Final = 80


class InvalidStructuredAnswer(ValueError):
    """The answer is not JSON, or does not fit the structure."""


def json_schema(structure: vol.Schema) -> dict[str, Any]:
    """The JSON schema for Ollama's `format`, as core's Ollama AI Task makes it."""
    schema: dict[str, Any] = vol.to_openapi(
        structure,
        custom_serializer=llm.selector_serializer,
        openapi_version="3.1.0",
    )
    return schema


def structured_prompt(prompt: str, schema: dict[str, Any]) -> str:
    """The prompt with the request to answer in the schema's JSON.

    `format` constrains the output; saying so in the prompt as well keeps the
    model from filling the fields with guesses it was not asked for.
    """
    return (
        f"{prompt}\n\nAnswer with a JSON object only, no other text. It must "
        f"follow this JSON schema: {json_dumps(schema)}"
    )


def parse_answer(text: str, structure: vol.Schema) -> Any:
    """The answer as data checked (and coerced) by the structure's selectors."""
    try:
        value = json_loads(text)
    except JSONDecodeError as err:
        raise InvalidStructuredAnswer(f"not JSON: {err}") from err
    try:
        return structure(value)
    except vol.Invalid as err:
        raise InvalidStructuredAnswer(str(err)) from err


def excerpt(text: str) -> str:
    """The start of an answer, for an error message."""
    text = " ".join(text.split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[: EXCERPT_LENGTH - 1] + "…"
