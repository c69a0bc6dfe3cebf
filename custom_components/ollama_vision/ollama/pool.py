"""A setup's Ollama servers: which answer, how busy each is, which takes a request.

Every address is one `OllamaServer`, shared by the vision and the text model
when both run there, so a server that fails for one is down for both. A
request takes a slot on the least busy healthy server; a server that fails a
request is marked down and probed with growing pauses until it answers again.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from itertools import count
import logging
import statistics
import time
from typing import Any

import aiohttp

from .client import (
    OllamaAuthError,
    OllamaClient,
    OllamaConnectionError,
    OllamaError,
    OllamaResponseError,
)
from .redact import redact_credentials
from .target import ModelTarget, display_address

# Starts a background task with a name; the owner cancels its tasks when it stops
# (in Home Assistant: the config entry's `async_create_background_task`).
type TaskFactory = Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]]

_LOGGER = logging.getLogger(__name__)

# Seconds between probes of a down server: doubling from the first to the last.
PROBE_FIRST_DELAY = 1.0
PROBE_MAX_DELAY = 60.0
# Latencies kept per server for its median in the diagnostics.
LATENCY_SAMPLES = 100


def is_server_fault(err: BaseException) -> bool:
    """Whether a failed request says the server, not the request, is at fault.

    Refused or dropped connections, a time limit and 5xx answers (a proxy's
    502 for a dead server, 503 for a full queue) send the job elsewhere; a
    model's own refusal or a bad answer would fail on any server.
    """
    if isinstance(err, OllamaConnectionError | TimeoutError):
        return True
    return isinstance(err, OllamaResponseError) and err.status >= 500


class OllamaServer:
    """One Ollama server: its client, slots in use, health and figures."""

    def __init__(self, client: OllamaClient, capacity: int) -> None:
        """Start as healthy: setup has just seen it answer, or will say otherwise."""
        self.client = client
        self.address = display_address(client.base_url)
        self.capacity = capacity
        self.busy = 0
        self.up = True
        self.version: str | None = None
        self.jobs_done = 0
        self.failures = 0
        # Which request took a slot last: the tie-breaker that rotates idle servers.
        self.last_start = 0
        self._latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self.probe: asyncio.Task[None] | None = None
        # Models to load when the server comes back, with their keep-alives.
        self.models: list[ModelTarget] = []

    def record_success(self, seconds: float) -> None:
        """A request answered in `seconds`."""
        self.jobs_done += 1
        self._latencies.append(seconds)

    @property
    def median_latency(self) -> float | None:
        """Median seconds of the latest answered requests."""
        return round(statistics.median(self._latencies), 3) if self._latencies else None

    def figures(self) -> dict[str, object]:
        """What the diagnostics show for this server."""
        return {
            "address": self.address,
            "up": self.up,
            "version": self.version,
            "slots": self.capacity,
            "busy": self.busy,
            "jobs_done": self.jobs_done,
            "failures": self.failures,
            "median_latency": self.median_latency,
        }


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """The coordinator's data: a live view of the servers' health."""

    servers: ServerSet

    @property
    def vision_reachable(self) -> bool:
        """Whether any vision server answers."""
        return any(server.up for server in self.servers.vision.servers)

    @property
    def text_reachable(self) -> bool:
        """Whether any text server answers."""
        text = self.servers.text
        return text is not None and any(server.up for server in text.servers)


class ServerPool:
    """The servers of one model: a request takes a slot on one of them."""

    def __init__(self, owner: ServerSet, servers: list[OllamaServer]) -> None:
        """A role's servers, in the order the user gave them."""
        self._owner = owner
        self.servers = servers

    @property
    def any_up(self) -> bool:
        """Whether a request can go to a healthy server."""
        return any(server.up for server in self.servers)

    def mark_down(self, server: OllamaServer, err: BaseException) -> None:
        """Take a server of this pool (and of any other) out of rotation."""
        self._owner.mark_down(server, err, by_request=True)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[OllamaServer]:
        """Hold a slot on the least busy healthy server while inside.

        When every server is down the request still goes to one of them: the
        caller's retry policy then decides how long to keep trying.
        """
        while (server := self._choose()) is None:
            await self._owner.changed()
        server.busy += 1
        server.last_start = next(self._owner.starts)
        try:
            yield server
        finally:
            server.busy -= 1
            self._owner.wake()

    def _choose(self) -> OllamaServer | None:
        healthy = [server for server in self.servers if server.up] or self.servers
        free = [server for server in healthy if server.busy < server.capacity]
        if not free:
            return None
        return min(free, key=lambda s: (s.busy / s.capacity, s.last_start))


class ServerSet:
    """All servers of a setup, their pools per model, and their probes."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        name: str,
        vision: ModelTarget,
        text: ModelTarget | None,
        capacity: int,
        warm_up: bool,
        create_task: TaskFactory,
    ) -> None:
        """One server per distinct address, with `capacity` slots each."""
        self._name = name
        self._warm_up = warm_up
        self._create_task = create_task
        # Told when a server goes down or comes back.
        self._listeners: list[Callable[[], None]] = []
        self._waiters: list[asyncio.Future[None]] = []
        # Warm-ups under way, stopped with the probes.
        self._warm_ups: set[asyncio.Task[None]] = set()
        self.starts = count(1)
        self.by_url: dict[str, OllamaServer] = {}
        self.vision = self._pool(session, vision, capacity)
        self.text = self._pool(session, text, capacity) if text else None
        self.status = ServerStatus(self)

    def _pool(
        self, session: aiohttp.ClientSession, target: ModelTarget, capacity: int
    ) -> ServerPool:
        servers = []
        for url, api_key in target.servers:
            if (server := self.by_url.get(url)) is None:
                client = OllamaClient(session, url, api_key)
                server = self.by_url[url] = OllamaServer(client, capacity)
            server.models.append(target)
            servers.append(server)
        return ServerPool(self, servers)

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` when a server goes down or comes back; returns the undo."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed_health(self) -> None:
        self.wake()
        for listener in list(self._listeners):
            listener()

    @property
    def all(self) -> Iterable[OllamaServer]:
        """Every server of the setup, each once."""
        return self.by_url.values()

    def changed(self) -> asyncio.Future[None]:
        """A future that ends when a slot frees up or a server's health changes."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return waiter

    def wake(self) -> None:
        """Let everyone waiting for a server look again."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def mark_down(
        self, server: OllamaServer, err: BaseException, *, by_request: bool = False
    ) -> None:
        """Take a server out of rotation and probe it until it answers.

        A request that finds the last server down fails with its own warning:
        then this one is only information.
        """
        if not server.up:
            return
        server.up = False
        others_up = any(other.up for other in self.all)
        _LOGGER.log(
            logging.INFO if by_request and not others_up else logging.WARNING,
            "The Ollama server %s is unreachable (%s)",
            server.address,
            redact_credentials(str(err) or type(err).__name__),
        )
        if server.probe is None:
            server.probe = self._create_task(
                self._probe(server), f"{self._name} probe {server.address}"
            )
        self._changed_health()

    def mark_up(self, server: OllamaServer, version: str) -> None:
        """A server answered: back into rotation, and warmed up when asked."""
        server.version = version
        if server.up:
            return
        server.up = True
        if server.probe is not None and server.probe is not asyncio.current_task():
            server.probe.cancel()
        server.probe = None
        _LOGGER.info("The Ollama server %s is reachable again", server.address)
        self.async_warm_up([server])
        self._changed_health()

    async def async_check(self, server: OllamaServer) -> bool:
        """Ask a server for its version; mark it up or down by the answer.

        A refused key is the user's to fix: it is raised, not a server down.
        """
        try:
            version = await server.client.async_version()
        except OllamaAuthError:
            raise
        except OllamaError as err:
            self.mark_down(server, err)
            return False
        self.mark_up(server, version)
        return True

    async def _probe(self, server: OllamaServer) -> None:
        delay = PROBE_FIRST_DELAY
        while True:
            await asyncio.sleep(delay)
            try:
                version = await server.client.async_version()
            except OllamaError as err:
                _LOGGER.debug("%s still unreachable: %s", server.address, err)
                delay = min(delay * 2, PROBE_MAX_DELAY)
                continue
            self.mark_up(server, version)
            return

    def async_warm_up(self, servers: Iterable[OllamaServer]) -> None:
        """Load each server's models in the background (when the option is on)."""
        if not self._warm_up:
            return
        for server in servers:
            task = self._create_task(
                self._load_models(server), f"{self._name} warm-up {server.address}"
            )
            self._warm_ups.add(task)
            task.add_done_callback(self._warm_ups.discard)

    async def _load_models(self, server: OllamaServer) -> None:
        """An empty prompt loads a model: Ollama answers with done_reason "load"."""
        for target in server.models:
            started = time.monotonic()
            try:
                await server.client.async_generate(
                    target.model, "", keep_alive=target.keep_alive
                )
            except OllamaError as err:
                _LOGGER.debug(
                    "Could not load %s on %s: %s", target.model, server.address, err
                )
                continue
            _LOGGER.debug(
                "Loaded %s on %s in %.1f s",
                target.model,
                server.address,
                time.monotonic() - started,
            )

    async def async_stop(self) -> None:
        """Stop probing and warming up (at unload)."""
        tasks = [server.probe for server in self.all if server.probe is not None]
        tasks += self._warm_ups
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in self.all:
            server.probe = None
