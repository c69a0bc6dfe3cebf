"""Property-based tests: whatever callers send and whatever the server does, every
accepted call ends cleanly.

Invariants checked for every generated example:
- no unhandled exception, and nothing logged at ERROR (no traceback);
- every waiting caller is answered, with a result or a Home Assistant error;
- exactly one terminal event per accepted job (calls that coalesced share one);
- after unloading, no job, worker or request is left.

One Home Assistant per test (its fixtures are function-scoped, hence the suppressed
health check); each example sets up its own setup on it and unloads and removes it
at the end, with a clean emulator, its own events and a cleared log.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.ollama_vision.const import (
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.settings import CONCURRENCY
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from tests.conftest import analyze, errors_logged
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.waiting import wait_for

INTEGRATION = "custom_components.ollama_vision"
# How a call ends when it does not answer: refused before queueing (the schema's
# vol.Invalid, ServiceValidationError) or a failed job (HomeAssistantError).
REFUSED = (HomeAssistantError, vol.Invalid)
NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=12
)
TEXTS = st.text(max_size=40)
# URLs a caller might send: good ones (filled in with the image server's address),
# and every kind of broken one.
URL_SHAPES = st.sampled_from(
    [
        "{base}/ok.jpg",
        "{base}/ok.jpg?x={text}",
        "{base}/missing.jpg",
        "{base}/text.jpg",
        "http://admin:hunter2@{host}/ok.jpg",
        "http://admin:hun#ter2@{host}/ok.jpg",
        "http://admin:hunter2@127.0.0.1:99999/ok.jpg",
        "http://[::1/ok.jpg",
        "/api/{text}",
        "/api/../{text}",
        "www/{text}",
        "/etc/{text}",
        "ftp://{host}/{text}",
        "{text}",
    ]
)


@st.composite
def action_calls(draw: st.DrawFn) -> dict[str, Any]:
    """The data of one analyze_image call, valid or not."""
    data: dict[str, Any] = {"image_name": draw(NAMES)}
    urls = draw(st.lists(st.tuples(URL_SHAPES, TEXTS), max_size=3))
    if urls:
        data["image_url"] = [shape.replace("{text}", text) for shape, text in urls]
        if len(urls) == 1 and draw(st.booleans()):
            data["image_url"] = data["image_url"][0]
    if draw(st.booleans()):
        data["image_entity"] = draw(
            st.lists(
                st.sampled_from(["camera.none", "sensor.porch", "nope"]), max_size=2
            )
        )
    if draw(st.booleans()):
        data["prompt"] = draw(TEXTS)
    if draw(st.booleans()):
        data["use_text_model"] = True
        if draw(st.booleans()):
            data["text_prompt"] = draw(TEXTS) + draw(
                st.sampled_from(["", "{description}"])
            )
    return data


@st.composite
def faults(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Faults the emulator is to show, in order."""
    kinds = st.sampled_from(
        [
            "http_500",
            "busy_503",
            "error_mid_stream",
            "drop_mid_stream",
            "stall",
            "one_line",
            "garbage_line",
            "proxy_502",
        ]
    )
    return [
        {
            "kind": draw(kinds),
            "times": draw(st.integers(1, 4)),
            "model": draw(st.sampled_from([None, "moondream", "llama3.1"])),
            "seconds": draw(st.sampled_from([0.0, 0.05])),
            "after_chunks": draw(st.integers(0, 3)),
            "size": draw(st.sampled_from([10, 5_000, 300_000])),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]


def fill(data: dict[str, Any], image_server: ImageServer) -> dict[str, Any]:
    """Put the image server's address into the generated URLs."""
    base = image_server.url().rstrip("/")
    host = base.removeprefix("http://")
    urls = data.get("image_url")
    if urls is None:
        return data

    def address(url: str) -> str:
        return url.replace("{base}", base).replace("{host}", host)

    if isinstance(urls, str):
        return {**data, "image_url": address(urls)}
    return {**data, "image_url": [address(url) for url in urls]}


def jobs_of(answers: list[Any]) -> int:
    """How many jobs answered these callers: coalesced callers share one answer."""
    ids: set[int | tuple[str, str]] = set()
    for answer in answers:
        if isinstance(answer, BaseException):
            ids.add(id(answer))
        else:
            ids.add((answer["image_name"], answer["analyzed_at"]))
    return len(ids)


async def start(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
    **options: Any,
) -> tuple[MockConfigEntry, list[Event]]:
    """A fresh setup, a clean emulator and log, and the terminal events from now on."""
    caplog.clear()
    emulator.clear_faults()
    entry = await load_entry(**options)
    events: list[Event] = []
    for event_type in (EVENT_IMAGE_ANALYZED, EVENT_IMAGE_ANALYSIS_FAILED):
        entry.async_on_unload(hass.bus.async_listen(event_type, events.append))
    return entry, events


async def finish(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing runs after unloading (no job, worker or request), nothing logged as an error."""
    queue = entry.runtime_data.queue
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert (queue.waiting, queue.running) == (0, 0)
    # The emulator notices closed connections a moment after they close.
    await wait_for(lambda: emulator.in_flight == 0)
    await hass.config_entries.async_remove(entry.entry_id)
    assert errors_logged(caplog) == []


@pytest.fixture
def pictures(image_server: ImageServer) -> ImageServer:
    """A good picture and a text file posing as one."""
    image_server.add("/ok.jpg", make_jpeg(32, 24, colour=(200, 30, 30)))
    image_server.add("/text.jpg", b"hello", content_type="image/jpeg")
    return image_server


@given(calls=st.lists(action_calls(), min_size=1, max_size=3))
async def test_any_action_input_ends_cleanly(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    pictures: ImageServer,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
    calls: list[dict[str, Any]],
) -> None:
    """Each call is refused up front, or answered and ends with exactly one event."""
    entry, events = await start(hass, load_entry, ollama_emulator, caplog)
    for data in calls:
        before = len(events)
        answer: Any
        try:
            answer = await analyze(hass, response=True, **fill(data, pictures))
        except REFUSED as err:
            answer = err
        await hass.async_block_till_done()
        terminal = events[before:]
        if isinstance(answer, vol.Invalid | ServiceValidationError):
            assert terminal == []  # refused before queueing
        elif isinstance(answer, HomeAssistantError):
            [event] = terminal
            assert event.event_type == EVENT_IMAGE_ANALYSIS_FAILED
            assert event.data["message"] == str(answer)
        else:
            [event] = terminal
            assert event.event_type == EVENT_IMAGE_ANALYZED
            assert event.data["description"] == answer["description"]
        ours = [
            r.getMessage() for r in caplog.records if r.name.startswith(INTEGRATION)
        ]
        for shown in (str(answer), str([e.data for e in terminal]), str(ours)):
            assert "hunter2" not in shown
            assert "ter2@" not in shown
    await finish(hass, entry, ollama_emulator, caplog)


@given(
    injected=faults(),
    down=st.sampled_from([False, False, False, True]),
    calls=st.lists(
        st.tuples(st.sampled_from(["door", "yard", "gate"]), st.booleans()),
        min_size=1,
        max_size=5,
    ),
)
async def test_any_server_fault_ends_cleanly(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    pictures: ImageServer,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
    injected: list[dict[str, Any]],
    down: bool,
    calls: list[tuple[str, bool]],
) -> None:
    """Concurrent callers under server faults, or with the server gone: all
    answered, one event per job."""
    entry, events = await start(
        hass, load_entry, ollama_emulator, caplog, **{CONCURRENCY.key: 2}
    )
    ollama_emulator.parallel = 2
    for fault in injected:
        ollama_emulator.inject(**fault)
    if down:
        await ollama_emulator.stop()
    answers = await asyncio.gather(
        *(
            analyze(
                hass,
                response=True,
                image_url=pictures.url("/ok.jpg"),
                image_name=name,
                use_text_model=text,
            )
            for name, text in calls
        ),
        return_exceptions=True,
    )
    await hass.async_block_till_done()
    for answer in answers:
        assert isinstance(answer, dict | HomeAssistantError), answer
    assert len(events) == jobs_of(answers)
    if down:
        assert {event.data["error"] for event in events} == {"cannot_connect"}
        await ollama_emulator.start()
    await finish(hass, entry, ollama_emulator, caplog)
