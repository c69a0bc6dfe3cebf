"""Benchmark the timeline with 10,000 recorded analyses.

Run with `.venv/bin/python bench/bench_timeline.py` from the repository root.
It records ANALYSES analyses spread over DAYS days in a fresh timeline file,
then measures, as the median of RUNS runs (the fastest of ROUNDS rounds, so a
burst of other work on a shared 2-core machine does not decide the result):

- the calendar's range query for one day: what `async_get_events` does (in
  the executor) for the calendar panel's day view, from the SQL query to Home
  Assistant's `CalendarEvent` objects, and the SQL query alone;
- the start-up cost: what a setup does before its calendar can answer: open
  the file, clean by retention and disk cap, read the latest analysis;
- one analysis recorded as a job records it (in the executor): its row, then
  the disk cap's check (the store counts the snapshots' bytes once, then keeps
  the total); reported, with no target of its own.

It exits non-zero when a figure misses its target.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
import random
import statistics
import sys
import tempfile
import time
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.ollama_vision.calendar import calendar_event
from custom_components.ollama_vision.timeline.store import TimelineStore
from custom_components.ollama_vision.timeline.title import AnswerWords, entry_title

# The calendar's titles as Home Assistant in English words them.
TITLE_WORDS: Final = AnswerWords()

ANALYSES: Final = 10_000
DAYS: Final = 7  # the default retention: every analysis is still kept
RUNS: Final = 21
ROUNDS: Final = 3
MAX_QUERY_MS: Final = 50.0
MAX_STARTUP_MS: Final = 200.0
SNAPSHOT_BYTES: Final = 60_000
DISK_CAP: Final = 500 * 1024 * 1024

WORDS: Final = (
    *("a", "person", "in", "a", "dark", "jacket", "stands", "at", "the", "door"),
    *("holding", "a", "parcel", "while", "a", "grey", "cat", "watches"),
    *("from", "the", "window", "and", "a", "car", "passes", "by"),
)


def description(rng: random.Random) -> str:
    """Two or three sentences, as a vision model answers."""
    sentences = [
        " ".join(rng.choices(WORDS, k=rng.randint(10, 22))).capitalize() + "."
        for _ in range(rng.randint(2, 3))
    ]
    return " ".join(sentences)


def fill(path: Path, start: datetime) -> None:
    """Record the analyses, evenly over the days, as the integration does."""
    rng = random.Random(12)
    store = TimelineStore(path)
    step = timedelta(days=DAYS) / ANALYSES
    for number in range(ANALYSES):
        at = start + step * number
        store.add(
            analyzed_at=at,
            image_name=rng.choice(("front_door", "driveway", "garden", "parcel")),
            description=description(rng),
            data=None,
            snapshot=f"ollama_vision/front_door/{at:%Y-%m-%d}/{at:%H%M%S}_{number}.jpg",
            snapshot_bytes=SNAPSHOT_BYTES,
        )
    store.close()


def median_ms(work: object) -> float:
    """The median wall-clock time of `work()`, fastest round of ROUNDS."""
    assert callable(work)
    rounds = []
    for _ in range(ROUNDS):
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        rounds.append(statistics.median(times))
    return min(rounds)


def main() -> int:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "timeline.db"
        fill(path, start)
        size_mb = path.stat().st_size / 1024 / 1024
        day = start + timedelta(days=3)
        store = TimelineStore(path)
        events: list[object] = []
        sql_ms = median_ms(lambda: store.between(day, day + timedelta(days=1)))

        def query() -> None:
            entries = store.between(day, day + timedelta(days=1))
            events[:] = [
                calendar_event(
                    entry, entry_title(entry.description, entry.data, TITLE_WORDS)
                )
                for entry in entries
            ]

        query_ms = median_ms(query)
        store.close()

        def start_up() -> None:
            opened = TimelineStore(path)
            opened.delete_before(start - timedelta(days=1))  # nothing expired
            opened.trim_snapshots(DISK_CAP)  # under the cap
            opened.latest()
            opened.close()

        startup_ms = median_ms(start_up)

        store = TimelineStore(path)
        store.trim_snapshots(DISK_CAP)  # as the setup's start-up did
        rng = random.Random(13)
        later = start + timedelta(days=DAYS)

        def record() -> None:
            store.add(
                analyzed_at=later,
                image_name="front_door",
                description=description(rng),
                data=None,
                snapshot=f"ollama_vision/front_door/{later:%Y-%m-%d}/next.jpg",
                snapshot_bytes=SNAPSHOT_BYTES,
            )
            store.trim_snapshots(DISK_CAP)

        record_ms = median_ms(record)
        store.close()

    print(f"{ANALYSES} analyses over {DAYS} days, file {size_mb:.1f} MB")
    print(
        f"one day's events ({len(events)}): {query_ms:.1f} ms median "
        f"(target <= {MAX_QUERY_MS:g} ms), of which the SQL query {sql_ms:.1f} ms"
    )
    print(f"start-up: {startup_ms:.1f} ms median (target <= {MAX_STARTUP_MS:g} ms)")
    print(f"one analysis recorded (row and disk-cap check): {record_ms:.2f} ms median")
    return 0 if query_ms <= MAX_QUERY_MS and startup_ms <= MAX_STARTUP_MS else 1


if __name__ == "__main__":
    sys.exit(main())
