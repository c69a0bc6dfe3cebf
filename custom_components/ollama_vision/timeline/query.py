"""Which timeline entries a reader asked for, and their newest-first order.

A filter answers twice: as SQL for the entries already in a store, and as a
test for each new entry that a subscription hears of. Both read the same
fields the same way, so a list and a subscription with one filter agree.

Every setup has its own store, with its own ids: an entry is named by its
setup and id (`<config entry id>:<id>`), and entries of several setups are
ordered by their analysis time, then setup, then id, newest first.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import TimelineEntry

# The SQL function the store registers for case-insensitive search (Python's
# casefold, which knows more than ASCII).
CASEFOLD_FUNCTION = "ov_casefold"


@dataclass(frozen=True, slots=True)
class TimelineFilter:
    """Entries from `start` (included) to `end` (excluded), of some image
    names (none: all), whose description holds every word of `words`."""

    start: datetime | None = None
    end: datetime | None = None
    image_names: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        image_names: Iterable[str] = (),
        search: str = "",
    ) -> TimelineFilter:
        """A filter from what a reader typed: search words, in any case."""
        return cls(start, end, frozenset(image_names), tuple(search.casefold().split()))

    def matches(self, entry: TimelineEntry) -> bool:
        """Whether the filter lets `entry` through (as `sql` would)."""
        if self.start is not None and entry.analyzed_at < self.start:
            return False
        if self.end is not None and entry.analyzed_at >= self.end:
            return False
        if self.image_names and entry.image_name not in self.image_names:
            return False
        description = entry.description.casefold()
        return all(word in description for word in self.words)

    def sql(self) -> tuple[list[str], list[Any]]:
        """WHERE clauses (to join with AND) and their parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.start is not None:
            clauses.append("analyzed_at >= ?")
            params.append(self.start.timestamp())
        if self.end is not None:
            clauses.append("analyzed_at < ?")
            params.append(self.end.timestamp())
        if self.image_names:
            marks = ", ".join("?" * len(self.image_names))
            clauses.append(f"image_name IN ({marks})")
            params += sorted(self.image_names)
        for word in self.words:
            clauses.append(f"instr({CASEFOLD_FUNCTION}(description), ?) > 0")
            params.append(word)
        return clauses, params


def entry_key(setup_id: str, row_id: int) -> str:
    """The name of an entry among every setup's: `<config entry id>:<id>`."""
    return f"{setup_id}:{row_id}"


def parse_entry_key(key: str) -> tuple[str, int] | None:
    """The setup and id an entry's name holds; None when it is not one."""
    setup_id, _, row = key.rpartition(":")
    if not setup_id or not row.isdecimal():
        return None
    return setup_id, int(row)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where an entry sits in the order of every setup's entries."""

    analyzed_at: float
    setup_id: str
    row_id: int

    @classmethod
    def of(cls, setup_id: str, entry: TimelineEntry) -> Position:
        """The position of one setup's entry."""
        return cls(entry.analyzed_at.timestamp(), setup_id, entry.id)

    def bound_in(self, setup_id: str) -> tuple[float, int]:
        """The (time, id) a store's page of `setup_id` must stay below to
        hold only entries that come after this one.

        At the same time, a setup that sorts lower comes after this one with
        all of its entries, one that sorts higher with none of them.
        """
        if setup_id == self.setup_id:
            return self.analyzed_at, self.row_id
        return self.analyzed_at, _ALL_IDS if setup_id < self.setup_id else _NO_IDS


# Store ids are positive and at most SQLite's largest integer.
_ALL_IDS = 2**63 - 1
_NO_IDS = 0


def newest_first[T](
    pages: Iterable[Iterable[tuple[Position, T]]], limit: int
) -> tuple[list[tuple[Position, T]], bool]:
    """The first `limit` of several setups' pages, newest first, and whether
    there are more (each page holds up to `limit + 1` entries to tell)."""
    merged = sorted(
        (item for page in pages for item in page),
        key=lambda item: item[0],
        reverse=True,
    )
    return merged[:limit], len(merged) > limit
