"""Go's `base64.StdEncoding` decoder, so invalid images fail with Go's error and offset.

Ollama decodes `images` with encoding/json, which uses StdEncoding: padding required,
CR/LF skipped, anything else outside the alphabet refused with
`illegal base64 data at input byte N`.
"""

import string

from tests.ollama_emulator.go_duration import GoError

_ALPHABET = (
    string.ascii_uppercase + string.ascii_lowercase + string.digits + "+/"
).encode()
_VALUES = {byte: index for index, byte in enumerate(_ALPHABET)}
_PAD = ord("=")
_NEWLINES = (ord("\n"), ord("\r"))


def _corrupt(offset: int) -> GoError:
    return GoError(f"illegal base64 data at input byte {offset}")


def _skip_newlines(src: bytes, at: int) -> int:
    while at < len(src) and src[at] in _NEWLINES:
        at += 1
    return at


def _quantum(src: bytes, at: int) -> tuple[int, list[int], bool]:
    """Read one group of up to four symbols, as Go's decodeQuantum does.

    Returns (next offset, 6-bit values, whether padding ended the input).
    """
    values: list[int] = []
    while len(values) < 4:
        if at == len(src):
            if not values:
                return at, values, True
            # StdEncoding pads, so input may not stop inside a quantum.
            raise _corrupt(at - len(values))
        byte = src[at]
        at += 1
        if byte in _VALUES:
            values.append(_VALUES[byte])
            continue
        if byte in _NEWLINES:
            continue
        if byte != _PAD or len(values) < 2:
            raise _corrupt(at - 1)
        if len(values) == 2:  # "==" expected: the second "=" must follow
            at = _skip_newlines(src, at)
            if at == len(src):
                raise _corrupt(len(src))
            if src[at] != _PAD:
                raise _corrupt(at - 1)
            at += 1
        at = _skip_newlines(src, at)
        if at < len(src):
            raise _corrupt(at)  # trailing garbage after the padding
        return at, values, True
    return at, values, False


def go_b64decode(text: str) -> bytes:
    src = text.encode("utf-8")
    out = bytearray()
    at = 0
    finished = False
    while not finished:
        at, values, finished = _quantum(src, at)
        if not values:
            break
        bits = 0
        for value in values + [0] * (4 - len(values)):
            bits = bits << 6 | value
        out += bits.to_bytes(3, "big")[: len(values) - 1]
    return bytes(out)
