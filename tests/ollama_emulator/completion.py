"""/api/generate and /api/chat: reading the request, the answer, and its stream.

The emulated model answers deterministically, so tests can check what arrived:
- a vision model given pictures describes them (see vision.py);
- otherwise it writes a short answer to the prompt (chat: the last user message),
  see text_model.py;
- with `format` set, that answer in JSON that fits the schema (see structured.py);
- on chat with `tools`, a tool call when a test's rule says so, and once the
  tool has answered, a sentence quoting its result (see tools.py).
"""

import asyncio
from dataclasses import dataclass, field
import re
import time
from typing import Any, Literal, Protocol

from aiohttp import web

from tests.ollama_emulator import text_model, tools
from tests.ollama_emulator.bodies import MESSAGE, checked, images, keep_alive_seconds
from tests.ollama_emulator.catalogue import INSERT, THINKING, TOOLS, VISION, ModelSpec
from tests.ollama_emulator.errors import NOT_AN_IMAGE, ApiError
from tests.ollama_emulator.faults import Fault
from tests.ollama_emulator.replies import (
    NDJSON_TYPE,
    NdjsonStream,
    dumps,
    error_reply,
    json_reply,
    timestamp,
)
from tests.ollama_emulator.structured import (
    BROKEN_JSON,
    json_answer,
    out_of_range,
    without_required_key,
)
from tests.ollama_emulator.vision import NotAnImageError, Picture, describe, look_at

type Endpoint = Literal["generate", "chat"]

THINKING_TEXT = "Let me look at this carefully."
_WORD = re.compile(r"\S+\s*")


class Timing(Protocol):
    first_token_delay: float
    token_delay: float


class Behaviour(Timing, Protocol):
    """What a request's answer depends on besides the request (the emulator's knobs)."""

    true_when_colour: str | None


@dataclass
class Prompt:
    """What a generate or chat request asks for, whichever endpoint it came through."""

    endpoint: Endpoint
    model: str
    text: str
    images: list[bytes]
    keep_alive: float | None
    stream: bool
    load_only: bool
    wants: tuple[str, ...]
    """Capabilities needed besides completion (tools, thinking, insert)."""
    format: Any = None
    """`"json"` or a JSON schema: the answer must be JSON (fitting the schema)."""
    pictures: list[Picture | None] = field(default_factory=list)
    tools: tuple[str, ...] = ()
    """The names of the functions a chat request offers."""
    last_role: str | None = None
    """The role of a chat request's last message."""
    tool_result: str | None = None
    """The content of the last message when a tool sent it."""
    tool_call: dict[str, Any] | None = None
    """The call the model answers with (the server applies the test's rules)."""

    def __post_init__(self) -> None:
        self.pictures = [_look(data) for data in self.images]


def _look(data: bytes) -> Picture | None:
    try:
        return look_at(data)
    except NotAnImageError:
        return None


def _wants_thinking(value: Any) -> bool:
    return value is True or value in ("high", "medium", "low", "true")


def read_prompt(endpoint: Endpoint, body: dict[str, Any]) -> Prompt:
    """`body` has passed the type checks of bodies.GENERATE or bodies.CHAT."""
    wants: list[str] = []
    offered: tuple[str, ...] = ()
    last_role: str | None = None
    tool_result: str | None = None
    if _wants_thinking(body.get("think")):
        wants.append(THINKING)
    if endpoint == "generate":
        text = body.get("prompt") or ""
        pictures = images(body.get("images"))
        load_only = text == ""
        if body.get("suffix"):
            wants.append(INSERT)
    else:
        messages = [checked(message, MESSAGE) for message in body.get("messages") or ()]
        user = [message for message in messages if message.get("role") == "user"]
        text = (user[-1].get("content") or "") if user else ""
        pictures = [
            data for message in messages for data in images(message.get("images"))
        ]
        load_only = not messages
        if body.get("tools"):
            wants.append(TOOLS)
            offered = tools.offered(body["tools"])
        if messages:
            last_role = messages[-1].get("role")
            if last_role == "tool":
                tool_result = messages[-1].get("content") or ""
    return Prompt(
        endpoint=endpoint,
        model=body.get("model") or "",
        text=text,
        images=pictures,
        keep_alive=keep_alive_seconds(body.get("keep_alive")),
        stream=body.get("stream") is not False,
        load_only=load_only,
        wants=tuple(wants),
        # "" and null mean no format.
        format=body.get("format") or None,
        tools=offered,
        last_role=last_role,
        tool_result=tool_result,
    )


def answer(
    prompt: Prompt,
    spec: ModelSpec,
    fault: Fault | None = None,
    true_when_colour: str | None = None,
) -> str:
    """The model's whole answer. Models without vision ignore pictures, as older
    servers did (the model saw a placeholder). The faults broken_json,
    missing_required and numbers_out_of_range spoil a structured answer. A
    structured answer's booleans say whether any picture was seen, or, with
    `true_when_colour`, whether the last picture seen is mostly that colour."""
    seen: list[Picture] = []
    if prompt.images and spec.supports(VISION):
        seen = [p for p in prompt.pictures if p is not None]
        if len(seen) < len(prompt.pictures):
            raise ApiError(500, NOT_AN_IMAGE)
        text = describe(seen)
    elif prompt.tool_result is not None:
        text = tools.quote(prompt.tool_result)
    else:
        text = text_model.write(prompt.text)
    kind = fault.kind if fault else None
    if kind == "broken_json":
        return BROKEN_JSON
    if prompt.format is None:
        return text
    truth = bool(seen) and (
        true_when_colour is None or seen[-1].colour == true_when_colour
    )
    if kind == "missing_required":
        return without_required_key(prompt.format, text, seen, truth)
    if kind == "numbers_out_of_range":
        return out_of_range(prompt.format, text, seen, truth)
    return json_answer(prompt.format, text, seen, truth)


def prompt_tokens(prompt: Prompt, spec: ModelSpec) -> int:
    tokens = len(prompt.text.split())
    if spec.supports(VISION):
        tokens += sum(
            spec.tokens_for_image(p.width, p.height) for p in prompt.pictures if p
        )
    return max(1, tokens)


class Clock:
    """Nanosecond timestamps of one request, for the metrics of its final chunk."""

    def __init__(self) -> None:
        self.arrived = self.loaded = self.first_token = time.perf_counter_ns()

    def mark_loaded(self) -> None:
        self.loaded = self.first_token = time.perf_counter_ns()

    def mark_first_token(self) -> None:
        self.first_token = time.perf_counter_ns()

    def metrics(self, prompt_count: int, eval_count: int) -> dict[str, int]:
        now = time.perf_counter_ns()
        # Zero metrics are left out by the real server; these are never zero.
        return {
            "total_duration": max(1, now - self.arrived),
            "load_duration": max(1, self.loaded - self.arrived),
            "prompt_eval_count": prompt_count,
            "prompt_eval_duration": max(1, self.first_token - self.loaded),
            "eval_count": max(1, eval_count),
            "eval_duration": max(1, now - self.first_token),
        }


def chunk(prompt: Prompt, text: str, thinking: str = "") -> dict[str, Any]:
    """One streamed piece of the answer, shaped for the endpoint."""
    reply: dict[str, Any] = {"model": prompt.model, "created_at": timestamp()}
    if prompt.endpoint == "generate":
        reply["response"] = text
        if thinking:
            reply["thinking"] = thinking
    else:
        message = {"role": "assistant", "content": text}
        if thinking:
            message["thinking"] = thinking
        reply["message"] = message
    reply["done"] = False
    return reply


def tool_call_chunk(prompt: Prompt, call: dict[str, Any]) -> dict[str, Any]:
    """The model's call of a tool, as Ollama streams it: one message of its own."""
    reply = chunk(prompt, "")
    reply["message"]["tool_calls"] = [call]
    return reply


def final(
    prompt: Prompt,
    reason: str,
    metrics: dict[str, int] | None = None,
    text: str = "",
    thinking: str = "",
) -> dict[str, Any]:
    reply = chunk(prompt, text, thinking)
    reply["done"] = True
    reply["done_reason"] = reason
    if metrics:
        if prompt.endpoint == "generate":
            reply["context"] = list(range(1, metrics["eval_count"] + 1))
        reply.update(metrics)
    return reply


def load_reply(prompt: Prompt, reason: Literal["load", "unload"]) -> web.Response:
    """Empty prompt / no messages: one object, whatever `stream` says."""
    return json_reply(final(prompt, reason))


async def drop_connection(request: web.Request) -> None:
    """Close the TCP connection without finishing the HTTP reply."""
    if request.transport is not None:
        request.transport.abort()
    # The server notices the closed connection and cancels this handler.
    await asyncio.sleep(3600)


async def _break_off(
    request: web.Request, stream: NdjsonStream | None, fault: Fault
) -> web.StreamResponse:
    if fault.kind == "drop_mid_stream":
        await drop_connection(request)
    if stream is None:
        # Without streaming, the server collects the answer and reports the error.
        return error_reply(500, fault.message)
    return await stream.fail(500, fault.message)


async def _one_line(
    request: web.Request,
    prompt: Prompt,
    spec: ModelSpec,
    clock: Clock,
    fault: Fault,
    true_when_colour: str | None,
) -> web.StreamResponse:
    """What a buffering proxy or a non-streaming "compatible" server sends: the whole
    answer as one line of `fault.size` bytes, no newline. one_line: the final object,
    its token `context` grown to the size; garbage_line: bytes that are not JSON."""
    if fault.kind == "garbage_line":
        body = b"<" * fault.size
    else:
        text = answer(prompt, spec, true_when_colour=true_when_colour)
        reply = final(prompt, "stop", clock.metrics(prompt_tokens(prompt, spec), 1))
        reply["response"] = text
        reply["context"] = []
        room = fault.size - len(dumps(reply).encode())
        # Each token id costs its digits and a comma: "100000," is 7 bytes.
        reply["context"] = [100000] * max(0, room // 7)
        body = dumps(reply).encode()
        body += b" " * max(0, fault.size - len(body))
    response = web.StreamResponse(headers={"Content-Type": NDJSON_TYPE})
    await response.prepare(request)
    await response.write(body)
    await response.write_eof()
    return response


async def _call_tool(
    request: web.Request,
    prompt: Prompt,
    spec: ModelSpec,
    clock: Clock,
    timing: Timing,
    call: dict[str, Any],
) -> web.StreamResponse:
    """A tool call instead of words: streamed as one chunk, then the done line."""
    await asyncio.sleep(timing.first_token_delay)
    clock.mark_first_token()
    metrics = clock.metrics(prompt_tokens(prompt, spec), 1)
    if not prompt.stream:
        reply = final(prompt, "stop", metrics)
        reply["message"]["tool_calls"] = [call]
        return json_reply(reply)
    stream = NdjsonStream(request)
    await stream.send(tool_call_chunk(prompt, call))
    await stream.send(final(prompt, "stop", metrics))
    return await stream.finish()


async def run(
    request: web.Request,
    prompt: Prompt,
    *,
    spec: ModelSpec,
    clock: Clock,
    timing: Behaviour,
    fault: Fault | None,
) -> web.StreamResponse:
    """Generate the answer word by word, streamed or in one piece; a mid-stream
    fault (error_mid_stream, drop_mid_stream) strikes after `after_chunks` words."""
    if fault and fault.kind in ("one_line", "garbage_line"):
        return await _one_line(
            request, prompt, spec, clock, fault, timing.true_when_colour
        )
    if prompt.tool_call is not None:
        return await _call_tool(request, prompt, spec, clock, timing, prompt.tool_call)
    words: list[str] = _WORD.findall(
        answer(prompt, spec, fault, timing.true_when_colour)
    )
    thinking = THINKING_TEXT if THINKING in prompt.wants else ""
    breaking = fault if fault and fault.kind.endswith("_mid_stream") else None
    stream = NdjsonStream(request) if prompt.stream else None

    await asyncio.sleep(timing.first_token_delay)
    clock.mark_first_token()
    if thinking and stream:
        await stream.send(chunk(prompt, "", thinking))
    for index, word in enumerate(words):
        if breaking and index == breaking.after_chunks:
            return await _break_off(request, stream, breaking)
        if index:
            await asyncio.sleep(timing.token_delay)
        if stream:
            await stream.send(chunk(prompt, word))
    if breaking:  # it asked for more chunks than the answer has
        return await _break_off(request, stream, breaking)

    metrics = clock.metrics(prompt_tokens(prompt, spec), len(words))
    if stream is None:
        return json_reply(final(prompt, "stop", metrics, "".join(words), thinking))
    await stream.send(final(prompt, "stop", metrics))
    return await stream.finish()
