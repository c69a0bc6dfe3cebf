"""Pytest fixtures for the local test servers (load with pytest_plugins).

They need `socket_enabled`: pytest-homeassistant-custom-component blocks sockets.
They stop completely at teardown, so Home Assistant's lingering-task check passes.
Nothing here imports Home Assistant: the tests of `ollama/` and `media/` use
these fixtures without it too (see tests/ha_free.py).
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
import socket

import aiohttp
import pytest

from tests.image_server import ImageServer
from tests.local_server import LOOPBACK
from tests.ollama_emulator import OllamaEmulator

# The more_emulators fixture: start this many more emulators.
type StartEmulators = Callable[[int], Awaitable[list[OllamaEmulator]]]


@asynccontextmanager
async def running_emulator() -> AsyncIterator[OllamaEmulator]:
    """An Ollama emulator with the default models and no delays, on a free port."""
    emulator = OllamaEmulator()
    await emulator.start(host=LOOPBACK, port=0)
    try:
        yield emulator
    finally:
        await emulator.close()


@pytest.fixture
async def ollama_emulator(socket_enabled: None) -> AsyncIterator[OllamaEmulator]:
    """A running Ollama emulator with the default models and no delays."""
    async with running_emulator() as emulator:
        yield emulator


@pytest.fixture
async def image_server(socket_enabled: None) -> AsyncIterator[ImageServer]:
    """A running image server with no paths yet (every path is 404)."""
    server = ImageServer()
    await server.start(host=LOOPBACK, port=0)
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def more_emulators(
    socket_enabled: None,
) -> AsyncIterator[StartEmulators]:
    """Start more Ollama emulators, each on its own port: `await more_emulators(2)`."""
    async with AsyncExitStack() as stack:

        async def start(count: int) -> list[OllamaEmulator]:
            return [
                await stack.enter_async_context(running_emulator())
                for _ in range(count)
            ]

        yield start


@pytest.fixture
async def client_session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as any owner of the Ollama client may give it."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def refused_address(socket_enabled: None) -> Iterator[str]:
    """`127.0.0.1:<port>` where connections are refused, for as long as the test runs.

    The port is bound and never listened on, so nothing else can take it (a
    port found free and released could be taken before the test uses it).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as reserved:
        reserved.bind((LOOPBACK, 0))
        yield f"{LOOPBACK}:{reserved.getsockname()[1]}"
