"""Per-job overhead in a real Home Assistant, beside LLM Vision (issue 21).

Run from the repository root:

    .venv/bin/python bench/bench_overhead.py [--llmvision PATH] [--profile]

PATH is LLM Vision's integration folder (custom_components/llmvision of its
1.x release); it needs aiosqlite and aiofile, which Home Assistant installs for
a user: give a folder that has them with --llmvision-packages DIR (`pip install
--target DIR aiosqlite==0.21.0 aiofile==3.9.0`) when the Python running this
lacks them.

Each of the three runs boots a real Home Assistant (`homeassistant.bootstrap`,
in a process of its own, HA's own event loop and executor) from a throw-away
config folder like a user's: the frontend, config, history, logbook (so the
recorder, writing every state change and event to its SQLite database, as in a
default install), media_source and sun; logs at warning. Ollama Vision is added
through its config flow, and so is a Generic Camera whose still image is the
640x480 JPEG of an image server in its own process; the simulated Ollama (the
emulator in benchmark mode: a fixed answer, no delay) runs in its own process
too. With --llmvision, LLM Vision is added through its config flow as a user
would (its Settings, then provider Ollama on the same emulator).

Per run, CALLS sequential calls of each case (after a warm-up):
- Ollama Vision `analyze_image` with the camera entity, for a new image name
  each time and for the same name again, and the same with the image URL;
  the time from the action call to its `ollama_vision_image_analyzed` event;
- LLM Vision `image_analyzer` with the camera entity: from the call to its
  response (it has no sensor, event or timeline unless asked).
- Home Assistant alone (bench/ha_entities, a bare integration): an image
  name's sensor and image entity added (new name) or updated (same name), as
  Ollama Vision's sink does, then an event; none of Ollama Vision's code.
Overhead = the median of those times minus the server's own time for the same
request: the body the emulator last received, sent again by a bare client.
The figures printed are the median of the runs' figures. After each case the
bench waits for Home Assistant's tasks and the recorder's next commit, so each
case's CPU per job includes the recorder's work for its calls.

The floor it prints for a new image name: the same name's overhead plus the
CPU Home Assistant alone spends on a new name's two entities beyond updating
them (mostly the recorder's, after the call; the threads share one
interpreter lock, so it delays the next job as much).

Targets (camera entity, both integrations): same image name again <= 1.0 x
LLM Vision's overhead in the same run, new image name <= 1.3 x. Exits 1 when
one is missed; without --llmvision nothing is compared and it exits 0.

--profile adds, per case, where the time goes: Ollama Vision's path split into
stages by timers around its functions, the CPU time of each thread (event loop,
executor, recorder...) per job, and cProfile's own time added up by area.
"""

import argparse
import asyncio
from dataclasses import dataclass, field
import importlib.util
import json
import logging
import multiprocessing
from multiprocessing.connection import Connection
import os
from pathlib import Path
import shutil
import statistics
import sys
import tempfile
import time
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.jobs import Ends, job_windows, system_resolver
from bench.path_profile import AreaProfile, StageClock, ThreadClock
from bench.processes import ANSWER, MODEL, Servers, last_server_time, servers
from custom_components.ollama_vision.const import (
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
)
from custom_components.ollama_vision.settings import DEFAULT_PROMPT, VISION_KEEPALIVE
from homeassistant import bootstrap
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME, __version__ as HA_VERSION
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, recorder
from homeassistant.runner import RuntimeConfig, create_event_loop
from tests.e2e.ha_config_dir import prepare
from tests.local_server import LOOPBACK, reserve_port

RUNS: Final = 3
CALLS: Final = 60
WARM_UP: Final = 10
SAME_NAME_TARGET: Final = 1.0
NEW_NAME_TARGET: Final = 1.3
LLMVISION: Final = "llmvision"
LLMVISION_REQUIREMENTS: Final = ("aiosqlite", "aiofile")
PROMPT: Final = DEFAULT_PROMPT.default
SAME_NAME: Final = "gate"
GENERATE_PATH: Final = "/api/generate"
CHAT_PATH: Final = "/api/chat"
# A bare integration (bench/ha_entities) that only adds and updates an image
# name's sensor and image entity, as Ollama Vision's sink does: what Home
# Assistant itself spends on them.
BENCH_ENTITIES: Final = "bench_entities"
BENCH_ENTITIES_FOLDER: Final = Path(__file__).parent / "ha_entities" / BENCH_ENTITIES
EVENT_ENTITIES_SHOWN: Final = "bench_entities_shown"

# Like the repository's config/configuration.yaml (what scripts/develop and the
# end-to-end tests run), at a user's log level, with the address Home Assistant
# gives itself (LLM Vision fetches camera pictures from its own camera proxy).
CONFIGURATION: Final = """\
homeassistant:
  name: Overhead bench
  internal_url: http://{host}:{port}
  # Snapshots (ours, and LLM Vision's) stay in the throw-away folder.
  media_dirs: !include media_dirs.yaml
frontend:
config:
history:
logbook:
media_source:
sun:
automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml
logger:
  default: warning
  logs:
    haffmpeg: critical
    homeassistant.components.camera.img_util: critical
    # Start-up warnings that would bury the figures: skip_pip, custom
    # integrations, no zlib_ng; LLM Vision's timeline before its first event.
    homeassistant.bootstrap: error
    homeassistant.loader: error
    aiohttp_fast_zlib: error
    custom_components.llmvision.timeline: critical
{recorder}"""
# With --recorder-exclude: what recording the jobs costs, seen by its absence.
RECORDER_EXCLUDE: Final = """\
recorder:
  exclude:
    entity_globs: ["sensor.gate_*", "image.gate_*", "calendar.gate_*",
                   "sensor.bench_*", "image.bench_*"]
    event_types: [call_service, ollama_vision_image_analyzed, bench_entities_shown]
"""


@dataclass(frozen=True)
class Case:
    """One series of calls: which integration, which source, which name."""

    label: str
    integration: str
    source: str  # "camera" or "url"
    new_names: bool

    @property
    def path(self) -> str | None:
        """The request the case makes of the simulated Ollama, if any."""
        if self.integration == BENCH_ENTITIES:
            return None
        return CHAT_PATH if self.integration == LLMVISION else GENERATE_PATH


OURS_CAMERA_NEW: Final = Case("Ollama Vision, camera, new name", DOMAIN, "camera", True)
OURS_CAMERA_SAME: Final = Case(
    "Ollama Vision, camera, same name", DOMAIN, "camera", False
)
OURS_URL_NEW: Final = Case("Ollama Vision, image URL, new name", DOMAIN, "url", True)
OURS_URL_SAME: Final = Case("Ollama Vision, image URL, same name", DOMAIN, "url", False)
THEIRS: Final = Case("LLM Vision, camera", LLMVISION, "camera", True)
OURS: Final = (OURS_CAMERA_NEW, OURS_CAMERA_SAME, OURS_URL_NEW, OURS_URL_SAME)
HA_NEW: Final = Case("Home Assistant alone, new name", BENCH_ENTITIES, "entities", True)
HA_SAME: Final = Case(
    "Home Assistant alone, same name", BENCH_ENTITIES, "entities", False
)
HOME_ASSISTANT: Final = (HA_NEW, HA_SAME)


@dataclass(frozen=True)
class RunSettings:
    """What one run (one Home Assistant process) is given."""

    index: int
    ollama_url: str
    image_url: str
    calls: int
    llmvision: str | None
    profile: bool
    recorder_exclude: bool


@dataclass
class CaseResult:
    """One case of one run: each call's seconds, CPU per thread group."""

    seconds: list[float]
    cpu: dict[str, tuple[float, float]]
    stages: list[tuple[str, float, float]] = field(default_factory=list)
    written: list[tuple[str, float]] = field(default_factory=list)
    areas: list[tuple[str, float]] = field(default_factory=list)
    functions: list[tuple[str, float, int]] = field(default_factory=list)


@dataclass
class RunResult:
    """A run's cases, and the Home Assistant they ran in."""

    cases: dict[str, CaseResult]
    components: list[str]
    load_average: float = 0.0
    server_seconds: dict[str, float] = field(default_factory=dict)


# ---- Home Assistant, booted as a user's ---------------------------------------


def _write_config(config_dir: Path, port: int, settings: RunSettings) -> None:
    recorder = RECORDER_EXCLUDE if settings.recorder_exclude else ""
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION.format(host=LOOPBACK, port=port, recorder=recorder),
        encoding="utf-8",
    )
    prepare(config_dir, port, install=False)
    (config_dir / "custom_components" / BENCH_ENTITIES).symlink_to(
        BENCH_ENTITIES_FOLDER
    )
    if settings.llmvision is not None:
        link = config_dir / "custom_components" / LLMVISION
        link.symlink_to(settings.llmvision)


async def _flow(hass: HomeAssistant, domain: str, steps: list[dict[str, Any]]) -> str:
    """A config flow as the UI drives it, form by form; the new entry's id."""
    result: Any = await hass.config_entries.flow.async_init(
        domain, context={"source": SOURCE_USER}
    )
    for data in steps:
        if result["type"] is not FlowResultType.FORM:
            raise RuntimeError(f"{domain} flow: no form for {data}: {result}")
        result = await hass.config_entries.flow.async_configure(result["flow_id"], data)
        if result.get("errors"):
            raise RuntimeError(f"{domain} flow, {result['step_id']}: {result}")
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise RuntimeError(f"{domain} flow did not create an entry: {result}")
    return str(result["result"].entry_id)


async def _add_camera(hass: HomeAssistant, image_url: str) -> str:
    """A Generic Camera on the image server; its entity id.

    Its frame rate is high enough that every call fetches a new picture (at the
    default 2 per second most calls would get the previous one back).
    """
    entry_id = await _flow(
        hass,
        "generic",
        [
            {
                "still_image_url": image_url,
                "advanced": {"framerate": 1000, "verify_ssl": False},
            },
            {"confirmed_ok": True},
        ],
    )
    await hass.async_block_till_done()
    (entity,) = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    return entity.entity_id


async def _add_ollama_vision(hass: HomeAssistant, ollama_url: str) -> str:
    return await _flow(
        hass,
        DOMAIN,
        [
            {
                CONF_NAME: "Gate",
                CONF_VISION_HOST: ollama_url,
                CONF_TEXT_MODEL_ENABLED: False,
            },
            {CONF_VISION_MODEL: MODEL, VISION_KEEPALIVE.key: -1},
        ],
    )


async def _add_llmvision(hass: HomeAssistant, ollama_url: str) -> str:
    """LLM Vision's Settings (its defaults), then provider Ollama; the latter's id."""
    await _flow(
        hass,
        LLMVISION,
        [
            {
                "general_section": {
                    "fallback_provider": "no_fallback",
                    "request_timeout": 60,
                },
                "timeline_section": {
                    "timeline_language": "English",
                    "retention_time": 7,
                },
            }
        ],
    )
    host, port = ollama_url.removeprefix("http://").rsplit(":", 1)
    return await _flow(
        hass,
        LLMVISION,
        [
            {"provider": "Ollama"},
            {
                "connection_section": {
                    "ip_address": host,
                    "port": int(port),
                    "https": False,
                },
                "model_section": {
                    "default_model": MODEL,
                    "temperature": 0.5,
                    "top_p": 0.9,
                    "think": False,
                },
                "advanced_section": {"context_window": 2048, "keep_alive": "5m"},
            },
        ],
    )


# ---- the calls -----------------------------------------------------------------


@dataclass
class Bench:
    """The setups of one run, and how each case is called."""

    hass: HomeAssistant
    camera: str
    image_url: str
    llmvision_entry: str | None
    ends: Ends
    serial: int = 0

    def names(self, case: Case, count: int) -> list[str]:
        if not case.new_names:
            return [f"{SAME_NAME}_{case.source}"] * count
        first = self.serial
        self.serial += count
        return [f"{case.source}_{index}" for index in range(first, first + count)]

    async def windows(self, case: Case, count: int) -> list[tuple[float, float]]:
        """(call, end) of `count` sequential calls of `case`, in seconds."""
        if case.integration == LLMVISION:
            return await self._llmvision_windows(count)
        if case.integration == BENCH_ENTITIES:
            return await self._entities_windows(self.names(case, count))
        source = (
            {"image_entity": [self.camera]}
            if case.source == "camera"
            else {"image_url": self.image_url}
        )

        async def analyze(name: str) -> None:
            await self.hass.services.async_call(
                DOMAIN,
                "analyze_image",
                {**source, "image_name": name},
                blocking=True,
            )

        failed = len(self.ends.failed)
        windows = await job_windows(self.ends, self.names(case, count), analyze)
        if len(self.ends.failed) > failed:
            raise RuntimeError(f"{case.label}: failed: {self.ends.failed[failed:]}")
        return windows

    async def settle(self) -> None:
        """Wait until Home Assistant has done what the calls caused: every task,
        the recorder's queue and its next commit."""
        await self.hass.async_block_till_done()
        await recorder.get_instance(self.hass).async_block_till_done()

    async def _entities_windows(self, names: list[str]) -> list[tuple[float, float]]:
        """Call to event of the bare entities' action, one name after another."""
        shown: list[float] = []

        @callback
        def heard(_: Event[Any]) -> None:
            shown.append(time.perf_counter())

        stop = self.hass.bus.async_listen(EVENT_ENTITIES_SHOWN, heard)
        windows = []
        try:
            for name in names:
                started = time.perf_counter()
                await self.hass.services.async_call(
                    BENCH_ENTITIES,
                    "show",
                    {"name": name, "text": ANSWER},
                    blocking=True,
                )
                windows.append((started, shown[-1]))
        finally:
            stop()
        return windows

    async def _llmvision_windows(self, count: int) -> list[tuple[float, float]]:
        windows = []
        for _ in range(count):
            started = time.perf_counter()
            response = await self.hass.services.async_call(
                LLMVISION,
                "image_analyzer",
                {
                    "provider": self.llmvision_entry,
                    "message": PROMPT,
                    "image_entity": [self.camera],
                },
                blocking=True,
                return_response=True,
            )
            windows.append((started, time.perf_counter()))
            # It answers a failure with a text, not an error.
            if response is None or response.get("response_text") != ANSWER:
                raise RuntimeError(f"LLM Vision answered {response}")
        return windows


async def _measure_case(bench: Bench, case: Case, calls: int) -> CaseResult:
    threads = ThreadClock()
    threads.start()
    windows = await bench.windows(case, calls)
    # The recorder writes what the last calls caused after they end: counted
    # here, it does not land on the next case.
    await bench.settle()
    threads.stop()
    return CaseResult([end - start for start, end in windows], threads.result)


async def _profile_case(bench: Bench, case: Case, calls: int, into: CaseResult) -> None:
    """Where the time goes: stage timers first, then cProfile (which slows it)."""
    if case.integration == DOMAIN:
        clock = StageClock()
        with clock.installed():
            windows = await bench.windows(case, calls)
        into.stages = clock.table(windows)
        into.written = clock.written(windows)
    profile = AreaProfile()
    with profile.running():
        await bench.windows(case, calls)
    into.areas = profile.areas()
    into.functions = profile.functions(25)


async def _run(settings: RunSettings) -> RunResult:
    config_dir = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    # Held while Home Assistant runs, so no other program takes the port first.
    reservation = reserve_port()
    try:
        port = reservation.getsockname()[1]
        _write_config(config_dir, port, settings)
        # This process imported `custom_components` (a namespace package) from
        # the repository before Home Assistant mounted the config folder: with
        # the folder on the path, the package spans both, as for a user.
        sys.path.append(str(config_dir))
        hass = await bootstrap.async_setup_hass(
            RuntimeConfig(
                config_dir=str(config_dir),
                skip_pip=True,
                log_file=str(config_dir / "home-assistant.log"),
            )
        )
        if hass is None:
            raise RuntimeError("Home Assistant did not boot")
        await hass.async_start()
        try:
            return await _run_cases(hass, settings)
        finally:
            await hass.async_stop()
    finally:
        reservation.close()
        shutil.rmtree(config_dir, ignore_errors=True)


async def _run_cases(hass: HomeAssistant, settings: RunSettings) -> RunResult:
    camera = await _add_camera(hass, settings.image_url)
    await _add_ollama_vision(hass, settings.ollama_url)
    await _flow(hass, BENCH_ENTITIES, [])
    llmvision_entry = (
        await _add_llmvision(hass, settings.ollama_url) if settings.llmvision else None
    )
    await hass.async_block_till_done()
    bench = Bench(hass, camera, settings.image_url, llmvision_entry, Ends(hass))
    cases = [*OURS, *HOME_ASSISTANT, *([THEIRS] if llmvision_entry else [])]
    for case in cases:  # connections, caches, sensors of the same names
        await bench.windows(case, WARM_UP)
    # Each run starts with another case, so none always follows the same one.
    shift = settings.index % len(cases)
    results = {}
    for case in cases[shift:] + cases[:shift]:
        results[case.label] = await _measure_case(bench, case, settings.calls)
    if settings.profile:
        for case in cases:
            await _profile_case(bench, case, settings.calls, results[case.label])
    return RunResult(results, sorted(hass.config.components))


def _child(settings: RunSettings, conn: Connection) -> None:
    """One run in a process of its own: Home Assistant's own loop and executor."""
    # What the config's logger section quiets, from before it is set up: the
    # loader warns of every custom integration while it looks for them.
    for name in ("homeassistant.loader", "homeassistant.bootstrap"):
        logging.getLogger(name).setLevel(logging.ERROR)
    loop = create_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with system_resolver():
            conn.send(loop.run_until_complete(_run(settings)))
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


async def _one_run(settings: RunSettings, running: Servers) -> RunResult:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_child, args=(settings, child))
    process.start()
    child.close()  # so that a run that dies ends `recv` with EOFError
    try:
        result: RunResult = await asyncio.to_thread(parent.recv)
    except EOFError:
        raise RuntimeError(f"run {settings.index + 1} failed (see above)") from None
    finally:
        await asyncio.to_thread(process.join)
    result.load_average = os.getloadavg()[0]
    paths = {GENERATE_PATH, *([CHAT_PATH] if settings.llmvision else [])}
    for path in sorted(paths):
        result.server_seconds[path] = await last_server_time(
            running, path, settings.calls
        )
    return result


# ---- figures -------------------------------------------------------------------


def _overhead_ms(run: RunResult, case: Case) -> float:
    times = run.cases[case.label].seconds
    served = run.server_seconds[case.path] if case.path is not None else 0.0
    return (statistics.median(times) - served) * 1000


def _median_ms(runs: list[RunResult], case: Case) -> float:
    return statistics.median(_overhead_ms(run, case) for run in runs)


def _print_run(run: RunResult, number: int, cases: list[Case]) -> None:
    served = ", ".join(
        f"{path} {seconds * 1000:.2f} ms"
        for path, seconds in run.server_seconds.items()
    )
    print(
        f"run {number}: load average {run.load_average:.2f}; server's own time {served}"
    )
    for case in cases:
        median = statistics.median(run.cases[case.label].seconds) * 1000
        print(
            f"  {case.label:40} call to end {median:6.2f} ms,"
            f" overhead {_overhead_ms(run, case):5.2f} ms"
        )


def _run_cpu_ms(run: RunResult, case: Case) -> float:
    """CPU per job of one run, every thread together."""
    result = run.cases[case.label]
    return sum(cpu for cpu, _ in result.cpu.values()) * 1000 / len(result.seconds)


def _cpu_ms(runs: list[RunResult], case: Case) -> float:
    """CPU per job, every thread together: unlike the wall-clock figures it
    hardly moves with the load other processes put on the machine."""
    return statistics.median(_run_cpu_ms(run, case) for run in runs)


def _print_table(runs: list[RunResult], llmvision_version: str | None) -> None:
    print(
        f"\nOverhead, median of {len(runs)} runs (call to event, LLM Vision: call to"
        " response, minus the server's own time; in brackets the CPU per job of"
        " all threads):\n"
    )
    print("| | new image name | same image name again |")
    print("|---|---|---|")
    for source, new, same in (
        ("camera entity", OURS_CAMERA_NEW, OURS_CAMERA_SAME),
        ("image URL", OURS_URL_NEW, OURS_URL_SAME),
    ):
        print(
            f"| Ollama Vision, {source} | {_median_ms(runs, new):.2f} ms"
            f" ({_cpu_ms(runs, new):.2f}) | {_median_ms(runs, same):.2f} ms"
            f" ({_cpu_ms(runs, same):.2f}) |"
        )
    print(
        "| Home Assistant alone: an image name's sensor and image entity, added or"
        f" updated, then an event | {_median_ms(runs, HA_NEW):.2f} ms"
        f" ({_cpu_ms(runs, HA_NEW):.2f}) | {_median_ms(runs, HA_SAME):.2f} ms"
        f" ({_cpu_ms(runs, HA_SAME):.2f}) |"
    )
    if llmvision_version is not None:
        print(
            f"| LLM Vision {llmvision_version}, camera entity (no sensor, event or"
            f" timeline) | {_median_ms(runs, THEIRS):.2f} ms"
            f" ({_cpu_ms(runs, THEIRS):.2f}) | — |"
        )


def _new_entities_cpu_ms(runs: list[RunResult]) -> float:
    """The CPU Home Assistant spends on a new image name's two entities beyond
    updating them, every thread together: median of each run's difference.

    CPU rather than the call's own time: most of it is the recorder's, in its
    own thread after the call (registry entries, first states, their rows),
    and it delays whatever runs next, since the threads share one interpreter
    lock (a job's CPU, all threads, is more than its time from call to end).
    """
    return statistics.median(
        _run_cpu_ms(run, HA_NEW) - _run_cpu_ms(run, HA_SAME) for run in runs
    )


def _print_new_name_floor(runs: list[RunResult]) -> None:
    """The least a new image name can cost: the same name's overhead plus Home
    Assistant's own work for the two new entities."""
    entities = _new_entities_cpu_ms(runs)
    floor = _median_ms(runs, OURS_CAMERA_SAME) + entities
    theirs = _median_ms(runs, THEIRS)
    print(
        f"  floor: a new image name's two entities cost Home Assistant itself"
        f" {entities:.2f} ms more CPU than updating them; on top of Ollama"
        f" Vision's same-name overhead that is {floor:.2f} ms = {floor / theirs:.2f}"
        f" x LLM Vision's (target <= {NEW_NAME_TARGET} x)"
    )


def _check_targets(runs: list[RunResult]) -> list[str]:
    theirs = _median_ms(runs, THEIRS)
    missed = []
    for case, factor in (
        (OURS_CAMERA_SAME, SAME_NAME_TARGET),
        (OURS_CAMERA_NEW, NEW_NAME_TARGET),
    ):
        ours = _median_ms(runs, case)
        verdict = "met" if ours <= factor * theirs else "MISSED"
        line = (
            f"{case.label}: {ours:.2f} ms = {ours / theirs:.2f} x LLM Vision's"
            f" {theirs:.2f} ms (target <= {factor} x)"
        )
        print(f"  {verdict}: {line}")
        if verdict == "MISSED":
            missed.append(line)
    return missed


def _print_cpu(runs: list[RunResult], cases: list[Case]) -> None:
    print(
        "\nCPU per job by thread, ms (median of runs; in brackets: waiting for a CPU)"
    )
    for case in cases:
        groups = sorted({group for run in runs for group in run.cases[case.label].cpu})
        parts = []
        for group in groups:
            cpu = statistics.median(
                run.cases[case.label].cpu.get(group, (0.0, 0.0))[0] for run in runs
            )
            wait = statistics.median(
                run.cases[case.label].cpu.get(group, (0.0, 0.0))[1] for run in runs
            )
            per_job = len(runs[0].cases[case.label].seconds)
            if cpu * 1000 / per_job >= 0.01:
                parts.append(
                    f"{group} {cpu * 1000 / per_job:.2f} ({wait * 1000 / per_job:.2f})"
                )
        print(f"  {case.label}: " + "; ".join(parts))


def _print_profile(runs: list[RunResult], cases: list[Case], calls: int) -> None:
    for case in cases:
        print(f"\n== {case.label}: where each millisecond goes ==")
        if runs[0].cases[case.label].stages:
            print("  stage (median ms per job over all runs' jobs; calls per job)")
            rows: dict[str, list[tuple[float, float]]] = {}
            for run in runs:
                for row, ms, count in run.cases[case.label].stages:
                    rows.setdefault(row, []).append((ms, count))
            for row, values in rows.items():
                ms = statistics.median(value[0] for value in values)
                count = statistics.median(value[1] for value in values)
                print(f"    {row:58} {ms:6.3f} ms  x{count:.1f}")
        if written := runs[0].cases[case.label].written:
            print(
                "  written per job (first run): "
                + ", ".join(f"{name} x{count:.1f}" for name, count in written)
            )
        print("  cProfile own time by area, all threads (ms per job, profiled run)")
        areas: dict[str, list[float]] = {}
        for run in runs:
            for area, seconds in run.cases[case.label].areas:
                areas.setdefault(area, []).append(seconds * 1000 / calls)
        ranked = sorted(areas.items(), key=lambda item: -statistics.median(item[1]))
        for area, per_job in ranked[:30]:
            print(f"    {area:58} {statistics.median(per_job):6.3f}")
        print("  the functions with the most own time (first run, ms per job, calls)")
        for name, seconds, count in runs[0].cases[case.label].functions:
            print(
                f"    {name[:90]:90} {seconds * 1000 / calls:6.3f}  {count / calls:5.1f}"
            )


# ---- command line ----------------------------------------------------------------


def _llmvision_version(path: Path) -> str:
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("domain") != LLMVISION:
        sys.exit(f"{path} is not LLM Vision's integration folder")
    return str(manifest["version"])


def _check_llmvision_requirements(packages: Path | None) -> None:
    if packages is not None:
        sys.path.append(str(packages))  # after ours: it only adds what is missing
    missing = [
        name
        for name in LLMVISION_REQUIREMENTS
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        sys.exit(
            f"LLM Vision needs {', '.join(missing)}, which this Python lacks:"
            " `pip install --target DIR aiosqlite==0.21.0 aiofile==3.9.0`, then"
            " --llmvision-packages DIR"
        )


async def _main(args: argparse.Namespace, version: str | None) -> int:
    cases = [*OURS, *HOME_ASSISTANT, *([THEIRS] if version else [])]
    runs: list[RunResult] = []
    async with servers(1, 0.0) as running:
        for index in range(args.runs):
            settings = RunSettings(
                index=index,
                ollama_url=running.urls[0],
                image_url=running.image_url,
                calls=args.calls,
                llmvision=str(args.llmvision) if args.llmvision else None,
                profile=args.profile,
                recorder_exclude=args.recorder_exclude,
            )
            run = await _one_run(settings, running)
            _print_run(run, index + 1, cases)
            runs.append(run)
    print(f"components set up in run 1: {', '.join(runs[0].components)}")
    _print_table(runs, version)
    _print_cpu(runs, cases)
    if args.profile:
        _print_profile(runs, cases, args.calls)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    if version is None:
        print("LLM Vision: not run (no --llmvision), so no target was checked.")
        return 0
    print("Targets (camera entity, same run):")
    missed = _check_targets(runs)
    _print_new_name_floor(runs)
    if not missed:
        print("All targets met.")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--llmvision", type=Path, help="LLM Vision's integration folder"
    )
    parser.add_argument(
        "--llmvision-packages",
        type=Path,
        help="a folder with aiosqlite and aiofile, when this Python lacks them",
    )
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--recorder-exclude",
        action="store_true",
        help="keep the bench's entities and events out of the recorder",
    )
    args = parser.parse_args()
    version = None
    if args.llmvision:
        args.llmvision = args.llmvision.resolve()
        version = _llmvision_version(args.llmvision)
        _check_llmvision_requirements(args.llmvision_packages)
    print(
        f"cpus: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f};"
        f" Home Assistant {HA_VERSION}; Python {sys.version.split()[0]}"
    )
    print(
        f"{args.runs} runs, each a real Home Assistant booted from a throw-away"
        f" config folder; {args.calls} sequential calls per case; the simulated"
        " Ollama and the camera's image server each in a process of its own"
    )
    return asyncio.run(_main(args, version))


if __name__ == "__main__":
    sys.exit(main())
