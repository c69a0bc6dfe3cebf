"""The setup's timeline as a calendar: one event per analysis."""

from datetime import datetime
from typing import override

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TIMELINE_KEY, OllamaVisionEntity
from .runtime import OllamaVisionConfigEntry
from .timeline.store import TimelineEntry

PARALLEL_UPDATES = 0


def calendar_event(entry: TimelineEntry, title: str) -> CalendarEvent:
    """An analysis as an event at the moment it finished, titled as on the card."""
    return CalendarEvent(
        start=entry.analyzed_at,
        end=entry.analyzed_at,
        summary=f"{entry.image_name}: {title}",
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
        super().__init__(entry, TIMELINE_KEY)
        self._timeline = entry.runtime_data.timeline
        # The latest analysis and its event: a state write reads `event` three
        # times (state, attributes, the next-event timer), once per analysis here.
        self._latest: tuple[TimelineEntry, CalendarEvent] | None = None

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
        if latest is None:
            return None
        if self._latest is None or self._latest[0] is not latest:
            self._latest = (
                latest,
                calendar_event(latest, self._timeline.title(latest)),
            )
        return self._latest[1]

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """The analyses from `start_date` up to `end_date`."""
        return await self._timeline.async_between(
            start_date,
            end_date,
            lambda entry: calendar_event(entry, self._timeline.title(entry)),
        )
