"""Timing jobs of Ollama Vision in a running Home Assistant: call to event."""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
import time
from typing import Any
from unittest.mock import patch

import aiohttp

from custom_components.ollama_vision.const import (
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from homeassistant.core import Event, HomeAssistant, callback


class _SystemResolver(aiohttp.ThreadedResolver):
    """The system's resolver (every address here is numeric). Home Assistant's
    own starts zeroconf, which cannot be started twice in one process and would
    open multicast sockets."""

    async def real_close(self) -> None:
        await self.close()


@contextmanager
def system_resolver() -> Iterator[None]:
    """Home Assistant's HTTP sessions, while in this block, resolve with it."""
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        lambda hass: _SystemResolver(),
    ):
        yield


class Ends:
    """Every job's end event, as it arrives."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.times: dict[str, list[float]] = {}
        self.failed: list[str] = []
        self.count = 0
        self.changed = asyncio.Event()
        # Callbacks: run in the loop as the event fires, not in a thread.
        hass.bus.async_listen(EVENT_IMAGE_ANALYZED, self._ended)
        hass.bus.async_listen(EVENT_IMAGE_ANALYSIS_FAILED, self._failed)

    @callback
    def _ended(self, event: Event[Any]) -> None:
        now = time.perf_counter()
        self.times.setdefault(event.data["image_name"], []).append(now)
        self.count += 1
        self.changed.set()

    @callback
    def _failed(self, event: Event[Any]) -> None:
        self.failed.append(event.data["image_name"])
        self._ended(event)

    async def wait(self, count: int) -> None:
        while self.count < count:
            self.changed.clear()
            await self.changed.wait()


async def job_windows(
    ends: Ends, names: list[str], call: Callable[[str], Awaitable[None]]
) -> list[tuple[float, float]]:
    """(call, event) perf_counter times of each call (for an image name), one
    job at a time."""
    windows = []
    for name in names:
        done = ends.count + 1
        started = time.perf_counter()
        await call(name)
        await ends.wait(done)
        windows.append((started, ends.times[name][-1]))
    return windows


async def job_times(
    ends: Ends, names: list[str], call: Callable[[str], Awaitable[None]]
) -> list[float]:
    """Seconds from each call (for an image name) to its event, one at a time."""
    return [end - start for start, end in await job_windows(ends, names, call)]
