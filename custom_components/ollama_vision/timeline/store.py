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

from ..sources.pictures import SentFrame
from .query import CASEFOLD_FUNCTION, TimelineFilter

# The file's layout, in `PRAGMA user_version`; each step below brings a file
# of the version before it up to its own.
SCHEMA_VERSION = 3
_SCHEMA = """
CREATE TABLE analyses (
    id INTEGER PRIMARY KEY,
    analyzed_at REAL NOT NULL,
    image_name TEXT NOT NULL,
    description TEXT NOT NULL,
    data TEXT,
    snapshot TEXT,
    snapshot_bytes INTEGER NOT NULL DEFAULT 0,
    frames TEXT,
    importance TEXT
);
CREATE INDEX analyses_by_time ON analyses (analyzed_at);
CREATE INDEX analyses_by_image ON analyses (image_name, analyzed_at);
"""
_MIGRATIONS = {
    # 2: the pictures each analysis was given (a clip's frames and their
    # times), and an index for the timeline's image-name filter.
    2: """
ALTER TABLE analyses ADD COLUMN frames TEXT;
CREATE INDEX analyses_by_image ON analyses (image_name, analyzed_at);
""",
    # 3: the importance the model gave, when the call asked for one.
    3: """
ALTER TABLE analyses ADD COLUMN importance TEXT;
""",
}
_COLUMNS = (
    "id, analyzed_at, image_name, description, data, snapshot, frames, importance"
)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One recorded analysis."""

    id: int
    analyzed_at: datetime
    image_name: str
    description: str
    data: Any  # the structured answer, when the call asked for a structure
    snapshot: str | None  # path relative to the media folder
    # The pictures the model got, in order (none recorded before version 2).
    frames: tuple[SentFrame, ...] = ()
    importance: str | None = None  # the level, when the call asked for one


def _entry(row: tuple[Any, ...]) -> TimelineEntry:
    return TimelineEntry(
        id=row[0],
        analyzed_at=datetime.fromtimestamp(row[1], UTC),
        image_name=row[2],
        description=row[3],
        data=json.loads(row[4]) if row[4] is not None else None,
        snapshot=row[5],
        frames=tuple(
            SentFrame(frame["source"], frame["time"])
            for frame in json.loads(row[6] or "[]")
        ),
        importance=row[7],
    )


class TimelineStore:
    """The analyses of one setup, by time."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the file, bringing an older one up to date."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # Executor threads take turns on one connection, guarded by the lock.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.create_function(CASEFOLD_FUNCTION, 1, _casefold, deterministic=True)
        self._lock = threading.Lock()
        # The bytes the recorded snapshots take, once added up: the trim after
        # each analysis then need not add up every row again (a sum over the
        # whole table: 2.5 ms per job at 10,000 analyses, bench_timeline.py).
        self._snapshot_bytes: int | None = None
        with self._lock:
            # WAL: a write appends to a log instead of rewriting pages twice.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._upgrade()

    def _upgrade(self) -> None:
        """Create the tables, or run the migrations the file has not had yet.

        Each runs in one transaction with its new version number, so a file
        is never left half migrated. A file from a newer release is left as
        it is: it has every column this one reads.
        """
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        (tables,) = self._db.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'analyses'"
        ).fetchone()
        if not tables:
            steps = {SCHEMA_VERSION: _SCHEMA}
        else:
            # Version 1 wrote its number at every open: 0 with a table is 1.
            steps = {
                number: script
                for number, script in sorted(_MIGRATIONS.items())
                if number > max(version, 1)
            }
        for number, script in steps.items():
            try:
                self._db.executescript(
                    f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;"
                )
            except sqlite3.Error:
                self._db.rollback()
                self._db.close()
                raise

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
        frames: tuple[SentFrame, ...] = (),
        importance: str | None = None,
    ) -> TimelineEntry:
        """Record an analysis."""
        encoded = json.dumps(data) if data is not None else None
        sent = json.dumps([{"source": f.source, "time": f.time} for f in frames])
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO analyses (analyzed_at, image_name, description, data,"
                " snapshot, snapshot_bytes, frames, importance)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    analyzed_at.timestamp(),
                    image_name,
                    description,
                    encoded,
                    snapshot,
                    snapshot_bytes,
                    sent,
                    importance,
                ),
            )
            if self._snapshot_bytes is not None and snapshot is not None:
                self._snapshot_bytes += snapshot_bytes
        assert cursor.lastrowid is not None
        return TimelineEntry(
            cursor.lastrowid,
            analyzed_at,
            image_name,
            description,
            data,
            snapshot,
            frames,
            importance,
        )

    def get(self, row_id: int) -> TimelineEntry | None:
        """One analysis by its id, if it is still there."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM analyses WHERE id = ?", (row_id,)
            ).fetchone()
        return _entry(row) if row is not None else None

    def between(self, start: datetime, end: datetime) -> list[TimelineEntry]:
        """The analyses from `start` (included) to `end` (excluded), oldest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM analyses"
                " WHERE analyzed_at >= ? AND analyzed_at < ? ORDER BY analyzed_at",
                (start.timestamp(), end.timestamp()),
            ).fetchall()
        return [_entry(row) for row in rows]

    def newest(
        self,
        matching: TimelineFilter,
        limit: int,
        before: tuple[float, int] | None = None,
    ) -> list[TimelineEntry]:
        """Up to `limit` analyses that match, newest first.

        `before` pages: only analyses that come after (analysis time, id) in
        this order, that is older ones, and at the same time, lower ids.
        """
        clauses, params = matching.sql()
        if before is not None:
            clauses.append("(analyzed_at < ? OR (analyzed_at = ? AND id < ?))")
            params += [before[0], before[0], before[1]]
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM analyses{where}"
                " ORDER BY analyzed_at DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [_entry(row) for row in rows]

    def count(self, matching: TimelineFilter) -> int:
        """How many analyses match."""
        clauses, params = matching.sql()
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            (found,) = self._db.execute(
                f"SELECT COUNT(*) FROM analyses{where}", params
            ).fetchone()
        return int(found)

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
            self._snapshot_bytes = None  # added up again at the next trim
        return deleted, snapshots

    def trim_snapshots(self, max_bytes: int) -> list[str]:
        """Drop the oldest snapshots until the rest fit in `max_bytes`.

        The analyses stay on the timeline without a picture; returns the
        snapshots for the caller to delete.
        """
        with self._lock:
            total = self._snapshot_bytes
            if total is None:
                (total,) = self._db.execute(
                    "SELECT COALESCE(SUM(snapshot_bytes), 0) FROM analyses"
                    " WHERE snapshot IS NOT NULL"
                ).fetchone()
            self._snapshot_bytes = total
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
            self._snapshot_bytes = total
        return dropped


def _casefold(text: str | None) -> str | None:
    """SQLite's own lower() knows only ASCII: "Ø" and "ø" would differ."""
    return text.casefold() if text is not None else None
