"""How late the event loop gets while something runs: a ticker's worst lateness."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final

TICK: Final = 0.001  # the ticker's sleep, seconds


@dataclass
class LoopLag:
    """The worst lateness seen so far, in seconds."""

    worst: float = 0.0


@asynccontextmanager
async def loop_lag() -> AsyncIterator[LoopLag]:
    """Tick on the running loop while in the block, noting the worst lateness."""
    loop = asyncio.get_running_loop()
    lag = LoopLag()
    done = False

    async def ticker() -> None:
        while not done:
            before = loop.time()
            await asyncio.sleep(TICK)
            lag.worst = max(lag.worst, loop.time() - before - TICK)

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker is running before the block's work starts
    try:
        yield lag
    finally:
        done = True
        await ticking
