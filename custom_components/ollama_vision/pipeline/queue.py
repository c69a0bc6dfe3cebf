"""A bounded, coalescing job queue worked by a fixed set of workers."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from ..const import DOMAIN
from .job import AnalysisError, AnalysisRequest, AnalysisResult, Outcome

_LOGGER = logging.getLogger(__name__)

type Runner = Callable[[AnalysisRequest], Awaitable[AnalysisResult]]
# Takes a finished job and reports it (pipeline.sink).
type Sink = Callable[[AnalysisRequest, Outcome], Awaitable[Report]]
# Starts a worker as a background task of the setup, cancelled when it unloads.
type TaskFactory = Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]]


@dataclass(frozen=True, slots=True)
class Report:
    """What the sink made of a finished job: its outcome as reported (on the
    sensor, in the event), and the work left, which ends with what the callers
    are answered (the timeline's disk work): done once the worker is free."""

    outcome: Outcome
    rest: Coroutine[Any, Any, Outcome] | None = None


class QueueFullError(HomeAssistantError):
    """The queue has no room; the new job was refused and nothing was dropped."""


@dataclass(slots=True)
class _Job:
    request: AnalysisRequest
    future: asyncio.Future[AnalysisResult]
    done: bool = False


class AnalysisQueue:
    """Jobs wait here by image name until a worker takes them.

    One queue serves all of a setup's servers, so its rules hold across them;
    which server a running job's requests go to is the server pool's choice.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        name: str,
        workers: int,
        run: Runner,
        max_waiting: int,
        sink: Sink,
        on_change: CALLBACK_TYPE,
        create_task: TaskFactory,
    ) -> None:
        """Prepare the queue; `async_start` starts its workers."""
        self._hass = hass
        self._name = name
        self._worker_count = workers
        self._run = run
        self._max_waiting = max_waiting
        self._sink = sink
        self._on_change = on_change
        self._create_task = create_task
        # Insertion-ordered: the oldest waiting job is worked first.
        self._waiting: dict[str | tuple[str, str], _Job] = {}
        self._running: dict[asyncio.Task[None], _Job] = {}
        # Set when a job arrives or ends: either can make a job startable.
        self._changed = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        # Reported jobs whose rest is being done, their callers still waiting.
        self._settling: set[asyncio.Task[None]] = set()
        self._stopped = False

    @property
    def waiting(self) -> int:
        """How many jobs wait for a worker."""
        return len(self._waiting)

    @property
    def running(self) -> int:
        """How many jobs a worker is on."""
        return len(self._running)

    @callback
    def async_start(self) -> None:
        """Start the workers."""
        self._workers = [
            self._create_task(self._work(), f"{DOMAIN} {self._name} worker {index}")
            for index in range(self._worker_count)
        ]

    @callback
    def async_submit(self, request: AnalysisRequest) -> asyncio.Future[AnalysisResult]:
        """Queue a request; the future ends with its result.

        A request for an image name that is still waiting replaces the waiting
        one, keeping its place: the newest image wins, and every caller of the
        replaced request gets the newer one's result. A job whose image name is
        being analysed waits until that analysis ends, so an older image can
        never finish after, and overwrite, a newer one.
        """
        if self._stopped:
            raise AnalysisError("unloaded", "queue")
        if (job := self._waiting.get(request.queue_key)) is not None:
            job.request = request
            return job.future
        if len(self._waiting) >= self._max_waiting:
            raise QueueFullError(
                translation_domain=DOMAIN,
                translation_key="queue_full",
                translation_placeholders={
                    "name": self._name,
                    "size": str(self._max_waiting),
                },
            )
        job = _Job(request, self._hass.loop.create_future())
        self._waiting[request.queue_key] = job
        self._changed.set()
        self._on_change()
        return job.future

    async def async_stop(self) -> None:
        """Stop the workers now; every unfinished job ends as `unloaded`."""
        self._stopped = True
        for worker in self._workers:
            worker.cancel()
        # Workers end their own running jobs as they are cancelled.
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        # Reported jobs finish their rest (a few milliseconds of disk work).
        await asyncio.gather(*self._settling, return_exceptions=True)
        waiting = list(self._waiting.values())
        self._waiting.clear()
        for job in waiting:
            await self._finish(job, AnalysisError("unloaded", "queue"))

    def _startable(self) -> _Job | None:
        """The oldest waiting job whose image name is not being analysed."""
        running = {job.request.queue_key for job in self._running.values()}
        for key, job in self._waiting.items():
            if key not in running:
                return job
        return None

    async def _work(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        while True:
            while (job := self._startable()) is None:
                self._changed.clear()
                await self._changed.wait()
            image_name = job.request.image_name
            del self._waiting[job.request.queue_key]
            self._running[task] = job
            self._on_change()
            try:
                try:
                    outcome: Outcome = await self._run(job.request)
                except AnalysisError as err:
                    outcome = err
                except asyncio.CancelledError:
                    await self._finish(job, AnalysisError("unloaded", "queue"))
                    raise
                except Exception as err:
                    _LOGGER.exception("Unexpected error analysing %s", image_name)
                    outcome = AnalysisError(
                        "unexpected_error", "queue", {"reason": str(err)}
                    )
                # Reported before the image name is free again: a newer job
                # for it starts only once this outcome is on the sensor.
                await self._finish(job, outcome)
            finally:
                self._running.pop(task, None)
                self._changed.set()

    async def _finish(self, job: _Job, outcome: Outcome) -> None:
        """Hand the outcome to the sink once, then answer the callers, after
        the rest of the report when there is some: the worker (and the image
        name) is free meanwhile, so the next job need not wait for a disk."""
        if job.done:
            return
        job.done = True
        if isinstance(outcome, AnalysisError):
            _log_failure(job.request, outcome)
        rest = None
        try:
            report = await self._sink(job.request, outcome)
            outcome, rest = report.outcome, report.rest
        except Exception:
            _LOGGER.exception(
                "Could not report the outcome for %s", job.request.image_name
            )
        finally:
            # Even when stopped mid-report, callers waiting for an answer get one.
            if rest is None:
                _answer(job.future, outcome)
        if rest is not None:
            self._settle(job, outcome, rest)

    def _settle(
        self, job: _Job, reported: Outcome, rest: Coroutine[Any, Any, Outcome]
    ) -> None:
        """Do the rest of a job's report in a task of its own, then answer its
        callers (with the outcome as reported, should the rest fail or be
        cancelled, even before it starts)."""

        async def finish_report() -> None:
            try:
                _answer(job.future, await rest)
            except Exception:
                _LOGGER.exception(
                    "Could not report the outcome for %s", job.request.image_name
                )

        def settled(task: asyncio.Task[None]) -> None:
            self._settling.discard(task)
            rest.close()  # not started if cancelled at once: nothing to warn of
            _answer(job.future, reported)

        settling = self._create_task(
            finish_report(),
            f"{DOMAIN} {self._name} report of {job.request.image_name}",
        )
        self._settling.add(settling)
        settling.add_done_callback(settled)


async def async_wait_for_job[T](future: asyncio.Future[T]) -> T:
    """Wait for a job's outcome without owning the job.

    A caller that gives up (an automation restarted, a script's timeout) must
    not cancel a job others may share: the queue owns it once accepted. Not
    asyncio.shield: once its caller is cancelled, shield logs the job's later
    failure as an error with a traceback, though the event reported it.
    """
    await asyncio.wait((future,))
    return future.result()


def _log_failure(request: AnalysisRequest, error: AnalysisError) -> None:
    """One line per failed analysis, visible without debug logging.

    The message is already free of passwords (AnalysisError masks them).
    """
    # Unloading is the user's doing, not a fault worth a warning.
    level = logging.INFO if error.code == "unloaded" else logging.WARNING
    _LOGGER.log(
        level,
        "Analysis of %s failed at stage %s (%s): %s",
        request.image_name,
        error.stage,
        error.code,
        error,
    )


def _answer(future: asyncio.Future[AnalysisResult], outcome: Outcome) -> None:
    if future.done():
        return
    if isinstance(outcome, AnalysisError):
        future.set_exception(outcome)
        # Callers that did not ask for an answer never read it: mark it read
        # so asyncio does not log "exception was never retrieved".
        future.exception()
    else:
        future.set_result(outcome)
