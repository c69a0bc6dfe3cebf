"""One setup's timeline in an SQLite file.

Why SQLite (the standard library's `sqlite3`) and not Home Assistant's `Store`:
`Store` keeps everything in memory and rewrites the whole JSON file on every
save, so with 10,000+ analyses each new one would rewrite megabytes and start-up
would parse them all. SQLite appends a row, answers a day's range from an index
on the analysis time without reading the rest, and opens in a millisecond.
Every method blocks: call them from the executor, never from the event loop.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
import json
from pathlib import Path
import sqlite3
import threading
from typing import Any

# 2: the importance column.
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    id INTEGER PRIMARY KEY,
    analyzed_at REAL NOT NULL,
    image_name TEXT NOT NULL,
    description TEXT NOT NULL,
    data TEXT,
    snapshot TEXT,
    snapshot_bytes INTEGER NOT NULL DEFAULT 0,
    importance TEXT
);
CREATE INDEX IF NOT EXISTS analyses_by_time ON analyses (analyzed_at);
"""
# Columns later versions added to a file an earlier one made, with their type.
_ADDED_COLUMNS = {"importance": "TEXT"}
_COLUMNS = "id, analyzed_at, image_name, description, data, snapshot, importance"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One recorded analysis."""

    id: int
    analyzed_at: datetime
    image_name: str
    description: str
    data: Any  # the structured answer, when the call asked for a structure
    snapshot: str | None  # path relative to the media folder
    importance: str | None = None  # the level, when the call asked for one


def _entry(row: tuple[Any, ...]) -> TimelineEntry:
    return TimelineEntry(
        id=row[0],
        analyzed_at=datetime.fromtimestamp(row[1], UTC),
        image_name=row[2],
        description=row[3],
        data=json.loads(row[4]) if row[4] is not None else None,
        snapshot=row[5],
        importance=row[6],
    )


class TimelineStore:
    """The analyses of one setup, by time."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # Executor threads take turns on one connection, guarded by the lock.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            # WAL: a write appends to a log instead of rewriting pages twice.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._migrate()
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _migrate(self) -> None:
        """Add the columns a file from an earlier version lacks (its rows get NULL)."""
        present = {row[1] for row in self._db.execute("PRAGMA table_info(analyses)")}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in present:
                self._db.execute(f"ALTER TABLE analyses ADD COLUMN {column} {kind}")

    def close(self) -> None:
        """Close the file; later calls fail with sqlite3.ProgrammingError."""
        with self._lock:
            self._db.close()

    def add(
        self,
        *,
        analyzed_at: datetime,
        image_name: str,
        description: str,
        data: Any,
        snapshot: str | None,
        snapshot_bytes: int,
        importance: str | None = None,
    ) -> TimelineEntry:
        """Record an analysis."""
        encoded = json.dumps(data) if data is not None else None
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO analyses (analyzed_at, image_name, description, data,"
                " snapshot, snapshot_bytes, importance) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    analyzed_at.timestamp(),
                    image_name,
                    description,
                    encoded,
                    snapshot,
                    snapshot_bytes,
                    importance,
                ),
            )
        assert cursor.lastrowid is not None
        return TimelineEntry(
            cursor.lastrowid,
            analyzed_at,
            image_name,
            description,
            data,
            snapshot,
            importance,
        )

    def between(self, start: datetime, end: datetime) -> list[TimelineEntry]:
        """The analyses from `start` (included) to `end` (excluded), oldest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM analyses"
                " WHERE analyzed_at >= ? AND analyzed_at < ? ORDER BY analyzed_at",
                (start.timestamp(), end.timestamp()),
            ).fetchall()
        return [_entry(row) for row in rows]

    def latest(self) -> TimelineEntry | None:
        """The newest analysis."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM analyses ORDER BY analyzed_at DESC LIMIT 1"
            ).fetchone()
        return _entry(row) if row is not None else None

    def delete_before(self, before: datetime | None) -> tuple[int, list[str]]:
        """Delete the analyses older than `before` (None: all of them).

        Returns how many went, and their snapshots for the caller to delete.
        """
        limit = before.timestamp() if before is not None else float("inf")
        with self._lock:
            snapshots = [
                row[0]
                for row in self._db.execute(
                    "SELECT snapshot FROM analyses"
                    " WHERE analyzed_at < ? AND snapshot IS NOT NULL",
                    (limit,),
                )
            ]
            deleted = self._db.execute(
                "DELETE FROM analyses WHERE analyzed_at < ?", (limit,)
            ).rowcount
        return deleted, snapshots

    def trim_snapshots(self, max_bytes: int) -> list[str]:
        """Drop the oldest snapshots until the rest fit in `max_bytes`.

        The analyses stay on the timeline without a picture; returns the
        snapshots for the caller to delete.
        """
        with self._lock:
            (total,) = self._db.execute(
                "SELECT COALESCE(SUM(snapshot_bytes), 0) FROM analyses"
                " WHERE snapshot IS NOT NULL"
            ).fetchone()
            if total <= max_bytes:
                return []
            dropped: list[str] = []
            ids: list[int] = []
            for row_id, snapshot, size in self._db.execute(
                "SELECT id, snapshot, snapshot_bytes FROM analyses"
                " WHERE snapshot IS NOT NULL ORDER BY analyzed_at"
            ):
                if total <= max_bytes:
                    break
                total -= size
                ids.append(row_id)
                dropped.append(snapshot)
            self._db.executemany(
                "UPDATE analyses SET snapshot = NULL, snapshot_bytes = 0 WHERE id = ?",
                [(row_id,) for row_id in ids],
            )
        return dropped
