"""The timeline's SQLite file: its migrations, and its queries against the filter."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3
import tempfile
from typing import Any

from hypothesis import example, given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ollama_vision.settings import TIMELINE_RETENTION_DAYS
from custom_components.ollama_vision.sources.pictures import SentFrame
from custom_components.ollama_vision.timeline.query import TimelineFilter
from custom_components.ollama_vision.timeline.recorder import database_path
from custom_components.ollama_vision.timeline.store import (
    SCHEMA_VERSION,
    TimelineEntry,
    TimelineStore,
)
from homeassistant.core import HomeAssistant

# The file as the first release of the timeline wrote it.
VERSION_1 = """
CREATE TABLE analyses (
    id INTEGER PRIMARY KEY,
    analyzed_at REAL NOT NULL,
    image_name TEXT NOT NULL,
    description TEXT NOT NULL,
    data TEXT,
    snapshot TEXT,
    snapshot_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX analyses_by_time ON analyses (analyzed_at);
PRAGMA user_version=1;
"""
T0 = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)


def version_1_file(path: Path) -> None:
    """A timeline file of version 1 with one analysis in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(VERSION_1)
    db.execute(
        "INSERT INTO analyses (analyzed_at, image_name, description, data,"
        " snapshot, snapshot_bytes) VALUES (?, 'door', 'A cat.', '{\"cats\": 1}',"
        " 'ollama_vision/front_door/2026-11-05/080000_door.jpg', 1234)",
        (T0.timestamp(),),
    )
    db.commit()
    db.close()


def schema_of(path: Path) -> tuple[int, set[str], set[str]]:
    """The file's version, columns and indexes."""
    db = sqlite3.connect(path)
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        columns = {row[1] for row in db.execute("PRAGMA table_info(analyses)")}
        indexes = {row[1] for row in db.execute("PRAGMA index_list(analyses)")}
    finally:
        db.close()
    return version, columns, indexes


def test_version_1_file_is_migrated(tmp_path: Path) -> None:
    """Its analyses stay, with no frames and no importance; new ones keep theirs."""
    path = tmp_path / "timeline.db"
    version_1_file(path)

    store = TimelineStore(path)
    (old,) = store.newest(TimelineFilter(), 10)
    assert old.image_name == "door"
    assert old.data == {"cats": 1}
    assert old.snapshot == "ollama_vision/front_door/2026-11-05/080000_door.jpg"
    assert old.frames == ()
    assert old.importance is None
    new = store.add(
        analyzed_at=T0 + timedelta(minutes=1),
        image_name="door",
        description="A dog.",
        data=None,
        snapshot=None,
        snapshot_bytes=0,
        frames=(SentFrame("clip.mp4", 0.0), SentFrame("clip.mp4", 2.5)),
        importance="time_sensitive",
    )
    store.close()

    version, columns, indexes = schema_of(path)
    assert version == SCHEMA_VERSION == 3
    assert {"frames", "importance"} <= columns
    assert {"analyses_by_time", "analyses_by_image"} <= indexes
    # Opening again migrates nothing twice.
    store = TimelineStore(path)
    assert store.get(new.id) == new
    assert [e.id for e in store.newest(TimelineFilter(), 10)] == [new.id, old.id]
    assert [e.importance for e in store.newest(TimelineFilter(), 10)] == [
        "time_sensitive",
        None,
    ]
    store.close()


def test_version_2_file_gains_the_importance_column(tmp_path: Path) -> None:
    """A file of version 2 (frames, no importance) takes only the step it lacks."""
    path = tmp_path / "timeline.db"
    version_1_file(path)
    db = sqlite3.connect(path)
    db.executescript(
        "ALTER TABLE analyses ADD COLUMN frames TEXT;"
        "CREATE INDEX analyses_by_image ON analyses (image_name, analyzed_at);"
        "PRAGMA user_version=2;"
    )
    db.close()

    store = TimelineStore(path)
    (old,) = store.newest(TimelineFilter(), 10)
    store.close()
    assert (old.image_name, old.frames, old.importance) == ("door", (), None)
    version, columns, _ = schema_of(path)
    assert version == 3
    assert "importance" in columns


def test_a_new_file_is_made_whole_at_once(tmp_path: Path) -> None:
    """A new file has every column of this version: nothing left to migrate."""
    TimelineStore(tmp_path / "new.db").close()
    version, columns, _ = schema_of(tmp_path / "new.db")
    assert version == SCHEMA_VERSION
    assert {"frames", "importance"} <= columns


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """One transaction: a step that fails keeps version 1 and its rows."""
    path = tmp_path / "timeline.db"
    version_1_file(path)
    db = sqlite3.connect(path)
    # Makes step 2's ALTER TABLE fail after nothing else has run.
    db.execute("ALTER TABLE analyses ADD COLUMN frames TEXT")
    db.commit()
    db.close()
    with pytest.raises(sqlite3.OperationalError, match="duplicate column"):
        TimelineStore(path)
    version, _columns, indexes = schema_of(path)
    assert version == 1
    assert "analyses_by_image" not in indexes
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM analyses").fetchone() == (1,)
    db.close()


def test_new_file_and_newer_file(tmp_path: Path) -> None:
    """A new file starts at the current version; one of a later release is
    opened as it is, without lowering its version."""
    TimelineStore(tmp_path / "new.db").close()
    assert schema_of(tmp_path / "new.db")[0] == SCHEMA_VERSION
    TimelineStore(tmp_path / "later.db").close()
    db = sqlite3.connect(tmp_path / "later.db")
    db.execute("PRAGMA user_version=7")
    db.close()
    store = TimelineStore(tmp_path / "later.db")
    assert store.newest(TimelineFilter(), 1) == []
    store.close()
    assert schema_of(tmp_path / "later.db")[0] == 7


def test_search_folds_case_beyond_ascii(tmp_path: Path) -> None:
    """ "ÆRFUGL" finds "ærfugl", as "STRASSE" finds "Straße"."""
    store = TimelineStore(tmp_path / "t.db")
    for number, text in enumerate(("En ærfugl på brygga.", "Die Straße ist leer.")):
        store.add(
            analyzed_at=T0 + timedelta(seconds=number),
            image_name="x",
            description=text,
            data=None,
            snapshot=None,
            snapshot_bytes=0,
        )
    found = store.newest(TimelineFilter.of(search="ÆRFUGL"), 10)
    assert [e.description for e in found] == ["En ærfugl på brygga."]
    found = store.newest(TimelineFilter.of(search="STRASSE"), 10)
    assert [e.description for e in found] == ["Die Straße ist leer."]
    store.close()


async def test_setup_reads_its_migrated_file(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A timeline written by the previous release shows on the card's API."""
    # Kept for ever: the analysis's day may be long past.
    entry = make_entry(**{TIMELINE_RETENTION_DAYS.key: 0})
    version_1_file(database_path(hass, entry.entry_id))
    assert await hass.config_entries.async_setup(entry.entry_id)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "ollama_vision/timeline/list", "start": T0.isoformat()}
    )
    (listed,) = (await client.receive_json())["result"]["entries"]
    assert listed["frames"] == []
    assert listed["title"] == "Cats: 1"
    assert listed["time"] == T0.isoformat()


NAMES = ("door", "garden", "drive")
WORDS = ("cat", "Dog", "CAR", "ærfugl", "parcel")


@st.composite
def timelines(draw: st.DrawFn) -> list[tuple[int, str, str]]:
    """Analyses as (minutes after T0, image name, description)."""
    return draw(
        st.lists(
            st.tuples(
                st.integers(0, 30),
                st.sampled_from(NAMES),
                st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
            ),
            max_size=25,
        )
    )


@st.composite
def filters(draw: st.DrawFn) -> TimelineFilter:
    minutes = st.none() | st.integers(-1, 31)
    start, end = draw(minutes), draw(minutes)
    return TimelineFilter.of(
        start=T0 + timedelta(minutes=start) if start is not None else None,
        end=T0 + timedelta(minutes=end) if end is not None else None,
        image_names=draw(st.sets(st.sampled_from(NAMES))),
        search=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=2))).upper(),
    )


def _newest_first(found: list[TimelineEntry]) -> list[TimelineEntry]:
    return sorted(found, key=lambda e: (e.analyzed_at, e.id), reverse=True)


@given(timelines(), filters(), st.integers(1, 6))
def test_sql_agrees_with_the_filter(
    analyses: list[tuple[int, str, str]], matching: TimelineFilter, limit: int
) -> None:
    """What the store finds, page by page, is what `matches` lets through,
    newest first, and what it counts: a list and a subscription with one
    filter agree."""
    with tempfile.TemporaryDirectory() as folder:
        store = TimelineStore(Path(folder) / "t.db")
        added = [
            store.add(
                analyzed_at=T0 + timedelta(minutes=minute),
                image_name=name,
                description=text,
                data=None,
                snapshot=None,
                snapshot_bytes=0,
            )
            for minute, name, text in analyses
        ]
        pages: list[TimelineEntry] = []
        before: tuple[float, int] | None = None
        while page := store.newest(matching, limit, before):
            pages += page
            before = (page[-1].analyzed_at.timestamp(), page[-1].id)
        counted = store.count(matching)
        store.close()
    assert pages == _newest_first([e for e in added if matching.matches(e)])
    assert counted == len(pages)


# What a timeline goes through: an analysis (minutes from T0, snapshot bytes or
# none), a trim to a cap, a clean of everything before a minute, a restart.
_STEPS = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 60), st.none() | st.integers(1, 50)),
    st.tuples(st.just("trim"), st.integers(0, 200)),
    st.tuples(st.just("clean"), st.integers(0, 60)),
    st.tuples(st.just("reopen")),
)


@given(st.lists(_STEPS, max_size=40))
# A total kept up with each new snapshot, and counted again after a clean.
@example([("add", 0, 10), ("trim", 5), ("add", 1, 10), ("trim", 5)])
@example([("add", 0, 10), ("trim", 100), ("clean", 5), ("add", 6, 4), ("trim", 5)])
def test_trims_keep_the_newest_snapshots_within_the_cap(
    steps: list[tuple[Any, ...]],
) -> None:
    """Each trim drops the oldest snapshots until the rest fit, whatever came
    before it (the store keeps their total rather than adding it up each time):
    against a list of what should be there."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.db"
        store = TimelineStore(path)
        kept: list[tuple[datetime, int, str]] = []  # (time, bytes, snapshot)
        for number, (step, *args) in enumerate(steps):
            if step == "add":
                minute, size = args
                at = T0 + timedelta(minutes=minute)
                snapshot = f"s/{number}.jpg" if size is not None else None
                store.add(
                    analyzed_at=at,
                    image_name="door",
                    description="A cat.",
                    data=None,
                    snapshot=snapshot,
                    snapshot_bytes=size or 0,
                )
                if snapshot is not None and size is not None:
                    kept.append((at, size, snapshot))
            elif step == "trim":
                (cap,) = args
                kept.sort(key=lambda row: row[0])
                expected: list[str] = []
                while sum(size for _, size, _ in kept) > cap:
                    expected.append(kept.pop(0)[2])
                dropped = store.trim_snapshots(cap)
                # Snapshots of one time may go in either order.
                assert sorted(dropped) == sorted(expected)
                assert len(dropped) == len(expected)
            elif step == "clean":
                (minute,) = args
                before = T0 + timedelta(minutes=minute)
                store.delete_before(before)
                kept = [row for row in kept if row[0] >= before]
            else:
                store.close()
                store = TimelineStore(path)
        store.close()
