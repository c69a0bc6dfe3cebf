"""A setup's watches: image names looked at again and again until a yes/no
question is answered yes, or their time is up.

Each look is one job through the setup's queue (pipeline/condition.py says
what it asks). Between looks nothing holds a worker: a timer of Home
Assistant's (async_call_later) submits the next one. A watch keeps one task,
the setup's, that waits for the look's outcome and the timer in turn.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .condition import (
    Condition,
    WatchEnd,
    WatchOutcome,
    check_request,
    read_answer,
)
from .job import AnalysisError, AnalysisRequest, AnalysisResult, Outcome
from .queue import AnalysisQueue

_LOGGER = logging.getLogger(__name__)

# Takes a finished look and reports it as an analysis (pipeline.sink).
type Report = Callable[[AnalysisRequest, Outcome], Awaitable[Outcome]]
# Tells automations that a watch's condition is met (pipeline.sink).
type Announce = Callable[[WatchOutcome], None]
type TaskFactory = Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]]


class ConditionWatch:
    """One image name watched until its question is answered yes."""

    def __init__(
        self,
        hass: HomeAssistant,
        request: AnalysisRequest,
        condition: Condition,
        *,
        queue: AnalysisQueue,
        report: Report,
        announce: Announce,
    ) -> None:
        """Prepare the watch; `start` makes the first look."""
        self._hass = hass
        self._check = check_request(request, condition)
        self._condition = condition
        self._queue = queue
        self._report = report
        self._announce = announce
        self._started = dt_util.utcnow()
        self._last: AnalysisResult | None = None
        # Set by `stop`: wakes the task from whatever it waits for.
        self._stopped: asyncio.Future[None] = hass.loop.create_future()
        self.outcome: asyncio.Future[WatchOutcome] = hass.loop.create_future()
        # Set once a look said yes: a stop then comes too late.
        self._met_at: float | None = None
        self.checks = 0
        # When the next look is due; None while one is under way.
        self.next_check: datetime | None = None

    @property
    def image_name(self) -> str:
        """The image name watched."""
        return self._check.image_name

    @callback
    def start(self, create_task: TaskFactory) -> None:
        """Queue the first look (QueueFullError when there is no room) and
        follow it in a task of the setup."""
        first = self._queue.async_submit(self._check)
        create_task(self._run(first), f"watch of {self.image_name}")

    @callback
    def stop(self, end: WatchEnd) -> None:
        """End the watch now: its caller is answered at once, a look under way
        is left to finish unheard."""
        if self.outcome.done() or self._met_at is not None:
            return
        self._finish(end)
        self._stopped.set_result(None)

    async def _run(self, look: asyncio.Future[AnalysisResult]) -> None:
        try:
            await self._watch(look)
        except asyncio.CancelledError:
            # The setup's tasks are cancelled when it unloads; a caller is
            # answered even if a yes was being recorded.
            self._finish(WatchEnd.UNLOADED, self._met_at)
            raise
        except Exception as err:
            _LOGGER.exception("Unexpected error watching %s", self.image_name)
            self._fail(AnalysisError("unexpected_error", "queue", {"reason": str(err)}))

    async def _watch(self, look: asyncio.Future[AnalysisResult]) -> None:
        """Look, and look again after the interval, until yes or the limit."""
        while True:
            if not await self._until_done(look):
                return
            if (error := look.exception()) is not None:
                await self._failed(error)
                return
            self.checks += 1
            answer, result = read_answer(look.result())
            if answer.met:
                await self._met(result)
                return
            self._last = result
            remaining = self._condition.max_duration - self._elapsed()
            if remaining <= 0:
                self._finish(WatchEnd.LIMIT)
                return
            wait = self._condition.interval or answer.next_check or remaining
            if not await self._sleep(min(wait, remaining)):
                return
            try:
                look = self._queue.async_submit(self._check)
            except Exception as err:  # a full queue, or unloading
                await self._failed(err)
                return

    async def _until_done(self, future: asyncio.Future[Any]) -> bool:
        """Wait for the future; False when the watch was stopped first."""
        await asyncio.wait((future, self._stopped), return_when=asyncio.FIRST_COMPLETED)
        return not self._stopped.done()

    async def _sleep(self, seconds: float) -> bool:
        """Wait on Home Assistant's timer; False when the watch was stopped first."""
        due: asyncio.Future[None] = self._hass.loop.create_future()

        @callback
        def wake(_now: datetime) -> None:
            if not due.done():
                due.set_result(None)

        self.next_check = dt_util.utcnow() + timedelta(seconds=seconds)
        cancel: CALLBACK_TYPE = async_call_later(self._hass, seconds, wake)
        try:
            return await self._until_done(due)
        finally:
            cancel()
            self.next_check = None

    async def _met(self, result: AnalysisResult) -> None:
        """Record the look like an analysis (timeline, sensor, event), then
        answer and announce it; a stop meanwhile comes too late."""
        self._met_at = self._elapsed()
        self._last = result
        recorded = await self._report(result.request, result)
        if isinstance(recorded, AnalysisResult):
            self._last = recorded
        self._announce(self._finish(WatchEnd.MET, self._met_at))

    async def _failed(self, error: BaseException) -> None:
        """A look failed: the failure is reported as an analysis's would be,
        and the watch ends with it."""
        if isinstance(error, AnalysisError):
            await self._report(self._check, error)
        self._fail(error)

    def _elapsed(self) -> float:
        return (dt_util.utcnow() - self._started).total_seconds()

    def _finish(self, end: WatchEnd, after: float | None = None) -> WatchOutcome:
        outcome = WatchOutcome(
            image_name=self.image_name,
            condition=self._condition,
            end=end,
            checks=self.checks,
            after=round(self._elapsed() if after is None else after, 1),
            last=self._last,
        )
        if not self.outcome.done():
            self.outcome.set_result(outcome)
        return outcome

    def _fail(self, error: BaseException) -> None:
        if not self.outcome.done():
            self.outcome.set_exception(error)
            # A caller without a response variable never reads it.
            self.outcome.exception()


class Watches:
    """A setup's watches, at most one per image name."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        queue: AnalysisQueue,
        report: Report,
        announce: Announce,
        create_task: TaskFactory,
    ) -> None:
        """Watch through the setup's queue; report and announce through its sink."""
        self._hass = hass
        self._queue = queue
        self._report = report
        self._announce = announce
        self._create_task = create_task
        self._watches: dict[str, ConditionWatch] = {}

    def get(self, image_name: str) -> ConditionWatch | None:
        """The watch of an image name, while it runs."""
        return self._watches.get(image_name)

    @callback
    def async_start(
        self, request: AnalysisRequest, condition: Condition
    ) -> asyncio.Future[WatchOutcome]:
        """Watch the request's image name until the condition is met; a watch
        of the same name already running ends (`replaced`).

        Raises QueueFullError when the first look finds no room.
        """
        watch = ConditionWatch(
            self._hass,
            request,
            condition,
            queue=self._queue,
            report=self._report,
            announce=self._announce,
        )
        watch.start(self._create_task)
        if (older := self._watches.get(watch.image_name)) is not None:
            older.stop(WatchEnd.REPLACED)
        self._watches[watch.image_name] = watch

        def forget(_outcome: asyncio.Future[WatchOutcome]) -> None:
            if self._watches.get(watch.image_name) is watch:
                del self._watches[watch.image_name]

        watch.outcome.add_done_callback(forget)
        return watch.outcome

    @callback
    def async_stop(self, image_name: str) -> bool:
        """End the watch of an image name; False when none runs."""
        if (watch := self._watches.get(image_name)) is None:
            return False
        watch.stop(WatchEnd.STOPPED)
        return True

    @callback
    def async_stop_all(self) -> None:
        """End every watch (the setup is unloading): each caller is answered."""
        for watch in list(self._watches.values()):
            watch.stop(WatchEnd.UNLOADED)
