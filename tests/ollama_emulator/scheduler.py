"""Which models are loaded, and who may run now: Ollama's scheduler in miniature.

- `parallel` requests per model run at once (OLLAMA_NUM_PARALLEL, default 1); the rest
  wait in arrival order, without error.
- At most `max_queue` requests may wait (OLLAMA_MAX_QUEUE, 512); past that, 503.
- A model that is not loaded costs `load_delay` first, then stays loaded for its
  keep_alive after the request. Expiry is computed when asked, so no timers linger.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
import time
from typing import Protocol

from tests.ollama_emulator.catalogue import ModelSpec
from tests.ollama_emulator.errors import SERVER_BUSY, ApiError


class SchedulerConfig(Protocol):
    parallel: int
    max_queue: int
    load_delay: float
    default_keep_alive: float


class SlotPool:
    """A FIFO semaphore whose size is read on every change, so tests may alter
    `parallel` while the server runs."""

    def __init__(self, size: Callable[[], int]) -> None:
        self._size = size
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if not self._waiters and self.active < self._size():
            self.active += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as we were cancelled
            else:
                with suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        self.active -= 1
        while self._waiters and self.active < self._size():
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.active += 1
                waiter.set_result(None)


@dataclass
class LoadedModel:
    spec: ModelSpec
    expires_at: float
    """time.time() when it unloads; inf = never."""


class Scheduler:
    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config
        self._pools: dict[str, SlotPool] = {}
        self._loaded: dict[str, LoadedModel] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._pending = 0

    def _pool(self, name: str) -> SlotPool:
        if name not in self._pools:
            self._pools[name] = SlotPool(lambda: max(1, self._config.parallel))
        return self._pools[name]

    def occupancy(self, name: str) -> tuple[int, int]:
        """How many requests for the model hold a slot, and how many wait (any model)."""
        pool = self._pools.get(name)
        return (pool.active if pool is not None else 0), self._pending

    def _busy(self, name: str) -> bool:
        pool = self._pools.get(name)
        return pool is not None and pool.active > 0

    def loaded(self) -> list[LoadedModel]:
        """Models in memory now (what /api/ps lists)."""
        now = time.time()
        for name, model in list(self._loaded.items()):
            if model.expires_at <= now and not self._busy(name):
                del self._loaded[name]
        return list(self._loaded.values())

    def is_loaded(self, name: str) -> bool:
        return any(model.spec.name == name for model in self.loaded())

    def unload(self, name: str) -> None:
        """Unload now, or as soon as the requests running on it finish."""
        if name in self._loaded:
            self._loaded[name].expires_at = time.time()
        self.loaded()

    @asynccontextmanager
    async def runner(
        self, spec: ModelSpec, keep_alive: float | None
    ) -> AsyncIterator[None]:
        """Wait for a slot on `spec` and load it if needed; hold the slot inside."""
        if self._pending >= self._config.max_queue:
            raise ApiError(503, SERVER_BUSY)
        pool = self._pool(spec.name)
        self._pending += 1
        try:
            await pool.acquire()
            try:
                await self._ensure_loaded(spec)
            except BaseException:
                pool.release()
                raise
        finally:
            self._pending -= 1
        try:
            yield
        finally:
            pool.release()
            self._keep(spec, keep_alive)

    async def _ensure_loaded(self, spec: ModelSpec) -> None:
        lock = self._loading.setdefault(spec.name, asyncio.Lock())
        async with lock:
            if self.is_loaded(spec.name):
                return
            await asyncio.sleep(self._config.load_delay)
            self._loaded[spec.name] = LoadedModel(spec, expires_at=float("inf"))

    def _keep(self, spec: ModelSpec, keep_alive: float | None) -> None:
        if keep_alive is None:
            keep_alive = self._config.default_keep_alive
        model = self._loaded.get(spec.name)
        if model is not None:
            model.expires_at = time.time() + keep_alive
        self.loaded()
