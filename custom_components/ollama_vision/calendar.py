"""The setup's timeline as a calendar: one event per analysis."""

from datetime import datetime
import re
from typing import override

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import OllamaVisionEntity
from .runtime import OllamaVisionConfigEntry
from .timeline.store import TimelineEntry

PARALLEL_UPDATES = 0

MAX_SUMMARY_SENTENCE = 120
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n")


def first_sentence(text: str) -> str:
    """The first sentence of a description, cut short if it runs on."""
    sentence = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()
    if len(sentence) <= MAX_SUMMARY_SENTENCE:
        return sentence
    return sentence[: MAX_SUMMARY_SENTENCE - 1].rstrip() + "…"


def calendar_event(entry: TimelineEntry) -> CalendarEvent:
    """An analysis as an event at the moment it finished."""
    return CalendarEvent(
        start=entry.analyzed_at,
        end=entry.analyzed_at,
        summary=f"{entry.image_name}: {first_sentence(entry.description)}",
        description=entry.description,
        uid=str(entry.id),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One timeline calendar per setup."""
    async_add_entities([TimelineCalendar(entry)])


class TimelineCalendar(OllamaVisionEntity, CalendarEntity):
    """Every analysis of the setup, on a calendar."""

    _attr_translation_key = "timeline"

    def __init__(self, entry: OllamaVisionConfigEntry) -> None:
        """The calendar of the setup's timeline."""
        super().__init__(entry, "timeline")
        self._timeline = entry.runtime_data.timeline

    @override
    async def async_added_to_hass(self) -> None:
        """Show each new analysis as the latest event."""
        self.async_on_remove(
            self._timeline.async_add_listener(self.async_write_ha_state)
        )

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """The latest analysis (all of a timeline's events lie in the past)."""
        latest = self._timeline.latest
        return calendar_event(latest) if latest is not None else None

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """The analyses from `start_date` up to `end_date`."""
        return await self._timeline.async_between(start_date, end_date, calendar_event)
