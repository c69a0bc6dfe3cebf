"""The timeline over Home Assistant's websocket API, for the dashboard card.

`ollama_vision/timeline/list` answers a page of entries, newest first;
`ollama_vision/timeline/subscribe` sends each new entry that fits the same
filters until the client unsubscribes or goes away. A reader sees the setups
whose timeline calendar they may read (an administrator: all of them).

Bad input (an unknown setup, a time that is not one, a limit out of range)
gets an error with a code and a message translated in translations/*.json.
"""

from datetime import datetime, timedelta
from typing import Any, Final

import probatio as vol

from homeassistant.auth.models import User
from homeassistant.auth.permissions.const import POLICY_READ
from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_INVALID_FORMAT,
    ERR_NOT_FOUND,
    ERR_UNAUTHORIZED,
)
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..entity import timeline_calendar_id
from ..runtime import OllamaVisionConfigEntry
from .query import Position, TimelineFilter, entry_key, parse_entry_key
from .recorder import (
    SIGNAL_TIMELINE_RECORDED,
    Timeline,
    TimelineClosedError,
    async_newest_of,
)
from .store import TimelineEntry

LIST: Final = f"{DOMAIN}/timeline/list"
SUBSCRIBE: Final = f"{DOMAIN}/timeline/subscribe"
DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 500
# Home Assistant's own lifetime for links it signs for media players. A card
# open longer lists again for new links (the server's signing key also
# changes at every restart, when the card reconnects and lists again).
SNAPSHOT_LINK_LIFETIME: Final = timedelta(hours=24)

# Loose types for what is checked below, so a bad value gets our translated
# message rather than the schema's generic one.
_FILTERS: Final[dict[str | vol.Marker, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): str,
    vol.Optional("start"): object,
    vol.Optional("end"): object,
    vol.Optional("image_names"): [str],
    vol.Optional("search"): str,
}


class TimelineRequestError(ServiceValidationError):
    """A request the timeline cannot answer; `code` is the websocket error code."""

    def __init__(
        self, code: str, key: str, placeholders: dict[str, str] | None = None
    ) -> None:
        """A translated error (translations' `exceptions.<key>`)."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders or {},
        )
        self.code = code


@callback
def async_setup_timeline_api(hass: HomeAssistant) -> None:
    """Register the commands (once, from the integration's `async_setup`)."""
    async_register_command(hass, _list_entries)
    async_register_command(hass, _subscribe_entries)


def _send_error(
    connection: ActiveConnection,
    msg: dict[str, Any],
    err: TimelineRequestError,
) -> None:
    connection.send_error(
        msg["id"],
        err.code,
        str(err),
        translation_key=err.translation_key,
        translation_domain=err.translation_domain,
        translation_placeholders=err.translation_placeholders,
    )


@websocket_command(
    {
        vol.Required("type"): LIST,
        **_FILTERS,
        vol.Optional("limit"): object,
        vol.Optional("before_id"): object,
    }
)
@async_response
async def _list_entries(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """A page of entries, newest first, and the id to ask for the next one."""
    try:
        setups = _setups(hass, connection.user, msg.get(ATTR_CONFIG_ENTRY_ID))
        matching = _filter(msg)
        limit = _limit(msg.get("limit", DEFAULT_LIMIT))
        before = await _position(setups, msg.get("before_id"))
    except TimelineRequestError as err:
        _send_error(connection, msg, err)
        return

    by_id = {setup.entry_id: setup for setup in setups}
    # A setup unloading meanwhile counts as if it had not been loaded.
    entries, more = await async_newest_of(
        (setup.runtime_data.timeline for setup in setups), matching, limit, before
    )
    next_key: str | None = None
    if more:
        last_timeline, last = entries[-1]
        next_key = entry_key(last_timeline.entry_id, last.id)
    connection.send_result(
        msg["id"],
        {
            "entries": [
                entry_json(hass, connection, by_id[timeline.entry_id], entry)
                for timeline, entry in entries
            ],
            "next": next_key,
        },
    )


@websocket_command({vol.Required("type"): SUBSCRIBE, **_FILTERS})
@callback
def _subscribe_entries(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """An event `{"entry": ...}` for each new entry that fits the filters.

    Setups that load (or reload) later are heard too. Home Assistant calls
    the undo when the client unsubscribes or its connection closes.
    """
    wanted = msg.get(ATTR_CONFIG_ENTRY_ID)
    try:
        if wanted is not None:
            _setup(hass, connection.user, wanted)
        matching = _filter(msg)
    except TimelineRequestError as err:
        _send_error(connection, msg, err)
        return

    @callback
    def recorded(timeline: Timeline, entry: TimelineEntry) -> None:
        if wanted is not None and timeline.entry_id != wanted:
            return
        setup: OllamaVisionConfigEntry | None = hass.config_entries.async_get_entry(
            timeline.entry_id
        )
        if (
            setup is None
            or not may_read(hass, connection.user, setup.entry_id)
            or not matching.matches(entry)
        ):
            return
        connection.send_event(
            msg["id"], {"entry": entry_json(hass, connection, setup, entry)}
        )

    connection.subscriptions[msg["id"]] = async_dispatcher_connect(
        hass, SIGNAL_TIMELINE_RECORDED, recorded
    )
    connection.send_result(msg["id"])


def entry_json(
    hass: HomeAssistant,
    connection: ActiveConnection,
    setup: OllamaVisionConfigEntry,
    entry: TimelineEntry,
) -> dict[str, Any]:
    """An entry as the API gives it, its snapshot link signed for the reader."""
    timeline = setup.runtime_data.timeline
    link = timeline.link(entry)
    return {
        "id": entry_key(setup.entry_id, entry.id),
        "config_entry_id": setup.entry_id,
        "setup": setup.title,
        "image_name": entry.image_name,
        "time": entry.analyzed_at.isoformat(),
        "title": timeline.title(entry),
        "description": entry.description,
        "data": entry.data,
        "frames": [{"source": f.source, "time": f.time} for f in entry.frames],
        "snapshot": link.media_id if link else None,
        # The browser loads it without a header: signed, as the reader.
        "snapshot_url": async_sign_path(
            hass,
            link.url,
            SNAPSHOT_LINK_LIFETIME,
            refresh_token_id=connection.refresh_token_id,
        )
        if link
        else None,
    }


def may_read(hass: HomeAssistant, user: User, entry_id: str) -> bool:
    """Whether `user` may read the setup's timeline calendar."""
    if user.is_admin:
        return True
    entity_id = timeline_calendar_id(hass, entry_id)
    return entity_id is not None and user.permissions.check_entity(
        entity_id, POLICY_READ
    )


def _setup(hass: HomeAssistant, user: User, entry_id: str) -> OllamaVisionConfigEntry:
    """The setup asked for by id, loaded and readable by `user`."""
    setup: OllamaVisionConfigEntry | None = hass.config_entries.async_get_entry(
        entry_id
    )
    if setup is None or setup.domain != DOMAIN:
        raise TimelineRequestError(
            ERR_NOT_FOUND,
            "timeline_setup_not_found",
            {"config_entry_id": entry_id},
        )
    if not may_read(hass, user, entry_id):
        raise TimelineRequestError(
            ERR_UNAUTHORIZED,
            "timeline_not_allowed",
            {"setup": setup.title},
        )
    if setup.state is not ConfigEntryState.LOADED:
        raise TimelineRequestError(
            "not_loaded", "timeline_setup_not_loaded", {"setup": setup.title}
        )
    return setup


def _setups(
    hass: HomeAssistant, user: User, entry_id: str | None
) -> list[OllamaVisionConfigEntry]:
    """The setup asked for, or every loaded one that `user` may read."""
    if entry_id is not None:
        return [_setup(hass, user, entry_id)]
    loaded: list[OllamaVisionConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    return [setup for setup in loaded if may_read(hass, user, setup.entry_id)]


def _time(msg: dict[str, Any], field: str) -> datetime | None:
    """An ISO 8601 time or date; without a time zone, Home Assistant's."""
    if (value := msg.get(field)) is None:
        return None
    moment = _parse_time(value) if isinstance(value, str) else None
    if moment is None:
        raise TimelineRequestError(
            ERR_INVALID_FORMAT, f"timeline_invalid_{field}", {"value": str(value)}
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_util.get_default_time_zone())
    return moment


def _parse_time(text: str) -> datetime | None:
    if (moment := dt_util.parse_datetime(text)) is not None:
        return moment
    day = dt_util.parse_date(text)
    return dt_util.start_of_local_day(day) if day is not None else None


def _filter(msg: dict[str, Any]) -> TimelineFilter:
    start, end = _time(msg, "start"), _time(msg, "end")
    if start is not None and end is not None and start >= end:
        raise TimelineRequestError(
            ERR_INVALID_FORMAT,
            "timeline_invalid_range",
            {"start": msg["start"], "end": msg["end"]},
        )
    return TimelineFilter.of(
        start=start,
        end=end,
        image_names=msg.get("image_names", ()),
        search=msg.get("search", ""),
    )


def _limit(value: Any) -> int:
    # JSON has one kind of number: a bool is not one, nor is 2.5.
    if isinstance(value, bool) or not isinstance(value, int | float):
        number = None
    else:
        number = int(value) if float(value).is_integer() else None
    if number is None or not 1 <= number <= MAX_LIMIT:
        raise TimelineRequestError(
            ERR_INVALID_FORMAT,
            "timeline_invalid_limit",
            {"value": str(value), "max": str(MAX_LIMIT)},
        )
    return number


async def _position(
    setups: list[OllamaVisionConfigEntry], before_id: Any
) -> Position | None:
    """Where the entry named by `before_id` sits: the next page starts after it."""
    if before_id is None:
        return None
    key = parse_entry_key(before_id) if isinstance(before_id, str) else None
    if key is None:
        raise TimelineRequestError(
            ERR_INVALID_FORMAT,
            "timeline_invalid_entry_id",
            {"value": str(before_id)},
        )
    setup_id, row_id = key
    entry: TimelineEntry | None = None
    for setup in setups:
        if setup.entry_id == setup_id:
            try:
                entry = await setup.runtime_data.timeline.async_get(row_id)
            except TimelineClosedError:
                entry = None
    if entry is None:
        raise TimelineRequestError(
            ERR_NOT_FOUND,
            "timeline_entry_not_found",
            {"value": before_id},
        )
    return Position.of(setup_id, entry)
