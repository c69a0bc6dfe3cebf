"""A loopback aiohttp server that tests can start, stop and restart on the same port.

Shared by the Ollama emulator and the image server. Stopping cancels every request in
flight first, so a stalled handler cannot hold up a test's teardown and nothing lingers
for Home Assistant's after-test check of tasks and timers.

The port stays the server's from the first start until `close()`: a socket bound to it
(never listening) holds it while the server is stopped, so no other program can take
it before a restart (see `reserve_port`).
"""

import asyncio
from collections.abc import Awaitable, Callable
import socket

from aiohttp import web

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

LOOPBACK = "127.0.0.1"
_NO_BODY_LIMIT = 1 << 40


def reserve_port(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A socket bound to `host:port` (port 0: one the system picks) that never listens.

    Connections to the port are refused, and while it is held no other program can
    bind the port: outgoing connections and port-0 binds skip it, and a plain bind
    fails. It is bound with SO_REUSEADDR, so a server that also sets SO_REUSEADDR
    (aiohttp, asyncio, Home Assistant, mosquitto) can still listen on the port: the
    one the reservation is for.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    reservation = socket.socket(family, socket.SOCK_STREAM)
    try:
        reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        reservation.bind((host, port))
    except BaseException:
        reservation.close()
        raise
    return reservation


class LocalServer:
    """Base class: subclasses add their routes and middlewares in `_setup_app`."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._host = LOOPBACK
        self._port = 0
        self._in_flight: set[asyncio.Task[object]] = set()
        self._reservation: socket.socket | None = None
        self.request_count = 0
        """Requests received since this object was made (restarts included)."""
        self._count_waiters: list[tuple[int, asyncio.Future[None]]] = []

    def _setup_app(self, app: web.Application) -> None:
        raise NotImplementedError

    def _on_stopped(self) -> None:
        """Hook: forget whatever a real server would forget when it goes down."""

    @property
    def port(self) -> int:
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def in_flight(self) -> int:
        """Requests being handled now (a client still connected to one counts)."""
        return len(self._in_flight)

    async def start(self, host: str | None = None, port: int | None = None) -> None:
        """Listen; without a port, reuse the previous one (0 the first time: ephemeral)."""
        if self._runner is not None:
            raise RuntimeError("server already started")
        moved = (host is not None and host != self._host) or (
            port is not None and port != self._port
        )
        if moved:
            self._release_port()
            self._host = host or self._host
            self._port = self._port if port is None else port
        first_start = self._reservation is None
        if self._reservation is None:
            self._reservation = reserve_port(self._host, self._port)
            self._port = self._reservation.getsockname()[1]
        # No body limit (aiohttp's default is 1 MiB): Ollama has none, and big
        # pictures must reach the emulator.
        app = web.Application(
            middlewares=[self._track_in_flight], client_max_size=_NO_BODY_LIMIT
        )
        self._setup_app(app)
        # handler_cancellation: a client that goes away cancels its handler, as a real
        # server stops generating when the client disconnects.
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            if first_start:
                self._release_port()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Close the listener and every connection, cancelling handlers; idempotent."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        for site in list(runner.sites):
            await site.stop()
        handlers = list(self._in_flight)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await runner.cleanup()
        self._on_stopped()

    async def close(self) -> None:
        """Stop for good and give the port back; idempotent."""
        await self.stop()
        self._release_port()

    def _release_port(self) -> None:
        reservation, self._reservation = self._reservation, None
        if reservation is not None:
            reservation.close()

    async def wait_for_requests(self, count: int, timeout: float = 5.0) -> None:
        """Return once `count` requests in all have arrived (they may still run)."""
        if self.request_count >= count:
            return
        arrived: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = (count, arrived)
        self._count_waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await arrived
        finally:
            self._count_waiters.remove(waiter)

    def _count_arrival(self) -> None:
        self.request_count += 1
        for count, arrived in self._count_waiters:
            if count <= self.request_count and not arrived.done():
                arrived.set_result(None)

    @web.middleware
    async def _track_in_flight(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)
        self._count_arrival()
        try:
            return await handler(request)
        finally:
            self._in_flight.discard(task)
