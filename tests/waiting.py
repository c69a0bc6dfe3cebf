"""Waiting for a condition instead of for a time that is usually long enough."""

import asyncio
from collections.abc import Callable


async def wait_for(predicate: Callable[[], bool], seconds: float = 5) -> None:
    """Wait for something real I/O brings about (block_till_done does not see sockets).

    `seconds` only bounds a wait that would otherwise hang: the condition ends it.
    """
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 - polling is the point
            await asyncio.sleep(0.01)
