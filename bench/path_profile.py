"""Where a job's time goes: per-stage clocks, CPU per thread, a grouped profile.

Three views of the same jobs, for a Home Assistant running in this process:
- `StageClock` wraps the functions of Ollama Vision's path (and Home Assistant's
  state writes and event fires) with timers, without changing their code, and
  splits each job's wall-clock time from the action call to its event;
- `ThreadClock` reads each thread's CPU time (and its time waiting for a CPU)
  from the kernel (/proc/self/task/*/schedstat, in nanoseconds): the event loop,
  the executor, the recorder and the rest;
- `AreaProfile` runs cProfile (which since Python 3.12 sees every thread) and
  adds its own time up by area: the integration's modules, Home Assistant's
  core, helpers and components, aiohttp, the standard library...
"""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
import cProfile
from dataclasses import dataclass, field
import functools
from pathlib import Path
import pstats
import re
import statistics
import threading
import time
from typing import Any

from custom_components.ollama_vision.ollama import client
from custom_components.ollama_vision.pipeline import sink, stages
from custom_components.ollama_vision.pipeline.queue import AnalysisQueue
from custom_components.ollama_vision.sources import still
from custom_components.ollama_vision.timeline.recorder import Timeline
from custom_components.ollama_vision.timeline.snapshot_files import MediaFolder
from custom_components.ollama_vision.timeline.store import TimelineStore
from homeassistant.core import EventBus, StateMachine

# ---- per-stage clocks ------------------------------------------------------------

# (owner, attribute, stage): what is timed, in the order of the path. A stage
# inside another is indented in the table; "between" rows are the gaps.
_TIMED: list[tuple[Any, str, str]] = [
    (AnalysisQueue, "async_submit", "queued (the action handler's submit)"),
    (stages.AnalysisPipeline, "_fetch", "the job's pictures"),
    (still, "async_fetch_source", "  image fetch"),
    (still, "_async_prepare", "  picture check and shrink, executor hop included"),
    (still, "prepare_and_hash", "    check, shrink and hash in the executor"),
    (client.OllamaClient, "async_generate", "model request, server's time included"),
    (client, "_request_body", "  request body encoding"),
    (client, "_parse_line", "  answer line parsing"),
    (Timeline, "async_record", "timeline record, executor hop included"),
    (Timeline, "_record", "  record in the executor"),
    (MediaFolder, "write", "    snapshot JPEG file"),
    (TimelineStore, "add", "    SQLite insert"),
    (sink, "async_dispatcher_send", "sensor update (signal, state write)"),
    (sink, "fire_outcome", "event (payload and fire)"),
    (sink, "result_data", "  event payload"),
    (StateMachine, "async_set_internal", "(every state write)"),
    (EventBus, "async_fire_internal", "(every event fired)"),
]


@dataclass
class _Mark:
    stage: str
    start: float
    end: float
    detail: str = ""
    """What a state write wrote (entity id) or an event fire fired (type)."""


# Stages whose marks name what they wrote, by the argument that says it.
_DETAILED: dict[str, int] = {"(every state write)": 1, "(every event fired)": 1}


@dataclass
class StageClock:
    """Timers around the path's functions while `installed`."""

    marks: list[_Mark] = field(default_factory=list)

    def _timed_async(
        self, stage: str, function: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(function)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self.marks.append(_Mark(stage, start, time.perf_counter()))

        return timed

    def _timed_sync(
        self, stage: str, function: Callable[..., Any]
    ) -> Callable[..., Any]:
        detail = _DETAILED.get(stage)

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                named = str(args[detail]) if detail is not None else ""
                self.marks.append(_Mark(stage, start, time.perf_counter(), named))

        return timed

    @contextmanager
    def installed(self) -> Iterator[None]:
        originals = [(owner, name, getattr(owner, name)) for owner, name, _ in _TIMED]
        try:
            for (owner, name, stage), (_, _, function) in zip(
                _TIMED, originals, strict=True
            ):
                wrap = (
                    self._timed_async
                    if asyncio.iscoroutinefunction(function)
                    else self._timed_sync
                )
                setattr(owner, name, wrap(stage, function))
            yield
        finally:
            for owner, name, function in originals:
                setattr(owner, name, function)

    def written(self, windows: list[tuple[float, float]]) -> list[tuple[str, float]]:
        """What the jobs wrote (state writes by entity id, events by type),
        with how many times per job, most first; numbered names (one sensor per
        new image name) as one."""
        counts: dict[str, int] = defaultdict(int)
        for start, end in windows:
            for mark in self.marks:
                if mark.detail and start <= mark.start <= end:
                    kind = "state" if mark.stage.startswith("(every state") else "event"
                    # One sensor per new image name: counted together.
                    counts[f"{kind} {_NUMBERED.sub('_*', mark.detail)}"] += 1
        return sorted(
            ((name, count / len(windows)) for name, count in counts.items()),
            key=lambda item: -item[1],
        )

    def table(
        self, windows: list[tuple[float, float]]
    ) -> list[tuple[str, float, float]]:
        """(row, median ms per job, calls per job) for the jobs in `windows`
        (each from its action call to its event), in the order of the path."""
        per_job: list[dict[str, float]] = []
        counts: dict[str, int] = defaultdict(int)
        for start, end in windows:
            # The event's listeners run inside the fire: a mark belongs to the
            # job in whose window it starts.
            inside = [m for m in self.marks if start <= m.start <= end]
            spent: dict[str, float] = defaultdict(float)
            edges: dict[tuple[str, str], float] = {
                ("call", "start"): start,
                ("event", "start"): end,
            }
            for mark in inside:
                spent[mark.stage] += mark.end - mark.start
                edges.setdefault((mark.stage, "start"), mark.start)
                edges[(mark.stage, "end")] = mark.end
                counts[mark.stage] += 1
            for label, after, before in _GAPS:
                if after in edges and before in edges:
                    spent[label] = edges[before] - edges[after]
            spent[_WHOLE] = end - start
            per_job.append(spent)
        rows = []
        names = [stage for _, _, stage in _TIMED] + [gap[0] for gap in _GAPS]
        for row in [*names, _WHOLE]:
            values = [job[row] for job in per_job if row in job]
            if values:
                calls = counts[row] / len(windows) if row in counts else 1.0
                rows.append((row, statistics.median(values) * 1000, calls))
        return rows


_WHOLE = "whole job: call to event"
_SUBMIT = _TIMED[0][2]
_PICTURES = _TIMED[1][2]
_MODEL = "model request, server's time included"
_RECORD = "timeline record, executor hop included"
_FIRE = "event (payload and fire)"
# (row, from which edge, to which edge): the gaps between the timed stages.
_GAPS: list[tuple[str, tuple[str, str], tuple[str, str]]] = [
    (
        "gap: call to submit (validation, look-ups)",
        ("call", "start"),
        (_SUBMIT, "start"),
    ),
    (
        "gap: submit to the job's start (queue hand-off)",
        (_SUBMIT, "end"),
        (_PICTURES, "start"),
    ),
    ("gap: pictures to the model request", (_PICTURES, "end"), (_MODEL, "start")),
    (
        "gap: model's answer to the timeline (the result)",
        (_MODEL, "end"),
        (_RECORD, "start"),
    ),
    ("gap: event fire's start to the listener", (_FIRE, "start"), ("event", "start")),
]


# ---- CPU per thread --------------------------------------------------------------

_NUMBERED = re.compile(r"[_-]\d+$")


def _thread_group(name: str) -> str:
    if name == "MainThread":
        return "event loop (MainThread)"
    base = _NUMBERED.sub("", name)
    return {
        "SyncWorker": "executor (SyncWorker_*)",
        "Recorder": "recorder thread",
        "DbWorker": "recorder's database workers",
    }.get(base, f"other: {base}")


def _schedstat() -> dict[int, tuple[int, int]]:
    """Per thread id: nanoseconds on a CPU, nanoseconds waiting for one."""
    times = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            on_cpu, waiting, _ = (task / "schedstat").read_text().split()
        except OSError:  # the thread ended meanwhile
            continue
        times[int(task.name)] = (int(on_cpu), int(waiting))
    return times


@dataclass
class ThreadClock:
    """CPU time of each group of threads between `start` and `stop`."""

    _before: dict[int, tuple[int, int]] = field(default_factory=dict)
    _names: dict[int, str] = field(default_factory=dict)
    result: dict[str, tuple[float, float]] = field(default_factory=dict)

    def start(self) -> None:
        self._names = {t.native_id or 0: t.name for t in threading.enumerate()}
        self._before = _schedstat()

    def stop(self) -> None:
        after = _schedstat()
        self._names |= {t.native_id or 0: t.name for t in threading.enumerate()}
        result: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for tid, (on_cpu, waiting) in after.items():
            was_cpu, was_waiting = self._before.get(tid, (0, 0))
            group = _thread_group(self._names.get(tid, "unnamed"))
            result[group][0] += (on_cpu - was_cpu) / 1e9
            result[group][1] += (waiting - was_waiting) / 1e9
        self.result = {name: (cpu, wait) for name, (cpu, wait) in result.items()}


# ---- cProfile, added up by area ---------------------------------------------------

_SITE = re.compile(r"/site-packages/([^/]+)")
_HA_PART = re.compile(r"/homeassistant/(components/[^/]+|helpers/[^/]+|[^/]+)")


def _area(filename: str, function: str) -> str:
    if "/custom_components/" in filename:
        return "ours: " + filename.split("/custom_components/", 1)[1]
    if "/homeassistant/" in filename and (match := _HA_PART.search(filename)):
        return "ha: " + match.group(1).removesuffix(".py")
    if match := _SITE.search(filename):
        return match.group(1).removesuffix(".py")
    if filename == "~":  # a built-in: named by what it is
        return "built-in: " + function.strip("<>{}").split(" of ")[-1].strip("'")
    return "python: " + Path(filename).stem


@dataclass
class AreaProfile:
    """cProfile's own time (tottime), added up by area."""

    _profiler: cProfile.Profile = field(default_factory=cProfile.Profile)

    @contextmanager
    def running(self) -> Iterator[None]:
        self._profiler.enable()
        try:
            yield
        finally:
            self._profiler.disable()

    def areas(self) -> list[tuple[str, float]]:
        """(area, seconds), most first."""
        stats = pstats.Stats(self._profiler)
        totals: dict[str, float] = defaultdict(float)
        # Stats.stats (the raw table) is missing from typeshed's pstats.
        for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
            totals[_area(filename, function)] += row[2]
        return sorted(totals.items(), key=lambda item: -item[1])

    def functions(self, count: int) -> list[tuple[str, float, int]]:
        """The `count` functions with the most own time: (name, seconds, calls)."""
        stats = pstats.Stats(self._profiler)
        rows = []
        # Stats.stats: see areas().
        for (filename, line, function), row in stats.stats.items():  # type: ignore[attr-defined]
            where = filename.split("/site-packages/")[-1].split("/custom_components/")[
                -1
            ]
            rows.append((f"{where}:{line}({function})", row[2], row[1]))
        return sorted(rows, key=lambda item: -item[1])[:count]
