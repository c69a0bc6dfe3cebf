"""A setup's timeline: every successful analysis, with its snapshot.

The analyses are kept in an SQLite file per setup (see store.py for
why), the pictures as JPEG files in the media folder (see snapshot_files.py). The
calendar entity shows the timeline; retention and a disk cap keep it small.
"""

import asyncio
from collections.abc import Callable, Iterable, Sequence
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from pathlib import Path
import sqlite3
import threading

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from homeassistant.util.signal_type import SignalType

from ..const import DOMAIN
from ..pipeline.job import AnalysisResult
from ..settings import TimelineSettings
from .query import Position, TimelineFilter, newest_first
from .snapshot_files import MediaFolder, SnapshotLink, SnapshotName, file_slug
from .store import TimelineEntry, TimelineStore
from .title import AnswerWords, entry_title

_LOGGER = logging.getLogger(__name__)

# Old analyses and pictures are cleaned at start and then once a day.
CLEAN_INTERVAL = timedelta(days=1)
# Sent with every entry a timeline records, whichever setup's: subscriptions
# listen once, and keep hearing a setup after it reloads (a new Timeline).
SIGNAL_TIMELINE_RECORDED: SignalType[Timeline, TimelineEntry] = SignalType(
    f"{DOMAIN}_timeline_recorded"
)
# Where a yes-or-no field's words are in translations/*.json.
_ANSWER_WORDS = f"component.{DOMAIN}.selector.yes_no.options."
# How long a result's signed snapshot link lets a browser load the picture
# without signing in (a notification's markdown picture is looked at soon).
SIGNED_SNAPSHOT_VALID = timedelta(days=1)
# Snapshot names a timeline remembers giving out: far more than one second's.
_NAMES_REMEMBERED = 64


def database_path(hass: HomeAssistant, entry_id: str) -> Path:
    """The setup's SQLite file, beside Home Assistant's own storage."""
    return Path(hass.config.path(STORAGE_DIR, DOMAIN, f"timeline_{entry_id}.db"))


@dataclass(frozen=True, slots=True)
class SnapshotChanges:
    """Snapshots a timeline wrote (one, and whose) and deleted, by media id."""

    written: str | None
    image_name: str | None
    deleted: frozenset[str]


class TimelineClosedError(Exception):
    """The setup unloaded: its timeline takes no more work."""


class Timeline:
    """Records a setup's analyses and answers what happened when."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        entry_id: str,
        store: TimelineStore,
        folder: MediaFolder,
        setup_slug: str,
        settings: TimelineSettings,
        words: AnswerWords,
    ) -> None:
        """Use an open store; `async_open` is the way to make one."""
        self._hass = hass
        self.entry_id = entry_id
        self._words = words
        self._store = store
        self._folder = folder
        self._setup_slug = setup_slug
        self._settings = settings
        self._listeners: list[CALLBACK_TYPE] = []
        self._snapshot_listeners: list[Callable[[SnapshotChanges], None]] = []
        self.latest: TimelineEntry | None = None
        # One unit of work at a time in the executor (a record, a clean...),
        # and closing waits for the one in flight: see `async_close`.
        self._work = threading.Lock()
        self._closed = False
        # The snapshot names given out lately, oldest first: a name has the
        # second in it, so only the last few can come again.
        self._names_given_out: dict[str, None] = {}

    @classmethod
    async def async_open(
        cls,
        hass: HomeAssistant,
        entry: ConfigEntry,
        name: str,
        settings: TimelineSettings,
    ) -> Timeline:
        """Open the setup's timeline and clean out what is too old."""
        store = await hass.async_add_executor_job(
            TimelineStore, database_path(hass, entry.entry_id)
        )
        translations = await async_get_translations(
            hass, hass.config.language, "selector", {DOMAIN}
        )
        english = AnswerWords()
        words = AnswerWords(
            yes=translations.get(f"{_ANSWER_WORDS}yes", english.yes),
            no=translations.get(f"{_ANSWER_WORDS}no", english.no),
        )
        timeline = cls(
            hass,
            entry_id=entry.entry_id,
            store=store,
            folder=MediaFolder.of(hass),
            setup_slug=file_slug(name, entry.entry_id),
            settings=settings,
            words=words,
        )
        await timeline.async_clean()
        return timeline

    async def async_close(self) -> None:
        """Close the file once the work in flight is done (the setup is unloading).

        Home Assistant runs the entry's unload callbacks (this is one) before
        it waits for the entry's tasks, so a daily clean may still be running:
        closing waits for it, and any work that comes later finds the timeline
        closed instead of a closed database.
        """
        await self._hass.async_add_executor_job(self._close)

    def _close(self) -> None:
        with self._work:
            self._closed = True
            self._store.close()

    async def _run[**P, T](
        self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run one unit of blocking work in the executor, alone."""

        def unit() -> T:
            with self._work:
                if self._closed:
                    raise TimelineClosedError
                return work(*args, **kwargs)

        return await self._hass.async_add_executor_job(unit)

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the timeline changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_add_snapshot_listener(
        self, listener: Callable[[SnapshotChanges], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` when the timeline writes a snapshot or deletes some."""
        self._snapshot_listeners.append(listener)
        return lambda: self._snapshot_listeners.remove(listener)

    def link(self, entry: TimelineEntry) -> SnapshotLink | None:
        """Where the entry's snapshot is, if it has one."""
        return self._folder.link(entry.snapshot) if entry.snapshot else None

    def title(self, entry: TimelineEntry) -> str:
        """The entry in one line, as the calendar and the card show it."""
        return entry_title(entry.description, entry.data, self._words)

    @callback
    def async_name_snapshot(
        self, result: AnalysisResult
    ) -> tuple[AnalysisResult, SnapshotName | None]:
        """The result with its snapshot's link, and the snapshot's name, before
        anything is on disk: `async_record` writes it next.

        So the image entity, the sensor and the event need not wait for the
        disk (issue 21: the executor hop, the file and the insert were about
        2.3 ms of each job). Without snapshots (or a picture) there is none.
        """
        picture = result.key_image if self._settings.snapshots else None
        if picture is None:
            return result, None
        name = self._folder.name(
            self._setup_slug,
            result.request.image_name,
            dt_util.as_local(result.analyzed_at),
            self._names_given_out,
        )
        self._names_given_out[name.relative] = None
        while len(self._names_given_out) > _NAMES_REMEMBERED:
            del self._names_given_out[next(iter(self._names_given_out))]
        link = self._with_signature(self._folder.link(name.relative))
        return dataclasses.replace(result, snapshot=link), name

    def _with_signature(self, link: SnapshotLink) -> SnapshotLink:
        return dataclasses.replace(link, signed_url=self._signed(link.url))

    async def async_record(
        self, result: AnalysisResult, name: SnapshotName | None
    ) -> AnalysisResult:
        """Record a result and write its snapshot under the name it was given;
        returns the result as recorded.

        A timeline that cannot be written (disk full, file gone) costs the
        analysis nothing: the result goes on without a snapshot, and those who
        were given its link hear that it is gone (the deletion listeners).
        """
        try:
            entry, deleted = await self._run(self._record, result, name)
        except OSError, sqlite3.Error, TimelineClosedError:
            _LOGGER.exception(
                "Could not record the analysis of %s on the timeline",
                result.request.image_name,
            )
            self._notify(deleted=[name.relative] if name is not None else [])
            return dataclasses.replace(result, snapshot=None)
        if self.latest is None or entry.analyzed_at >= self.latest.analyzed_at:
            # Records of one image name may end out of order (pipeline/queue.py).
            self.latest = entry
        if name is not None and entry.snapshot != name.relative:
            deleted = [*deleted, name.relative]  # not written, or trimmed at once
        self._notify(entry, deleted)
        async_dispatcher_send(self._hass, SIGNAL_TIMELINE_RECORDED, self, entry)
        if name is not None and entry.snapshot != name.relative:
            link = self.link(entry)  # another name, or none
            return dataclasses.replace(
                result, snapshot=self._with_signature(link) if link else None
            )
        return result

    def _signed(self, url: str) -> str:
        """The URL signed for the read-only content user, for a day: the least
        a browser that is not signed in may load it as."""
        from homeassistant.components.http.auth import async_sign_path

        return async_sign_path(
            self._hass, url, SIGNED_SNAPSHOT_VALID, use_content_user=True
        )

    def _record(
        self, result: AnalysisResult, name: SnapshotName | None
    ) -> tuple[TimelineEntry, list[str]]:
        snapshot: str | None = None
        picture = result.key_image
        if name is not None and picture is not None:
            try:
                snapshot = self._folder.write(name, picture)
            except OSError:
                # The text is still worth keeping when the picture cannot be.
                _LOGGER.exception(
                    "Could not save the snapshot of %s", result.request.image_name
                )
        entry = self._store.add(
            analyzed_at=result.analyzed_at,
            image_name=result.request.image_name,
            description=result.final_description,
            data=result.data,
            snapshot=snapshot,
            snapshot_bytes=len(picture) if snapshot and picture else 0,
            frames=result.frames,
            importance=result.importance,
        )
        dropped = self._trim()
        if entry.snapshot in dropped:
            # A picture larger than the whole cap does not stay.
            entry = dataclasses.replace(entry, snapshot=None)
        return entry, dropped

    async def async_between[T](
        self, start: datetime, end: datetime, convert: Callable[[TimelineEntry], T]
    ) -> list[T]:
        """The analyses from `start` up to `end`, oldest first, each converted.

        Converting in the executor too keeps a busy day (a thousand events and
        more) off the event loop.
        """

        def between() -> list[T]:
            return [convert(entry) for entry in self._store.between(start, end)]

        return await self._run(between)

    async def async_newest(
        self, matching: TimelineFilter, limit: int, before: Position | None
    ) -> list[TimelineEntry]:
        """Up to `limit` matching analyses, newest first, after `before`."""
        bound = before.bound_in(self.entry_id) if before is not None else None
        return await self._run(self._store.newest, matching, limit, bound)

    async def async_count(self, matching: TimelineFilter) -> int:
        """How many analyses match."""
        return await self._run(self._store.count, matching)

    async def async_get(self, row_id: int) -> TimelineEntry | None:
        """One analysis by its id, if it is still there."""
        return await self._run(self._store.get, row_id)

    @callback
    def async_clean_daily(self, entry: ConfigEntry) -> CALLBACK_TYPE:
        """Clean once a day while the setup is loaded; returns the way to stop."""

        @callback
        def clean(_now: datetime) -> None:
            # The setup's own task: unloading waits for it or cancels it.
            entry.async_create_task(self._hass, self.async_clean(), "timeline clean")

        return async_track_time_interval(self._hass, clean, CLEAN_INTERVAL)

    async def async_clean(self) -> None:
        """Forget what is older than the retention, and pictures over the cap."""
        days = self._settings.retention_days
        before = dt_util.utcnow() - timedelta(days=days) if days else None
        try:
            self.latest, deleted = await self._run(self._clean, before)
        except TimelineClosedError:
            _LOGGER.debug("The timeline closed before its clean could start")
            return
        self._notify(deleted=deleted)

    def _clean(self, before: datetime | None) -> tuple[TimelineEntry | None, list[str]]:
        deleted = []
        if before is not None:
            deleted = self._store.delete_before(before)[1]
            self._folder.delete(deleted)
        return self._store.latest(), deleted + self._trim()

    def _trim(self) -> list[str]:
        """Delete the oldest snapshots while they take more than the cap;
        returns them."""
        if not self._settings.max_snapshot_bytes:
            return []
        dropped = self._store.trim_snapshots(self._settings.max_snapshot_bytes)
        self._folder.delete(dropped)
        return dropped

    async def async_clear(self, before: datetime | None) -> int:
        """Forget the analyses before `before` (None: all); returns how many."""
        removed, self.latest, deleted = await self._run(self._clear, before)
        self._notify(deleted=deleted)
        return removed

    def _clear(
        self, before: datetime | None
    ) -> tuple[int, TimelineEntry | None, list[str]]:
        removed, snapshots = self._store.delete_before(before)
        self._folder.delete(snapshots)
        return removed, self._store.latest(), snapshots

    def _notify(
        self, recorded: TimelineEntry | None = None, deleted: Sequence[str] = ()
    ) -> None:
        """Tell the listeners: an entry recorded, snapshots deleted (by path)."""
        for listener in list(self._listeners):
            listener()
        written = self.link(recorded) if recorded is not None else None
        if written is None and not deleted:
            return
        changes = SnapshotChanges(
            written=written.media_id if written is not None else None,
            image_name=recorded.image_name if recorded is not None else None,
            deleted=frozenset(self._folder.link(path).media_id for path in deleted),
        )
        for snapshot_listener in list(self._snapshot_listeners):
            snapshot_listener(changes)


async def async_newest_of(
    timelines: Iterable[Timeline],
    matching: TimelineFilter,
    limit: int,
    before: Position | None = None,
) -> tuple[list[tuple[Timeline, TimelineEntry]], bool]:
    """Up to `limit` matching analyses of several setups, newest first (after
    `before`), and whether there are more.

    A timeline that closes meanwhile (its setup unloading) counts as empty.
    """

    async def page(
        timeline: Timeline,
    ) -> list[tuple[Position, tuple[Timeline, TimelineEntry]]]:
        try:
            # One more than asked for tells whether there are more.
            found = await timeline.async_newest(matching, limit + 1, before)
        except TimelineClosedError:
            return []
        return [
            (Position.of(timeline.entry_id, entry), (timeline, entry))
            for entry in found
        ]

    pages = await asyncio.gather(*(page(timeline) for timeline in timelines))
    entries, more = newest_first(pages, limit)
    return [found for _position, found in entries], more


async def async_remove_timeline(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed setup's timeline file and its snapshots."""
    path = database_path(hass, entry_id)

    def remove() -> None:
        if not path.exists():
            return
        store = TimelineStore(path)
        try:
            _removed, snapshots = store.delete_before(None)
        finally:
            store.close()
        MediaFolder.of(hass).delete(snapshots)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)

    await hass.async_add_executor_job(remove)
