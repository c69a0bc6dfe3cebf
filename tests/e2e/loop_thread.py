"""An asyncio loop in a thread of its own, for the async helpers of the e2e tests.

The tests themselves are synchronous: Playwright's sync API marks its own loop as
running in the test's thread between calls, so no other loop can run there. The
image server and the websocket client run on this loop instead.
"""

import asyncio
from collections.abc import Coroutine
import threading
from typing import Any


class LoopThread:
    """Runs coroutines submitted from other threads, until stopped."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="e2e-loop", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def run[T](self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run `coro` on the loop and return its result (or raise its error)."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        """Cancel what is still running, then stop and close the loop."""
        self.run(self._cancel_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @staticmethod
    async def _cancel_all() -> None:
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
