"""The benchmarks' servers, each in a process of its own, and their own time.

Ollama emulators (benchmark mode: a fixed answer after a delay) and a camera
(the image server with one 640x480 JPEG) run in processes of their own, so
their work is not counted as Home Assistant's and a server can be killed for
real. A server's own time for a request is measured the same way for every
integration: the very body it last received, sent again by a bare client.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
import statistics
import time
from typing import Any, Final

import aiohttp

from bench.bench_images import camera_frame
from tests.image_server import ImageServer
from tests.local_server import LOOPBACK
from tests.ollama_emulator import OllamaEmulator

MODEL: Final = "moondream:latest"
FRAME_PATH: Final = "/frame.jpg"
ANSWER: Final = "A grey car stops at the gate."
FRAME_SIZE: Final = (640, 480)
# What the parent asks a server process, over its pipe.
_LAST_BODY: Final = "last body"
_ANSWERED: Final = "answered"


def _serve(kind: str, delay: float, conn: Connection) -> None:
    asyncio.run(_serve_async(kind, delay, conn))


async def _serve_async(kind: str, delay: float, conn: Connection) -> None:
    server: OllamaEmulator | ImageServer
    if kind == "ollama":
        server = OllamaEmulator()
        server.first_token_delay = delay
        server.parallel = 1
        server.fixed_answer = ANSWER
    else:
        server = ImageServer()
        server.add(FRAME_PATH, camera_frame(*FRAME_SIZE, seed=3))
    await server.start(host=LOOPBACK, port=0)
    conn.send(server.port)
    while True:
        try:
            question = await asyncio.to_thread(conn.recv)
        except EOFError:  # the parent is gone
            return
        if question == _LAST_BODY and isinstance(server, OllamaEmulator):
            conn.send(_last_generation(server))
        elif question == _ANSWERED and isinstance(server, OllamaEmulator):
            conn.send(len(_generations(server)))


def _generations(server: OllamaEmulator) -> list[tuple[str, Any]]:
    """The requests that asked for an answer (not warm-ups), in order."""
    return [
        (record.path, record.body)
        for record in server.generate_requests()
        if isinstance(record.body, dict)
        and (record.body.get("prompt") or record.body.get("messages"))
    ]


def _last_generation(server: OllamaEmulator) -> dict[str, tuple[str, Any]]:
    """Per endpoint, the last request that asked for an answer (not a warm-up)."""
    return {path: (path, body) for path, body in _generations(server)}


@dataclass
class Servers:
    """Running emulators and the camera: their processes and addresses."""

    processes: list[SpawnProcess]
    """The emulators' (not the camera's), in the order of `urls`."""
    urls: list[str]
    image_url: str
    _pipes: list[Connection]

    async def last_request(self, index: int, path: str) -> tuple[str, Any]:
        """The URL path and JSON body of emulator `index`'s last request to `path`."""
        self._pipes[index].send(_LAST_BODY)
        bodies: dict[str, tuple[str, Any]] = await asyncio.to_thread(
            self._pipes[index].recv
        )
        return bodies[path]

    async def answered(self, index: int) -> int:
        """How many requests for an answer emulator `index` has had."""
        self._pipes[index].send(_ANSWERED)
        count: int = await asyncio.to_thread(self._pipes[index].recv)
        return count


@asynccontextmanager
async def servers(count: int, delay: float) -> AsyncIterator[Servers]:
    """`count` emulators answering after `delay` seconds, and the camera."""
    context = multiprocessing.get_context("spawn")
    processes: list[SpawnProcess] = []
    pipes: list[Connection] = []
    ports: list[int] = []
    try:
        for kind in ["ollama"] * count + ["image"]:
            parent, child = context.Pipe()
            process = context.Process(
                target=_serve, args=(kind, delay, child), daemon=True
            )
            process.start()
            child.close()  # a server that dies ends `recv` with EOFError
            processes.append(process)
            pipes.append(parent)
            ports.append(await asyncio.to_thread(parent.recv))
        yield Servers(
            processes=processes[:-1],
            urls=[f"http://{LOOPBACK}:{port}" for port in ports[:-1]],
            image_url=f"http://{LOOPBACK}:{ports[-1]}{FRAME_PATH}",
            _pipes=pipes[:-1],
        )
    finally:
        for process in processes:
            process.kill()
            process.join()


async def server_time(url: str, path: str, body: Any, runs: int) -> float:
    """Median seconds of one request (`path`, JSON `body`) from a bare client,
    its whole answer read."""
    times = []
    async with aiohttp.ClientSession() as session:
        for _ in range(runs):
            started = time.perf_counter()
            async with session.post(url + path, json=body) as response:
                await response.read()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


async def last_server_time(servers: Servers, path: str, runs: int) -> float:
    """The server's own time for the last request emulator 0 answered on `path`."""
    sent_path, body = await servers.last_request(0, path)
    return await server_time(servers.urls[0], sent_path, body, runs)
