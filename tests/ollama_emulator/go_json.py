"""Decode a request body the way Ollama's Go handlers do, with their error texts.

Ollama binds requests with gin (`json.NewDecoder(body).Decode(&req)`), so:
- an empty body is io.EOF, reported as `missing request body`;
- only the first JSON value is read: trailing bytes are ignored;
- keys match struct fields case-insensitively; unknown keys are ignored;
- a value of the wrong type is `json: cannot unmarshal X into Go struct field ...`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
import string
from typing import Any

from tests.ollama_emulator.go_base64 import go_b64decode
from tests.ollama_emulator.go_duration import GoError, parse_keep_alive

# A field checker gets the value and its path (for messages); it raises GoError.
type Check = Callable[[Any, str], None]


@dataclass(frozen=True)
class Struct:
    """A Go request struct: its name (for error paths) and its JSON fields."""

    name: str
    fields: Mapping[str, Check]


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_error(value: Any, path: str, go_type: str) -> GoError:
    return GoError(
        f"json: cannot unmarshal {_json_kind(value)} into Go struct field "
        f"{path} of type {go_type}"
    )


def scalar(go_type: str, python_type: type) -> Check:
    def check(value: Any, path: str) -> None:
        if value is not None and not isinstance(value, python_type):
            raise _type_error(value, path, go_type)

    return check


STRING = scalar("string", str)
BOOL = scalar("bool", bool)
OBJECT = scalar("map[string]interface {}", dict)


def anything(_value: Any, _path: str) -> None:
    """json.RawMessage / any: every value goes."""


def base64_list(value: Any, path: str) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        raise _type_error(value, path, "[]api.ImageData")
    for item in value:
        if item is None:
            continue
        if not isinstance(item, str):
            raise _type_error(item, path, "api.ImageData")
        go_b64decode(item)


def duration(value: Any, _path: str) -> None:
    """api.Duration has its own UnmarshalJSON: its errors come out unwrapped."""
    parse_keep_alive(value)


def think(value: Any, _path: str) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str) and value in ("high", "medium", "low", "true", "false"):
        return
    raise GoError(
        'think must be a boolean or string ("high", "medium", "low", true, or false)'
    )


def list_of(struct: Struct) -> Check:
    def check(value: Any, path: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            raise _type_error(value, path, f"[]api.{struct.name}")
        for item in value:
            if item is not None and not isinstance(item, dict):
                raise _type_error(item, path, f"api.{struct.name}")
            _check_struct(item or {}, struct, path)

    return check


def field(body: Mapping[str, Any], name: str) -> Any:
    """A field as Go would bind it: exact key first, else a case-insensitive match."""
    if name in body:
        return body[name]
    for key, value in body.items():
        if key.casefold() == name.casefold():
            return value
    return None


def _check_struct(body: Mapping[str, Any], struct: Struct, path: str) -> None:
    for name, check in struct.fields.items():
        value = field(body, name)
        check(value, f"{path}.{name}")


def _quote_char(char: str) -> str:
    """Go's encoding/json quoteChar for the byte where decoding failed."""
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    escapes = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
    if char in escapes:
        return f"'{escapes[char]}'"
    first_byte = char.encode("utf-8")[0]
    if 0x20 <= first_byte < 0x7F:
        return f"'{char}'"
    return f"'\\x{first_byte:02x}'"


def _container_at(doc: str, pos: int) -> str | None:
    """'{' or '[' enclosing `pos`, found by scanning brackets outside strings."""
    stack: list[str] = []
    in_string = escaped = False
    for char in doc[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _first_non_space(doc: str, pos: int) -> int:
    while pos < len(doc) and doc[pos] in " \t\r\n":
        pos += 1
    return pos


def _literal_error(doc: str, pos: int) -> tuple[int, str] | None:
    """Where Go stops in a misspelt true/false/null or a lone minus sign."""
    for literal in ("true", "false", "null"):
        if doc.startswith(literal[0], pos):
            matched = 0
            while doc.startswith(literal[: matched + 1], pos):
                matched += 1
            return (
                pos + matched,
                f"in literal {literal} (expecting '{literal[matched]}')",
            )
    if doc.startswith("-", pos):
        return pos + 1, "in numeric literal"
    return None


def _locate(error: json.JSONDecodeError) -> tuple[int, str]:
    """Python's complaint turned into Go's: (offending offset, Go's context words)."""
    doc, pos, msg = error.doc, error.pos, error.msg
    if msg.startswith("Illegal trailing comma before end of object"):
        return _first_non_space(
            doc, pos + 1
        ), "looking for beginning of object key string"
    if msg.startswith("Illegal trailing comma"):
        return _first_non_space(doc, pos + 1), "looking for beginning of value"
    if msg.startswith("Expecting property name"):
        return pos, "looking for beginning of object key string"
    if msg.startswith("Expecting ':'"):
        return pos, "after object key"
    if msg.startswith("Expecting ','"):
        in_object = _container_at(doc, pos) == "{"
        return (
            pos,
            "after object key:value pair" if in_object else "after array element",
        )
    if msg.startswith("Invalid control character"):
        return pos, "in string literal"
    if msg.startswith("Invalid \\u"):
        # Python points at the 'u'; Go at the first character that is not hex.
        end = pos + 1
        while end < min(len(doc), pos + 5) and doc[end] in string.hexdigits:
            end += 1
        return end, "in \\u hexadecimal character escape"
    if msg.startswith("Invalid \\"):
        return pos + 1, "in string escape code"  # Python points at the backslash
    return _literal_error(doc, pos) or (pos, "looking for beginning of value")


def _syntax_error(error: json.JSONDecodeError) -> GoError:
    if error.msg.startswith("Unterminated string"):
        return GoError("unexpected EOF")
    pos, context = _locate(error)
    if pos >= len(error.doc):
        return GoError("unexpected EOF")
    return GoError(f"invalid character {_quote_char(error.doc[pos])} {context}")


def _refuse_constant(name: str) -> Any:
    # Python accepts NaN and Infinity; Go's decoder stops at their first letter.
    if name.startswith("-"):
        raise GoError("invalid character 'I' in numeric literal")
    raise GoError(f"invalid character '{name[0]}' looking for beginning of value")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


class MissingBody(GoError):
    """io.EOF from the decoder: the body was empty or only whitespace."""

    def __init__(self) -> None:
        super().__init__("missing request body")


def parse_json(raw: bytes) -> Any:
    """The first JSON value of `raw` (Go's Decoder ignores what follows it)."""
    doc = raw.decode("utf-8", errors="replace")
    start = len(doc) - len(doc.lstrip(" \t\r\n"))
    if start == len(doc):
        raise MissingBody
    try:
        value, _end = _DECODER.raw_decode(doc, start)
    except json.JSONDecodeError as error:
        raise _syntax_error(error) from None
    return value


def bind(value: Any, struct: Struct) -> dict[str, Any]:
    """Check a decoded value against a request struct; null binds to the zero value."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GoError(
            f"json: cannot unmarshal {_json_kind(value)} into Go value of type "
            f"api.{struct.name}"
        )
    _check_struct(value, struct, struct.name)
    return value
