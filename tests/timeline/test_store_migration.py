"""A timeline file from an earlier version opens, keeps its rows, and gains
the columns of this one."""

from datetime import UTC, datetime
from pathlib import Path
import sqlite3

from custom_components.ollama_vision.timeline.store import (
    SCHEMA_VERSION,
    TimelineStore,
)

# The file as version 1 of the store made it.
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
INSERT INTO analyses (analyzed_at, image_name, description, data, snapshot)
    VALUES (1700000000.0, 'porch', 'A parcel.', '{"parcel": true}', 'a/b.jpg');
PRAGMA user_version=1;
"""
BEFORE = datetime(2023, 11, 14, tzinfo=UTC)
AFTER = datetime(2030, 1, 1, tzinfo=UTC)


def version_1_file(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(VERSION_1)
    db.close()
    return path


def test_version_1_file_gains_the_importance_column(tmp_path: Path) -> None:
    """Old rows read with no importance; new rows keep theirs; the file says
    it is of this version now, and opening it again changes nothing."""
    path = version_1_file(tmp_path / "timeline.db")
    store = TimelineStore(path)
    try:
        (old,) = store.between(BEFORE, AFTER)
        assert (old.image_name, old.description, old.data, old.snapshot) == (
            "porch",
            "A parcel.",
            {"parcel": True},
            "a/b.jpg",
        )
        assert old.importance is None
        new = store.add(
            analyzed_at=datetime(2026, 11, 1, tzinfo=UTC),
            image_name="porch",
            description="A fox.",
            data=None,
            snapshot=None,
            snapshot_bytes=0,
            importance="time_sensitive",
        )
        assert new.importance == "time_sensitive"
    finally:
        store.close()

    store = TimelineStore(path)
    try:
        assert [entry.importance for entry in store.between(BEFORE, AFTER)] == [
            None,
            "time_sensitive",
        ]
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
    db.close()
    assert version == SCHEMA_VERSION == 2


def test_a_new_file_has_every_column(tmp_path: Path) -> None:
    """A new file is made whole at once: nothing left for a migration."""
    store = TimelineStore(tmp_path / "new.db")
    store.close()
    with sqlite3.connect(tmp_path / "new.db") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(analyses)")]
    db.close()
    assert columns[-1] == "importance"
