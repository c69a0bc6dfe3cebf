"""The tool `search_camera_history`: what the timelines recorded in a period.

It reads the timelines as the dashboard card does (the same filter and the
same newest-first order across setups), and answers with a few dozen entries
at most, cut to what a conversation's context holds beside everything else.
"""

from datetime import datetime, timedelta
from typing import Any, Final, override

import probatio as vol

from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType, JsonValueType

from ..timeline.query import TimelineFilter
from ..timeline.recorder import async_newest_of
from ..timeline.store import TimelineEntry
from ..timeline.summary import newest_within, one_line
from .access import CheckedTool, async_readable_setups, refusal

NAME: Final = "search_camera_history"
MAX_ENTRIES: Final = 50
# The whole answer stays near 2,000 tokens: conversation agents often run
# with a context of 8,192 (core's Ollama), which the history shares.
ANSWER_CHARACTERS: Final = 8000
MAX_DESCRIPTION_CHARACTERS: Final = 400


class SearchCameraHistoryTool(CheckedTool):
    """Entries of the timelines, newest first, for questions about the past."""

    name = NAME
    title = "Search camera history"
    description = (
        "Search what the home's cameras saw earlier: the analyses on the "
        "timeline, newest first, each with its time, image name (the camera or "
        "place) and description. Without start and end it searches today. "
        "Use it for questions about the past, such as when someone came."
    )
    parameters = vol.Schema(
        {
            vol.Optional(
                "start",
                description="From this local date or time, in ISO 8601 "
                "(2026-11-05 or 2026-11-05T08:00:00). Default: the start of the "
                "day the search ends in.",
            ): str,
            vol.Optional(
                "end",
                description="Up to this local date or time, in ISO 8601; a date "
                "alone includes that whole day. Default: now.",
            ): str,
            vol.Optional(
                "image_name",
                description="Only this image name (one of those the prompt lists).",
            ): str,
            vol.Optional(
                "text",
                description="Only descriptions holding every one of these words, "
                "in any case. The descriptions are a model's words: search for "
                "one plain word (person, car, parcel), or leave it out.",
            ): str,
        }
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )

    @override
    async def async_answer(
        self,
        hass: HomeAssistant,
        arguments: dict[str, Any],
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """The matching entries of every timeline the conversation may read."""
        try:
            end = _moment(arguments.get("end"), is_end=True)
            start = _moment(arguments.get("start"), is_end=False)
        except ValueError as err:
            field = str(err)
            return refusal(
                f"timeline_invalid_{field}", {"value": str(arguments[field])}
            )
        until = end or dt_util.now()
        if start is None:
            start = dt_util.start_of_local_day(
                dt_util.as_local(until - timedelta(microseconds=1)).date()
            )
        if start >= until:
            return refusal(
                "timeline_invalid_range",
                {"start": start.isoformat(), "end": until.isoformat()},
            )
        name = arguments.get("image_name", "").strip()
        matching = TimelineFilter.of(
            start=start,
            end=end,
            image_names=(name,) if name else (),
            search=arguments.get("text", ""),
        )
        setups = await async_readable_setups(hass, llm_context)
        found, more = await async_newest_of(
            (setup.runtime_data.timeline for setup in setups), matching, MAX_ENTRIES
        )
        items = [_item(entry) for _timeline, entry in found]
        kept = newest_within(items, lambda item: len(str(item)), ANSWER_CHARACTERS)
        entries: list[JsonValueType] = [*kept]
        return llm.ToolResult(
            data={
                "start": dt_util.as_local(start).isoformat(),
                "end": dt_util.as_local(until).isoformat(),
                "entries": entries,
                # Older entries match too: a narrower search finds them.
                "more": more or len(kept) < len(items),
            }
        )


def _moment(value: str | None, *, is_end: bool) -> datetime | None:
    """A local date or time from ISO 8601; a date alone means its whole day.

    Raises ValueError naming the field when the text is neither.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    # A date first: parse_datetime would read it as its midnight.
    if (day := dt_util.parse_date(text)) is not None:
        return dt_util.start_of_local_day(day + timedelta(days=1) if is_end else day)
    if (moment := dt_util.parse_datetime(text)) is not None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt_util.get_default_time_zone())
        return moment
    raise ValueError("end" if is_end else "start")


def _item(entry: TimelineEntry) -> JsonObjectType:
    return {
        "time": dt_util.as_local(entry.analyzed_at).isoformat(timespec="seconds"),
        "image_name": entry.image_name,
        "description": one_line(entry.description, MAX_DESCRIPTION_CHARACTERS),
    }
