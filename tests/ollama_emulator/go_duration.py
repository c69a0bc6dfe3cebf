"""Go's `time.ParseDuration` and Ollama's `keep_alive` rules, with Go's error texts.

The emulator must refuse exactly what the real server refuses: `"300"` (no unit) is a
400, while `300` (a JSON number) means 300 seconds.
"""

import math
import re
from typing import Any

_NANOS_PER_UNIT: dict[str, int] = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 micro sign
    "μs": 1_000,  # U+03BC Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_MAX_NANOS = (1 << 63) - 1
_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]*))?")
_UNIT = re.compile(r"[^0-9.]*")

FOREVER = math.inf
"""keep_alive that never expires (negative values)."""


class GoError(ValueError):
    """An error whose text is what the Go server would say."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_go_duration(text: str) -> int:
    """Nanoseconds, like Go's time.ParseDuration (grammar [-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+)."""
    invalid = GoError(f"time: invalid duration {_quote(text)}")
    rest = text
    negative = False
    if rest[:1] in ("-", "+"):
        negative = rest[0] == "-"
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise invalid
    total = 0
    while rest:
        if rest[0] not in "0123456789.":
            raise invalid
        number = _NUMBER.match(rest)
        assert number is not None
        whole, fraction = number.group(1), number.group(2)
        if not whole and not fraction:
            raise invalid
        rest = rest[number.end() :]
        unit = _UNIT.match(rest)
        assert unit is not None
        if not unit.group():
            raise GoError(f"time: missing unit in duration {_quote(text)}")
        if unit.group() not in _NANOS_PER_UNIT:
            raise GoError(
                f"time: unknown unit {_quote(unit.group())} in duration {_quote(text)}"
            )
        scale = _NANOS_PER_UNIT[unit.group()]
        rest = rest[unit.end() :]
        # Go truncates the fractional part towards zero, in whole nanoseconds.
        total += int(whole or "0") * scale
        if fraction:
            total += int(fraction) * scale // 10 ** len(fraction)
        if total > _MAX_NANOS + (1 if negative else 0):
            raise invalid
    return -total if negative else total


def _go_type_name(value: Any) -> str:
    """reflect.TypeOf of what encoding/json puts in an `any`."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return "%!s(<nil>)"


def parse_keep_alive(value: Any) -> float | None:
    """Seconds the model stays loaded after a request: None = server default,
    FOREVER for any negative value, 0 = unload right after the request.

    A number counts seconds; a string must be a Go duration (so "300" is refused).
    """
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = parse_go_duration(value) / 1e9
    else:
        raise GoError(f"Unsupported type: '{_go_type_name(value)}'")
    return FOREVER if seconds < 0 else seconds
