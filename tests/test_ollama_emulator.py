"""The Ollama emulator, tested through real HTTP as a client would see it."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import json
import math
from pathlib import Path
import signal
import socket
import sys
import time
from typing import Any

import aiohttp
import pytest

from tests.image_server import b64, make_jpeg, make_png
from tests.ollama_emulator import PALETTE, OllamaEmulator, ToolRule, colour_name
from tests.ollama_emulator.bodies import keep_alive_seconds
from tests.ollama_emulator.vision import look_at
from tests.waiting import wait_for

RED_JPEG = make_jpeg(640, 480, (255, 0, 0))
BLUE_PNG = make_png(20, 10, (0, 0, 255))
RUNNER_CRASH = (
    "model runner has unexpectedly stopped, this may be due to resource limitations "
    "or an internal error, check ollama server logs for details"
)
SERVER_BUSY = "server busy, please try again.  maximum pending requests exceeded"
HI_ANSWER = 'A short answer to "hi".'


@dataclass
class Reply:
    status: int
    content_type: str
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    @property
    def error(self) -> str:
        message: str = self.json()["error"]
        return message


@dataclass
class Api:
    """A plain aiohttp client for the emulator."""

    session: aiohttp.ClientSession
    emulator: OllamaEmulator

    async def call(
        self,
        path: str,
        body: Any = None,
        *,
        method: str = "POST",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        if data is None and body is not None:
            data = json.dumps(body).encode()
        async with self.session.request(
            method, self.emulator.url + path, data=data, headers=headers
        ) as response:
            text = await response.text()
            return Reply(response.status, response.content_type, text)

    async def generate(self, **body: Any) -> Reply:
        return await self.call("/api/generate", body)

    async def chat(self, **body: Any) -> Reply:
        return await self.call("/api/chat", body)

    async def answer(self, **body: Any) -> str:
        """The whole streamed answer of a generate request, checked for success."""
        reply = await self.generate(**body)
        assert reply.status == 200, reply.text
        lines = reply.lines()
        assert lines[-1]["done"] is True
        return "".join(line["response"] for line in lines)

    async def ps(self) -> list[dict[str, Any]]:
        models: list[dict[str, Any]] = (
            await self.call("/api/ps", method="GET")
        ).json()["models"]
        return models


@pytest.fixture
async def api(ollama_emulator: OllamaEmulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, ollama_emulator)


# ---- plain endpoints ------------------------------------------------------------------


async def test_root_answers_get_and_head(api: Api) -> None:
    reply = await api.call("/", method="GET")
    assert (reply.status, reply.content_type, reply.text) == (
        200,
        "text/plain",
        "Ollama is running",
    )
    assert (await api.call("/", method="HEAD")).status == 200


async def test_version(api: Api) -> None:
    reply = await api.call("/api/version", method="GET")
    assert reply.json() == {"version": "0.33.0"}


async def test_unknown_path_and_wrong_method(api: Api) -> None:
    missing = await api.call("/api/nothing", method="GET")
    assert (missing.status, missing.text) == (404, "404 page not found")
    wrong = await api.call("/api/generate", method="GET")
    assert (wrong.status, wrong.text) == (405, "405 method not allowed")


async def test_tags_list_the_default_models(api: Api) -> None:
    models = (await api.call("/api/tags", method="GET")).json()["models"]
    names = {model["name"] for model in models}
    assert {
        "moondream:latest",
        "llava:latest",
        "llama3.1:latest",
        "qwen2.5vl:latest",
        "nomic-embed-text:latest",
    } <= names
    llava = next(model for model in models if model["name"] == "llava:latest")
    assert llava["model"] == "llava:latest"
    assert len(llava["digest"]) == 64
    assert llava["details"]["family"] == "llama"
    assert llava["modified_at"].endswith("Z")


@pytest.mark.parametrize(
    ("name", "capabilities"),
    [
        ("moondream", ["completion", "vision"]),
        ("llava", ["completion", "vision"]),
        ("llama3.1:latest", ["completion", "tools"]),
        ("qwen2.5vl", ["completion", "vision"]),
        ("nomic-embed-text", ["embedding"]),
    ],
)
async def test_show_reports_capabilities(
    api: Api, name: str, capabilities: list[str]
) -> None:
    reply = await api.call("/api/show", {"model": name})
    assert reply.status == 200
    assert reply.json()["capabilities"] == capabilities
    assert {
        "family",
        "families",
        "parameter_size",
        "quantization_level",
        "format",
    } <= set(reply.json()["details"])


async def test_show_legacy_model_has_clip_family_instead_of_capabilities(
    api: Api,
) -> None:
    shown = (await api.call("/api/show", {"name": "bakllava"})).json()
    assert "capabilities" not in shown
    assert "clip" in shown["details"]["families"]


async def test_show_errors(api: Api) -> None:
    unknown = await api.call("/api/show", {"model": "foo"})
    assert (unknown.status, unknown.error) == (404, "model 'foo:latest' not found")
    missing = await api.call("/api/show", {})
    assert (missing.status, missing.error) == (400, "model is required")


# ---- generate and chat ----------------------------------------------------------------


async def test_generate_streams_word_by_word(api: Api) -> None:
    reply = await api.generate(model="LLaMA3.1", prompt="hello there")
    assert reply.status == 200
    assert reply.content_type == "application/x-ndjson"
    lines = reply.lines()
    assert len(lines) > 3
    assert all(line["model"] == "LLaMA3.1" for line in lines)  # echoed as sent
    assert all(line["done"] is False for line in lines[:-1])
    assert "".join(line["response"] for line in lines) == (
        'A short answer to "hello there".'
    )
    last = lines[-1]
    assert last["done_reason"] == "stop"
    assert last["created_at"].endswith("Z")
    for metric in (
        "total_duration",
        "load_duration",
        "prompt_eval_count",
        "prompt_eval_duration",
        "eval_count",
        "eval_duration",
    ):
        assert isinstance(last[metric], int)
        assert last[metric] > 0
    assert last["eval_count"] == len(lines) - 1


async def test_generate_without_streaming_is_one_object(api: Api) -> None:
    reply = await api.generate(model="llama3.1", prompt="hi", stream=False)
    assert reply.content_type == "application/json"
    body = reply.json()
    assert body["response"] == HI_ANSWER
    # Options are accepted, unknown option keys ignored.
    shaped = await api.generate(
        model="llama3.1",
        prompt="hi",
        stream=False,
        options={"temperature": 0, "num_ctx": 4096, "no_such_option": True},
    )
    assert shaped.json()["response"] == HI_ANSWER
    assert body["done"] is True
    assert body["done_reason"] == "stop"


SCHEMA = {
    "type": "object",
    "properties": {
        "cars": {"type": "number", "minimum": 0.0, "maximum": 20.0},
        "people": {"type": "integer", "minimum": 5},
        "parcel": {"type": "boolean"},
        "summary": {"type": "string"},
        "colour": {"type": "string", "enum": ["blue", "red"]},
        "kind": {"const": "camera"},
        "plates": {"type": "array", "items": {"type": "string"}},
        "rgb": {"type": "array", "items": {"type": "number"}, "minItems": 3},
        "where": {"type": "object", "properties": {"zone": {"type": "string"}}},
        "maybe": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
        "note": {"type": ["null", "string"]},
        "nothing": {"type": "null"},
        "half": {"type": "number", "minimum": 2.5},
    },
    "required": ["cars"],
}


async def test_format_schema_gets_json_that_fits(api: Api) -> None:
    """Values come from what the model saw: two pictures, so the count is 2."""
    text = await api.answer(
        model="moondream",
        prompt="What is there?",
        images=[b64(RED_JPEG), b64(BLUE_PNG)],
        format=SCHEMA,
    )
    seen = (
        "Image 1 is 640x480 pixels, mostly red. Image 2 is 20x10 pixels, mostly blue."
    )
    assert json.loads(text) == {
        "cars": 2,
        "people": 5,
        "parcel": True,
        "summary": seen,
        "colour": "blue",
        "kind": "camera",
        "plates": [seen],
        "rgb": [2, 2, 2],
        "where": {"zone": seen},
        "maybe": True,
        "note": seen,
        "nothing": None,
        "half": 2.5,
    }
    # A text model sees no pictures: no count, no parcel.
    text = await api.answer(model="llama3.1", prompt="hi", format=SCHEMA)
    assert json.loads(text)["cars"] == 0
    assert json.loads(text)["parcel"] is False


async def test_booleans_follow_a_colour_rule(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    """With true_when_colour, a yes/no answer says whether the last picture is
    mostly that colour; earlier pictures do not count."""
    schema = {"type": "object", "properties": {"met": {"type": "boolean"}}}
    ollama_emulator.true_when_colour = "blue"

    async def met(*pictures: bytes) -> bool:
        text = await api.answer(
            model="moondream",
            prompt="Is it blue?",
            images=[b64(picture) for picture in pictures],
            format=schema,
        )
        value: bool = json.loads(text)["met"]
        return value

    assert await met(BLUE_PNG) is True
    assert await met(RED_JPEG) is False
    assert await met(BLUE_PNG, RED_JPEG) is False
    assert await met(RED_JPEG, BLUE_PNG) is True
    # No picture seen: never true.
    text = await api.answer(model="llama3.1", prompt="hi", format=schema)
    assert json.loads(text) == {"met": False}


async def test_format_json_and_no_format(api: Api) -> None:
    text = await api.answer(model="llama3.1", prompt="hi", format="json")
    assert json.loads(text) == {"answer": HI_ANSWER}
    # "" and null mean no format at all.
    for empty in ("", None):
        text = await api.answer(model="llama3.1", prompt="hi", format=empty)
        assert text == HI_ANSWER


async def test_structured_answer_faults(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    """broken_json cuts the JSON off; missing_required leaves out a required key."""
    ollama_emulator.inject("broken_json")
    ollama_emulator.inject("missing_required", times=2)
    broken = await api.answer(model="llama3.1", prompt="hi", format=SCHEMA)
    with pytest.raises(json.JSONDecodeError, match="Unterminated string"):
        json.loads(broken)
    missing = json.loads(await api.answer(model="llama3.1", prompt="hi", format=SCHEMA))
    assert "cars" not in missing
    assert "parcel" in missing
    # Without required keys the first property goes.
    assert (
        json.loads(
            await api.answer(
                model="llama3.1", prompt="hi", format={"properties": {"a": {}}}
            )
        )
        == {}
    )
    assert (
        json.loads(await api.answer(model="llama3.1", prompt="hi", format=SCHEMA))[
            "cars"
        ]
        == 0
    )


PROBABILITY = {"type": "number", "minimum": 0.0, "maximum": 1.0}
PROBABILITIES = {
    "type": "object",
    "properties": {
        "red": PROBABILITY,
        "sky": {**PROBABILITY, "description": "Mostly BLUE, like the sky"},
        "grass": {**PROBABILITY, "description": "mostly green"},
        "reddish": PROBABILITY,
        "count": {"type": "number", "minimum": 0.0, "maximum": 5.0},
    },
}


async def test_probabilities_follow_the_colours_seen(api: Api) -> None:
    """A number bounded by 0 and 1 is 0.9 when its name or description names a
    colour the model saw (a whole word), else 0.1; other numbers still count."""
    text = await api.answer(
        model="moondream",
        prompt="Which colours?",
        images=[b64(RED_JPEG), b64(BLUE_PNG)],
        format=PROBABILITIES,
    )
    assert json.loads(text) == {
        "red": 0.9,
        "sky": 0.9,
        "grass": 0.1,
        "reddish": 0.1,
        "count": 2,
    }
    # Without pictures nothing is likely.
    text = await api.answer(model="llama3.1", prompt="hi", format=PROBABILITIES)
    assert json.loads(text) == {
        "red": 0.1,
        "sky": 0.1,
        "grass": 0.1,
        "reddish": 0.1,
        "count": 0,
    }


async def test_numbers_out_of_range_fault(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    """Every number becomes 3 x its value - 1, past its bounds; the rest stays."""
    ollama_emulator.inject("numbers_out_of_range")
    schema = {
        "type": "object",
        "properties": {
            "odds": PROBABILITIES,
            "list": {"type": "array", "items": PROBABILITY, "minItems": 2},
            "parcel": {"type": "boolean"},
        },
    }
    text = await api.answer(
        model="moondream", prompt="?", images=[b64(RED_JPEG)], format=schema
    )
    assert json.loads(text) == {
        "odds": {"red": 1.7, "sky": -0.7, "grass": -0.7, "reddish": -0.7, "count": 2},
        "list": [-0.7, -0.7],
        "parcel": True,
    }
    # One request only: the next answer is in range again.
    text = await api.answer(model="llama3.1", prompt="hi", format=PROBABILITIES)
    assert json.loads(text)["red"] == 0.1


async def test_chat_answers_the_last_user_message(api: Api) -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "second question"},
    ]
    streamed = (await api.chat(model="llama3.1", messages=messages)).lines()
    text = "".join(line["message"]["content"] for line in streamed)
    assert text == 'A short answer to "second question".'
    assert streamed[-1]["done_reason"] == "stop"
    assert all(line["message"]["role"] == "assistant" for line in streamed)
    whole = (await api.chat(model="llama3.1", messages=messages, stream=False)).json()
    assert whole["message"]["content"] == text


async def test_vision_model_describes_each_picture(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    text = await api.answer(
        model="llava", prompt="what?", images=[b64(RED_JPEG), b64(BLUE_PNG)]
    )
    assert text == (
        "Image 1 is 640x480 pixels, mostly red. Image 2 is 20x10 pixels, mostly blue."
    )
    record = ollama_emulator.generate_requests()[-1]
    assert record.images == [(640, 480), (20, 10)]
    assert record.image_bytes == [len(RED_JPEG), len(BLUE_PNG)]


async def test_chat_images_travel_in_messages(api: Api) -> None:
    picture = b64(make_jpeg(100, 50, (255, 255, 0)))
    reply = await api.chat(
        model="qwen2.5vl",
        stream=False,
        messages=[{"role": "user", "content": "look", "images": [picture]}],
    )
    assert (
        reply.json()["message"]["content"] == "Image 1 is 100x50 pixels, mostly yellow."
    )
    # Dynamic resolution: about one token per 28x28 patch, plus the prompt's word.
    assert reply.json()["prompt_eval_count"] == round(100 / 28) * round(50 / 28) + 1


@pytest.mark.parametrize("name", list(PALETTE))
def test_palette_colours_survive_jpeg(name: str) -> None:
    assert look_at(make_jpeg(16, 16, PALETTE[name])).colour == name


@pytest.mark.parametrize(
    ("rgb", "name"),
    [((0, 0, 128), "blue"), ((200, 200, 200), "grey"), ((100, 60, 20), "brown")],
)
def test_colour_names_follow_hue(rgb: tuple[int, int, int], name: str) -> None:
    assert colour_name(rgb) == name


async def test_no_body_size_limit(api: Api, ollama_emulator: OllamaEmulator) -> None:
    # Ollama takes bodies of any size; aiohttp's default would refuse over 1 MiB.
    prompt = "x" * (3 * 1024 * 1024)
    reply = await api.generate(model="llama3.1", prompt=prompt, stream=False)
    assert reply.json()["response"] == f'A short answer to "{"x" * 60}...".'
    assert ollama_emulator.generate_requests()[-1].prompt == prompt


async def test_text_model_ignores_pictures(api: Api) -> None:
    text = await api.answer(model="llama3.1", prompt="describe", images=[b64(RED_JPEG)])
    assert text == 'A short answer to "describe".'


async def test_text_model_introduces_what_the_camera_saw(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    """A prompt quoting the vision model's sentences gets an introduction that keeps
    them; the whole prompt stays in the request log."""
    prompt = (
        "Here is what a security camera saw: <description>Image 1 is 640x480 "
        "pixels, mostly red. Image 2 is 20x10 pixels, mostly blue.</description>. "
        "Write a short, cheeky one-sentence introduction of this visitor."
    )
    text = await api.answer(model="llama3.1", prompt=prompt)
    assert text == (
        "Ding dong, a visitor: Image 1 is 640x480 pixels, mostly red. "
        "Image 2 is 20x10 pixels, mostly blue."
    )
    assert ollama_emulator.generate_requests()[-1].prompt == prompt


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [
        ("Say hello", 'A short answer to "Say hello".'),
        (
            "one two three\nfour five six seven eight nine",
            'A short answer to "one two three four five six seven eight...".',
        ),
        ("   ", 'A short answer to "nothing".'),
    ],
)
async def test_text_model_answers_briefly(api: Api, prompt: str, answer: str) -> None:
    """A plain prompt gets a short answer naming its first words, never the rest."""
    reply = await api.chat(
        model="llama3.1", messages=[{"role": "user", "content": prompt}], stream=False
    )
    assert reply.json()["message"]["content"] == answer


async def test_bytes_that_are_not_a_picture_fail_in_the_runner(api: Api) -> None:
    reply = await api.generate(
        model="llava", prompt="x", images=[b64(b"not a picture")]
    )
    assert (reply.status, reply.error) == (
        500,
        "failed to process inputs: image: unknown format",
    )


async def test_thinking_model_thinks_when_asked(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.add_model("thinker", capabilities=["completion", "thinking"])
    body = (
        await api.generate(model="thinker", prompt="q", think=True, stream=False)
    ).json()
    assert body["thinking"]
    assert body["response"] == 'A short answer to "q".'


async def test_add_and_remove_model(api: Api, ollama_emulator: OllamaEmulator) -> None:
    ollama_emulator.add_model("foo:latest", capabilities=["completion", "vision"])
    shown = (await api.call("/api/show", {"model": "foo"})).json()
    assert shown["capabilities"] == ["completion", "vision"]
    ollama_emulator.remove_model("foo")
    assert (await api.call("/api/show", {"model": "foo"})).status == 404


# ---- tool calls -------------------------------------------------------------------------

SEARCH_TOOL = {
    "type": "function",
    "function": {"name": "search", "parameters": {"type": "object"}},
}


async def test_tool_call_for_a_rule_then_the_result_quoted(api: Api) -> None:
    """The user's words call the rule's tool; the tool's result comes back quoted."""
    api.emulator.tool_rules.append(ToolRule("postman", "search", {"text": "parcel"}))
    question = {"role": "user", "content": "When did the Postman come?"}

    called = await api.chat(model="llama3.1", messages=[question], tools=[SEARCH_TOOL])

    lines = called.lines()
    assert lines[0]["message"]["tool_calls"] == [
        {"function": {"name": "search", "arguments": {"text": "parcel"}}}
    ]
    assert lines[0]["message"]["content"] == ""
    assert lines[-1]["done"] is True
    assert lines[-1]["done_reason"] == "stop"
    result = {"role": "tool", "content": '{"data": {"time": "08:03"}}'}
    answered = await api.chat(
        model="llama3.1",
        messages=[question, lines[0]["message"], result],
        tools=[SEARCH_TOOL],
        stream=False,
    )
    assert answered.json()["message"]["content"] == (
        'Here is what I found: {"data": {"time": "08:03"}}'
    )
    assert "tool_calls" not in answered.json()["message"]


async def test_no_tool_call_without_the_tool_or_the_words(api: Api) -> None:
    """A tool the request does not offer is never called; other words get words."""
    api.emulator.tool_rules.append(ToolRule("postman", "search"))
    question = {"role": "user", "content": "When did the postman come?"}
    offered_nothing = await api.chat(
        model="llama3.1", messages=[question], stream=False
    )
    assert "tool_calls" not in offered_nothing.json()["message"]
    other = {"role": "user", "content": "hi"}
    unmatched = await api.chat(
        model="llama3.1", messages=[other], tools=[SEARCH_TOOL], stream=False
    )
    assert unmatched.json()["message"]["content"] == HI_ANSWER
    # A model without the tools capability refuses tools, as Ollama does.
    refused = await api.chat(
        model="moondream", messages=[question], tools=[SEARCH_TOOL]
    )
    assert refused.status == 400
    assert "does not support tools" in refused.error


# ---- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "status", "error"),
    [
        ("/api/generate", b"", 400, "missing request body"),
        ("/api/chat", b"  \n", 400, "missing request body"),
        # Malformed or mistyped: Ollama's status and shape, not Go's decoder texts.
        ("/api/generate", b"{x", 400, None),
        ("/api/generate", b"nope", 400, None),
        ("/api/chat", b'{"model": "llava",', 400, None),
        ("/api/generate", b'{"model": "llama3.1", "prompt": 5}', 400, None),
        (
            "/api/chat",
            b'{"model": "llava", "messages": [{"role": "user", "content": 1}]}',
            400,
            None,
        ),
        ("/api/chat", b'{"model": "llava", "messages": ["hi"]}', 400, None),
        ("/api/generate", b"[]", 400, None),
        ("/api/show", b'{"model": true}', 400, None),
        ("/api/pull", b'{"model": 1}', 400, None),
        ("/api/generate", b'{"prompt": "x"}', 404, "model '' not found"),
        ("/api/chat", b'{"messages": []}', 400, "model is required"),
        (
            "/api/generate",
            b'{"model": "Foo", "prompt": "x"}',
            404,
            "model 'Foo' not found",
        ),
        (
            "/api/chat",
            b'{"model": "foo:1b", "messages": []}',
            404,
            "model 'foo:1b' not found",
        ),
        (
            "/api/generate",
            b'{"model": "llava", "prompt": "x", "images": ["abc!"]}',
            400,
            None,
        ),
        (
            "/api/chat",
            b'{"model": "llava", "messages": [{"role": "user", "images": ["QUJDRA"]}]}',
            400,
            None,
        ),
        (
            "/api/generate",
            b'{"model": "llava", "prompt": "x", "images": [1]}',
            400,
            None,
        ),
        (
            "/api/generate",
            b'{"model": "nomic-embed-text", "prompt": "x"}',
            400,
            '"nomic-embed-text" does not support generate',
        ),
        (
            "/api/chat",
            b'{"model": "nomic-embed-text", "messages": [{"role": "user"}]}',
            400,
            '"nomic-embed-text" does not support chat',
        ),
        (
            "/api/generate",
            b'{"model": "llava", "prompt": "x", "think": true}',
            400,
            '"llava" does not support thinking',
        ),
        (
            "/api/chat",
            b'{"model": "llava", "messages": [], "tools": [{"type": "function"}]}',
            400,
            '"llava" does not support tools',
        ),
    ],
)
async def test_error_rows(
    api: Api, path: str, data: bytes, status: int, error: str | None
) -> None:
    """`error` None: any message; the integration reads only the status and shape."""
    reply = await api.call(path, data=data)
    assert reply.status == status
    assert reply.content_type == "application/json"
    assert isinstance(reply.error, str)
    assert reply.error
    if error is not None:
        assert reply.error == error


# ---- keep_alive, load and unload --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        (300, 300.0),
        (0, 0.0),
        (-1, math.inf),
        ("5m", 300.0),
        ("300s", 300.0),  # what core's Ollama integration sends
        ("1h30m", 5400.0),
        ("-1m", math.inf),
        ("0", 0.0),
        (1.5, 1.5),
    ],
)
def test_keep_alive_values(value: Any, seconds: float | None) -> None:
    assert keep_alive_seconds(value) == seconds


@pytest.mark.parametrize("keep_alive", ["300", "5x", "", True, {}])
async def test_bad_keep_alive_is_refused(api: Api, keep_alive: Any) -> None:
    """A bare "300" has no unit: Ollama refuses it, though 300 means 300 s."""
    reply = await api.generate(model="llama3.1", prompt="x", keep_alive=keep_alive)
    assert reply.status == 400
    assert reply.error


async def test_empty_prompt_loads_the_model(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    assert await api.ps() == []
    reply = await api.generate(model="llava", prompt="")
    assert reply.content_type == "application/json"
    assert reply.json() | {"created_at": None} == {
        "model": "llava",
        "created_at": None,
        "response": "",
        "done": True,
        "done_reason": "load",
    }
    (loaded,) = await api.ps()
    assert loaded["name"] == "llava:latest"
    assert ollama_emulator.loaded_models() == ["llava:latest"]
    expires = datetime.fromisoformat(loaded["expires_at"])
    # The server default keeps a model for five minutes.
    assert timedelta(minutes=4) < expires - datetime.now(UTC) <= timedelta(minutes=5)


async def test_keep_alive_zero_unloads(api: Api) -> None:
    await api.chat(model="llava", messages=[])
    reply = await api.chat(model="llava", messages=[], keep_alive=0)
    assert reply.json()["done_reason"] == "unload"
    assert reply.json()["message"] == {"role": "assistant", "content": ""}
    assert await api.ps() == []


async def test_keep_alive_after_a_request(api: Api) -> None:
    await api.answer(model="llama3.1", prompt="a", keep_alive=0)
    assert await api.ps() == []
    await api.answer(model="llama3.1", prompt="a", keep_alive="-1m")
    (loaded,) = await api.ps()
    assert datetime.fromisoformat(loaded["expires_at"]).year > 2200  # never
    await api.answer(model="llama3.1", prompt="a", keep_alive="1h")
    (loaded,) = await api.ps()
    left = datetime.fromisoformat(loaded["expires_at"]) - datetime.now(UTC)
    assert timedelta(minutes=59) < left <= timedelta(hours=1)


async def test_expired_model_leaves_ps(api: Api) -> None:
    # Long enough to outlast a slow `ps` on a busy machine; then wait, bounded.
    await api.answer(model="llama3.1", prompt="a", keep_alive="1s")
    assert len(await api.ps()) == 1
    for _ in range(100):
        if not await api.ps():
            break
        await asyncio.sleep(0.05)
    assert await api.ps() == []


# ---- timing and capacity ----------------------------------------------------------------


async def test_load_delay_applies_to_the_first_request_only(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.load_delay = 0.2
    started = time.monotonic()
    first = (await api.generate(model="llama3.1", prompt="a", stream=False)).json()
    assert time.monotonic() - started >= 0.2
    assert first["load_duration"] >= 200_000_000
    started = time.monotonic()
    second = (await api.generate(model="llama3.1", prompt="a", stream=False)).json()
    assert time.monotonic() - started < 0.15
    assert second["load_duration"] < 100_000_000


async def _chunk_times(api: Api, **body: Any) -> tuple[float, float]:
    """(first chunk, done chunk) arrival times of one streamed generate request."""
    async with api.session.post(
        api.emulator.url + "/api/generate", json=body
    ) as response:
        times = [time.monotonic() async for _line in response.content]
    return times[0], times[-1]


async def test_first_token_and_token_delays(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.first_token_delay = 0.15
    ollama_emulator.token_delay = 0.03
    started = time.monotonic()
    first, done = await _chunk_times(api, model="llama3.1", prompt="a b c d")
    assert first - started >= 0.15
    # 'A short answer to "a b c d".' is 8 words: 7 gaps between them.
    assert done - first >= 7 * 0.03


async def test_one_request_per_model_at_a_time(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.token_delay = 0.03
    (_, first_end), (second_start, _) = await asyncio.gather(
        _chunk_times(api, model="llama3.1", prompt="one"),
        _chunk_times(api, model="llama3.1", prompt="two"),
    )
    assert second_start >= first_end


async def test_parallel_two_overlaps(api: Api, ollama_emulator: OllamaEmulator) -> None:
    ollama_emulator.parallel = 2
    ollama_emulator.token_delay = 0.03
    (_, first_end), (second_start, _) = await asyncio.gather(
        _chunk_times(api, model="llama3.1", prompt="one"),
        _chunk_times(api, model="llama3.1", prompt="two"),
    )
    assert second_start < first_end


async def test_different_models_do_not_wait_for_each_other(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.token_delay = 0.03
    (_, first_end), (second_start, _) = await asyncio.gather(
        _chunk_times(api, model="llama3.1", prompt="one"),
        _chunk_times(api, model="llava", prompt="two"),
    )
    assert second_start < first_end


async def _until_scheduled(
    emulator: OllamaEmulator, model: str, *, holding: int, waiting: int
) -> None:
    """Until the scheduler has `holding` requests in the model's slots and
    `waiting` in the queue."""
    await wait_for(lambda: emulator.occupancy(model) == (holding, waiting))


async def test_queue_limit_answers_503(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.max_queue = 1
    ollama_emulator.inject("stall", model="llama3.1")
    running = asyncio.create_task(api.generate(model="llama3.1", prompt="a"))
    await _until_scheduled(ollama_emulator, "llama3.1", holding=1, waiting=0)
    waiting = asyncio.create_task(api.generate(model="llama3.1", prompt="b"))
    await _until_scheduled(ollama_emulator, "llama3.1", holding=1, waiting=1)
    refused = await api.generate(model="llama3.1", prompt="c")
    assert (refused.status, refused.error) == (503, SERVER_BUSY)
    running.cancel()
    # The stalled client gave up: its slot is free, so the waiting request now runs.
    assert (await waiting).status == 200
    await asyncio.gather(running, return_exceptions=True)


# ---- faults -----------------------------------------------------------------------------


async def test_http_500_fault_once(api: Api, ollama_emulator: OllamaEmulator) -> None:
    ollama_emulator.inject("http_500")
    crashed = await api.generate(model="llama3.1", prompt="a")
    assert (crashed.status, crashed.error) == (500, RUNNER_CRASH)
    assert (await api.generate(model="llama3.1", prompt="a")).status == 200
    assert [r.fault for r in ollama_emulator.generate_requests()] == ["http_500", None]


async def test_busy_503_fault(api: Api, ollama_emulator: OllamaEmulator) -> None:
    ollama_emulator.inject("busy_503", times=2)
    for _ in range(2):
        busy = await api.chat(
            model="llava", messages=[{"role": "user", "content": "a"}]
        )
        assert (busy.status, busy.error) == (503, SERVER_BUSY)
    assert (await api.chat(model="llava", messages=[{"role": "user"}])).status == 200


async def test_fault_limited_to_a_model(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.inject("http_500", model="llava:latest")
    assert (await api.generate(model="llama3.1", prompt="a")).status == 200
    assert (await api.generate(model="llava", prompt="a")).status == 500


async def test_load_requests_do_not_use_up_faults(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.inject("http_500")
    assert (await api.generate(model="llava", prompt="")).status == 200
    assert (await api.generate(model="llava", prompt="a")).status == 500
    ollama_emulator.inject("http_500", load_requests=True)
    assert (await api.generate(model="llava", prompt="")).status == 500


async def test_clear_faults(api: Api, ollama_emulator: OllamaEmulator) -> None:
    ollama_emulator.inject("http_500", times=5)
    ollama_emulator.clear_faults()
    assert (await api.generate(model="llava", prompt="a")).status == 200


async def test_error_mid_stream(api: Api, ollama_emulator: OllamaEmulator) -> None:
    ollama_emulator.inject("error_mid_stream")
    reply = await api.generate(model="llama3.1", prompt="a b c")
    assert reply.status == 200
    lines = reply.lines()
    assert [line.get("response") for line in lines[:2]] == ["A ", "short "]
    assert set(lines[-1]) == {"error"}
    assert not any(line.get("done") for line in lines)


async def test_error_mid_stream_without_streaming_is_a_500(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.inject("error_mid_stream", message="boom")
    reply = await api.generate(model="llama3.1", prompt="a", stream=False)
    assert (reply.status, reply.error) == (500, "boom")


async def test_drop_mid_stream(api: Api, ollama_emulator: OllamaEmulator) -> None:
    ollama_emulator.inject("drop_mid_stream", after_chunks=1)
    received: list[bytes] = []

    async def read_stream() -> None:
        async with api.session.post(
            ollama_emulator.url + "/api/generate",
            json={"model": "llava", "prompt": "a"},
        ) as response:
            assert response.status == 200
            async for line in response.content:
                received.append(line)

    with pytest.raises(aiohttp.ClientPayloadError):
        await read_stream()
    assert len(received) == 1
    # The dropped request left its slot: the model still answers.
    assert await api.answer(model="llava", prompt="b") == 'A short answer to "b".'


async def test_stall_outlasts_the_client_and_stops_promptly(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.inject("stall")
    with pytest.raises(asyncio.TimeoutError):
        async with api.session.post(
            ollama_emulator.url + "/api/generate",
            json={"model": "llava", "prompt": "a"},
            timeout=aiohttp.ClientTimeout(total=0.2),
        ):
            pass
    ollama_emulator.inject("stall", seconds=0.1)
    assert await api.answer(model="llava", prompt="b") == 'A short answer to "b".'
    ollama_emulator.inject("stall")
    stalled = asyncio.create_task(api.generate(model="llava", prompt="c"))
    await _until_scheduled(ollama_emulator, "llava", holding=1, waiting=0)
    started = time.monotonic()
    await ollama_emulator.stop()
    assert time.monotonic() - started < 1
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await stalled


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        # A kind the type rules out, as an untyped caller could still pass.
        OllamaEmulator().inject("explode")  # type: ignore[arg-type]


# ---- pull -------------------------------------------------------------------------------


async def test_pull_streams_progress_then_installs(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    reply = await api.call("/api/pull", {"model": "gemma3:4b"})
    assert reply.content_type == "application/x-ndjson"
    lines = reply.lines()
    assert lines[0] == {"status": "pulling manifest"}
    assert lines[-1] == {"status": "success"}
    layers = [line for line in lines if "digest" in line]
    assert layers
    assert all(line["status"] == f"pulling {line['digest'][7:19]}" for line in layers)
    assert any(line.get("completed") == line["total"] for line in layers)
    tags = (await api.call("/api/tags", method="GET")).json()["models"]
    assert "gemma3:4b" in {model["name"] for model in tags}
    shown = (await api.call("/api/show", {"model": "gemma3:4b"})).json()
    assert shown["capabilities"] == ["completion", "vision"]


async def test_pull_unknown_name_is_a_text_model_unless_strict(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    reply = await api.call("/api/pull", {"model": "mystery", "stream": False})
    assert reply.json() == {"status": "success"}
    shown = (await api.call("/api/show", {"model": "mystery"})).json()
    assert shown["capabilities"] == ["completion"]

    ollama_emulator.registry_strict = True
    streamed = (await api.call("/api/pull", {"model": "other"})).lines()
    assert streamed == [
        {"status": "pulling manifest"},
        {"error": "pull model manifest: file does not exist"},
    ]
    whole = await api.call("/api/pull", {"model": "other", "stream": False})
    assert whole.status == 500
    assert (await api.call("/api/pull", {})).error == "invalid model name"


async def test_pull_breaks_midway_and_installs_nothing(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    ollama_emulator.pull_failure = "write blob: no space left on device"
    lines = (await api.call("/api/pull", {"model": "gemma3:4b"})).lines()
    assert lines[0] == {"status": "pulling manifest"}
    assert lines[-1] == {"error": "write blob: no space left on device"}
    assert lines[-2]["completed"] == lines[-2]["total"] // 2
    tags = (await api.call("/api/tags", method="GET")).json()["models"]
    assert "gemma3:4b" not in {model["name"] for model in tags}


# ---- request log, restart ----------------------------------------------------------------


async def test_request_log(api: Api, ollama_emulator: OllamaEmulator) -> None:
    before = time.monotonic()
    await api.call(
        "/api/chat",
        {
            "model": "Moondream",
            "messages": [{"role": "user", "content": "hi", "images": [b64(BLUE_PNG)]}],
            "keep_alive": "10m",
            "options": {"temperature": 0.1, "unknown_option": 1},
            "stream": None,
        },
        headers={"Authorization": "Bearer secret"},
    )
    await api.call("/api/tags", method="GET")
    chat, tags = ollama_emulator.requests
    assert (chat.method, chat.path, chat.model, chat.prompt) == (
        "POST",
        "/api/chat",
        "Moondream",
        "hi",
    )
    assert chat.images == [(20, 10)]
    assert chat.image_bytes == [len(BLUE_PNG)]
    assert chat.keep_alive == "10m"
    assert chat.options == {"temperature": 0.1, "unknown_option": 1}
    assert chat.stream is True  # null means streaming
    assert chat.headers["Authorization"] == "Bearer secret"
    assert chat.body["messages"][0]["content"] == "hi"
    assert chat.status == 200
    assert before <= chat.time <= tags.time
    assert (tags.path, tags.body, tags.model, tags.stream) == (
        "/api/tags",
        None,
        None,
        False,
    )
    assert ollama_emulator.generate_requests() == [chat]


async def test_refused_request_is_logged_with_what_it_sent(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    await api.generate(model="llava", prompt="x", keep_alive="300", stream=False)
    (record,) = ollama_emulator.requests
    assert (record.status, record.model, record.keep_alive, record.stream) == (
        400,
        "llava",
        "300",
        False,
    )


async def test_restart_keeps_the_port_and_forgets_loaded_models(
    api: Api, ollama_emulator: OllamaEmulator
) -> None:
    port = ollama_emulator.port
    await api.generate(model="llava", prompt="")
    await ollama_emulator.stop()
    await ollama_emulator.stop()  # idempotent
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.call("/api/version", method="GET")
    # While it is down the port stays reserved: no other program can take it.
    with socket.socket() as intruder, pytest.raises(OSError, match="in use"):
        intruder.bind(("127.0.0.1", port))
    await ollama_emulator.start()
    assert ollama_emulator.port == port
    assert ollama_emulator.url == f"http://127.0.0.1:{port}"
    assert (await api.call("/api/version", method="GET")).status == 200
    assert await api.ps() == []


@pytest.mark.parametrize(
    ("flags", "logged"),
    [
        ((), []),  # quiet unless asked
        (("--quiet",), []),  # still accepted
        (("--verbose",), ["GET /api/version"]),
    ],
)
async def test_runs_on_its_own(
    socket_enabled: None, flags: tuple[str, ...], logged: list[str]
) -> None:
    """On port 0 it binds a free port and prints it; requests are printed only
    with --verbose."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.ollama_emulator",
        "--port",
        "0",
        *flags,
        cwd=Path(__file__).parent.parent,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        banner = (await process.stdout.readline()).decode()
        assert "emulator" in banner
        url = banner.split()[-1]
        assert url.startswith("http://127.0.0.1:")
        assert not url.endswith(":0")
        async with (
            aiohttp.ClientSession() as session,
            session.get(url + "/api/version") as response,
        ):
            assert await response.json() == {"version": "0.33.0"}
    finally:
        process.send_signal(signal.SIGTERM)
    rest = (await process.stdout.read()).decode()
    assert await process.wait() == 0
    assert rest.splitlines() == logged


async def test_api_key_required(api: Api, ollama_emulator: OllamaEmulator) -> None:
    """With a key set, every path wants the Bearer token; others get 401."""
    ollama_emulator.api_key = "k"
    for headers in (None, {"Authorization": "Bearer nope"}):
        reply = await api.call("/api/tags", method="GET", headers=headers)
        assert (reply.status, json.loads(reply.text)) == (
            401,
            {"error": "unauthorized"},
        )
    assert ollama_emulator.requests[-1].status == 401
    reply = await api.call(
        "/api/version", method="GET", headers={"Authorization": "Bearer k"}
    )
    assert reply.status == 200
    ollama_emulator.api_key = None
    assert (await api.call("/api/version", method="GET")).status == 200


# ---- benchmark mode ---------------------------------------------------------------


async def test_fixed_answer_after_the_delay_one_at_a_time(api: Api) -> None:
    """Benchmark mode: the fixed text after the delay, requests one after another."""
    api.emulator.fixed_answer = "A grey car."
    api.emulator.first_token_delay = 0.1
    picture = b64(make_jpeg(8, 8))
    started = time.monotonic()
    answers = await asyncio.gather(
        *(api.answer(model="llava", prompt="What?", images=[picture]) for _ in "ab")
    )
    assert answers == ["A grey car."] * 2
    assert time.monotonic() - started >= 0.2  # parallel = 1: one after the other
    load = await api.generate(model="llava", prompt="")
    assert load.json()["done_reason"] == "load"
    missing = await api.generate(model="nothing", prompt="What?")
    assert missing.status == 404


async def test_fixed_answer_on_chat_streamed_or_not(api: Api) -> None:
    """Benchmark mode answers chat too (LLM Vision's endpoint), in one object
    when `stream` is false, and keeps the body for a bare client to replay."""
    api.emulator.fixed_answer = "A grey car."
    picture = b64(make_jpeg(8, 8))
    message = {"role": "user", "content": "What?", "images": [picture]}
    whole = await api.chat(model="llava", messages=[message], stream=False)
    assert whole.status == 200
    assert whole.json()["message"]["content"] == "A grey car."
    assert whole.json()["done"] is True
    assert api.emulator.requests[-1].body["messages"] == [message]
    streamed = await api.chat(model="llava", messages=[message])
    lines = streamed.lines()
    assert "".join(line["message"]["content"] for line in lines) == "A grey car."
    assert lines[-1]["done"] is True
    load = await api.chat(model="llava", messages=[])
    assert load.json()["done_reason"] == "load"
