"""The server pool without Home Assistant: choice, failover, probes, warm-up."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import pytest

from custom_components.ollama_vision.ollama import pool as pool_module
from custom_components.ollama_vision.ollama.client import (
    OllamaConnectionError,
    OllamaResponseError,
)
from custom_components.ollama_vision.ollama.pool import (
    OllamaServer,
    ServerSet,
    is_server_fault,
)
from custom_components.ollama_vision.ollama.target import ModelTarget
from tests.ollama_emulator import OllamaEmulator
from tests.servers import StartEmulators

type Factory = Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]]


@pytest.fixture(autouse=True)
def quick_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the probes' doubling, not their seconds."""
    monkeypatch.setattr(pool_module, "PROBE_FIRST_DELAY", 0.01)
    monkeypatch.setattr(pool_module, "PROBE_MAX_DELAY", 0.05)


@pytest.fixture
def tasks() -> list[asyncio.Task[None]]:
    """The background tasks a ServerSet started (its owner's to cancel)."""
    return []


@pytest.fixture
def create_task(tasks: list[asyncio.Task[None]]) -> Factory:
    def create(coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        tasks.append(task)
        return task

    return create


def target(*emulators: OllamaEmulator, model: str = "moondream") -> ModelTarget:
    return ModelTarget(
        url="\n".join(emulator.url for emulator in emulators),
        model=model,
        api_key=None,
        keep_alive=-1,
    )


async def test_requests_go_to_the_least_busy_server_in_turn(
    client_session: aiohttp.ClientSession,
    more_emulators: StartEmulators,
    create_task: Factory,
) -> None:
    """Idle servers take turns; a busy one is passed over; shared addresses are one."""
    first, second = await more_emulators(2)
    servers = ServerSet(
        client_session,
        name="test",
        vision=target(first, second),
        text=target(second, model="llama3.1"),
        capacity=1,
        warm_up=False,
        create_task=create_task,
    )
    assert [server.address for server in servers.all] == [
        first.url.removeprefix("http://"),
        second.url.removeprefix("http://"),
    ]
    assert servers.text is not None
    assert servers.text.servers[0] is servers.vision.servers[1]
    chosen = []
    for _ in range(4):
        async with servers.vision.slot() as server:
            chosen.append(server.address)
    assert chosen[0] != chosen[1]
    assert chosen[:2] == chosen[2:]
    async with servers.vision.slot() as busy, servers.vision.slot() as other:
        assert busy is not other


def is_up(server: OllamaServer) -> bool:
    """Whether the server counts as up now.

    Read through a call: mypy keeps `server.up` narrowed by an earlier assert
    across the awaits that change it.
    """
    return server.up


async def test_a_server_down_is_probed_until_it_answers(
    client_session: aiohttp.ClientSession,
    more_emulators: StartEmulators,
    create_task: Factory,
    tasks: list[asyncio.Task[None]],
) -> None:
    """Marked down, it leaves the rotation; its probe brings it back and tells."""
    first, second = await more_emulators(2)
    changes: list[bool] = []
    servers = ServerSet(
        client_session,
        name="test",
        vision=target(first, second),
        text=None,
        capacity=1,
        warm_up=False,
        create_task=create_task,
    )
    down = servers.vision.servers[0]
    undo = servers.add_listener(lambda: changes.append(down.up))
    await first.stop()
    assert not await servers.async_check(down)
    assert not down.up
    assert servers.vision.any_up
    assert down.probe is not None
    for _ in range(3):
        async with servers.vision.slot() as server:
            assert server is servers.vision.servers[1]
    await first.start()
    async with asyncio.timeout(5):
        await down.probe
    assert is_up(down)
    assert down.version == first.version
    assert changes == [False, True]
    undo()
    await servers.async_stop()
    assert all(task.done() for task in tasks)


async def test_warm_up_loads_each_model_on_each_server(
    client_session: aiohttp.ClientSession,
    ollama_emulator: OllamaEmulator,
    create_task: Factory,
    tasks: list[asyncio.Task[None]],
) -> None:
    """An empty prompt with the keep-alive: Ollama loads the model and says so."""
    servers = ServerSet(
        client_session,
        name="test",
        vision=target(ollama_emulator),
        text=target(ollama_emulator, model="llama3.1"),
        capacity=1,
        warm_up=True,
        create_task=create_task,
    )
    servers.async_warm_up(servers.all)
    await asyncio.gather(*tasks)
    loads = [request.body for request in ollama_emulator.generate_requests()]
    assert [(body["model"], body["prompt"], body["keep_alive"]) for body in loads] == [
        ("moondream", "", -1),
        ("llama3.1", "", -1),
    ]


def test_server_faults_are_told_from_request_faults() -> None:
    """Connections, time limits and 5xx move a job; a 4xx would fail anywhere."""
    assert is_server_fault(OllamaConnectionError("reset"))
    assert is_server_fault(TimeoutError())
    assert is_server_fault(OllamaResponseError(502, "bad gateway"))
    assert not is_server_fault(OllamaResponseError(400, "bad request"))
