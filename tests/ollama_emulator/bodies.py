"""Request bodies: plain JSON, each field the handlers read checked for its type.

A body the server cannot use gets what Ollama answers: status 400 and
`{"error": ...}`. The texts are Python's, not Go's: the integration never sends a
malformed body, so no test needs the exact words of Go's decoders. Only the texts
that Ollama's documented errors have (`missing request body`) are copied.
"""

import base64
import binascii
from collections.abc import Mapping
import json
import math
import re
from typing import Any

from tests.ollama_emulator.errors import ApiError

# Field name -> the JSON types it may have (null always goes: "not given").
type Fields = Mapping[str, type | tuple[type, ...]]

_COMMON: Fields = {
    "model": str,
    "stream": bool,
    "options": dict,
    "think": (bool, str),
    "keep_alive": (int, float, str),
}
GENERATE: Fields = {
    **_COMMON,
    "prompt": str,
    "suffix": str,
    "system": str,
    "images": list,
}
CHAT: Fields = {**_COMMON, "messages": list, "tools": list}
MESSAGE: Fields = {"role": str, "content": str, "images": list}
SHOW: Fields = {"model": str, "name": str}
PULL: Fields = {"model": str, "name": str, "stream": bool}

FOREVER = math.inf
"""keep_alive that never expires (any negative value)."""

_JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
_JSON_TYPES |= {list: "an array", dict: "an object"}
# Go durations as clients send them: "5m", "1h30m", "300s", "-1m", ".5s", "0".
_DURATION_PART = r"(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h)"
_DURATION = re.compile(rf"([+-]?)((?:{_DURATION_PART})+|0)")
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)")
_SECONDS_PER_UNIT = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def read_json(raw: bytes) -> Any:
    """The decoded body; an empty one is Ollama's `missing request body`."""
    if not raw.strip():
        raise ApiError(400, "missing request body")
    try:
        return json.loads(raw)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise ApiError(400, f"invalid JSON: {error}") from None


def _type_name(kinds: type | tuple[type, ...]) -> str:
    names = dict.fromkeys(
        _JSON_TYPES[kind] for kind in (kinds if isinstance(kinds, tuple) else (kinds,))
    )
    return " or ".join(names)


def _has_type(value: Any, kinds: type | tuple[type, ...]) -> bool:
    # JSON true is no number, though Python's bool is an int.
    if isinstance(value, bool):
        return bool in (kinds if isinstance(kinds, tuple) else (kinds,))
    return isinstance(value, kinds)


def checked(value: Any, fields: Fields) -> dict[str, Any]:
    """`value` as an object whose `fields` have their types; null is an empty one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "the request body must be a JSON object")
    for name, kinds in fields.items():
        item = value.get(name)
        if item is not None and not _has_type(item, kinds):
            raise ApiError(400, f"{name} must be {_type_name(kinds)}")
    return value


def images(value: list[Any] | None) -> list[bytes]:
    """The pictures of an `images` list: padded standard base64, as Go decodes it."""
    decoded: list[bytes] = []
    for item in value or ():
        if not isinstance(item, str):
            raise ApiError(400, "images must be base64 strings")
        try:
            decoded.append(base64.b64decode(item, validate=True))
        except binascii.Error as error:
            raise ApiError(400, f"illegal base64 data: {error}") from None
    return decoded


def keep_alive_seconds(value: Any) -> float | None:
    """Seconds a model stays loaded after the request: None for the server default,
    FOREVER for a negative value. A number counts seconds; a string is a Go
    duration, so a bare `"300"` is refused, as Ollama refuses it."""
    if value is None:
        return None
    if isinstance(value, str):
        match = _DURATION.fullmatch(value)
        if match is None:
            raise ApiError(400, f'time: invalid duration "{value}"')
        sign, parts = match.groups()
        seconds = sum(
            float(number) * _SECONDS_PER_UNIT[unit]
            for number, unit in _PART.findall(parts)
        )
        if sign == "-":
            seconds = -seconds
    else:
        seconds = float(value)
    return FOREVER if seconds < 0 else seconds
