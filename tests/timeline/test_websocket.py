"""The timeline over the websocket API: list, paging, filters, subscriptions,
who may read what, and errors a person can read."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.ollama_vision.const import DOMAIN
from custom_components.ollama_vision.settings import TIMELINE_SNAPSHOTS
from custom_components.ollama_vision.timeline.recorder import SIGNAL_TIMELINE_RECORDED
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import DATA_DISPATCHER
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.clips_factory import make_clip
from tests.conftest import analyze
from tests.image_server import ImageServer, make_jpeg

LIST = f"{DOMAIN}/timeline/list"
SUBSCRIBE = f"{DOMAIN}/timeline/subscribe"
RED_640 = "Image 1 is 640x480 pixels, mostly red."


def sentence(width: int, height: int, colour: str) -> str:
    """What the emulated vision model says about a one-colour picture."""
    return f"Image 1 is {width}x{height} pixels, mostly {colour}."


async def ask(client: MockHAClientWebSocket, **message: Any) -> dict[str, Any]:
    """One command; its whole answer (success, result or error)."""
    await client.send_json_auto_id(message)
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def entries(client: MockHAClientWebSocket, **filters: Any) -> dict[str, Any]:
    """A successful list's result."""
    answer = await ask(client, type=LIST, **filters)
    assert answer["success"], answer
    result: dict[str, Any] = answer["result"]
    return result


def picture(image_server: ImageServer, name: str, colour: tuple[int, int, int]) -> str:
    """A 320x240 picture of one colour on the image server; its URL."""
    image_server.add(f"/{name}.jpg", make_jpeg(320, 240, colour=colour))
    return image_server.url(f"/{name}.jpg")


RED = (220, 20, 20)
GREEN = (20, 200, 20)
BLUE = (20, 20, 220)


async def two_setups(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Front door and Garden, loaded (the first setup loads every entry)."""
    front, garden = make_entry("Front door"), make_entry("Garden")
    assert await hass.config_entries.async_setup(front.entry_id)
    await hass.async_block_till_done()
    return front, garden


@pytest.fixture
async def media(hass: HomeAssistant) -> None:
    """The media source's view, which serves the snapshots."""
    assert await async_setup_component(hass, "media_source", {})


async def test_list_newest_first_with_every_field(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    media: None,
    image_server: ImageServer,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three analyses, newest first; a browser loads each snapshot link as is,
    without a header, for at least an hour."""
    answers = []
    for name, colour in (("door", RED), ("garden", GREEN), ("drive", BLUE)):
        url = picture(image_server, name, colour)
        answers.append(
            await analyze(hass, response=True, image_url=url, image_name=name)
        )
        freezer.tick(timedelta(minutes=1))
    client = await hass_ws_client(hass)

    result = await entries(client)

    assert result["next"] is None
    assert [e["image_name"] for e in result["entries"]] == ["drive", "garden", "door"]
    newest, answer = result["entries"][0], answers[2]
    assert newest == {
        "id": newest["id"],
        "config_entry_id": setup_entry.entry_id,
        "setup": "Front door",
        "image_name": "drive",
        "time": answer["analyzed_at"],
        "title": sentence(320, 240, "blue"),
        "description": sentence(320, 240, "blue"),
        "data": None,
        "frames": [{"source": image_server.url("/drive.jpg"), "time": None}],
        "snapshot": answer["snapshot"],
        "snapshot_url": newest["snapshot_url"],
    }
    assert newest["id"].startswith(f"{setup_entry.entry_id}:")
    assert newest["snapshot_url"].startswith(f"{answer['snapshot_url']}?authSig=")
    browser = await hass_client_no_auth()
    freezer.tick(timedelta(minutes=59))
    for entry in result["entries"]:
        response = await browser.get(entry["snapshot_url"])
        assert response.status == 200, entry
        assert (await response.read()).startswith(b"\xff\xd8")
    # The plain path still needs a signed-in client.
    assert (await browser.get(answer["snapshot_url"])).status == 401


async def test_paging_across_setups(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two setups' analyses in one order, newest first, page after page; and
    analyses of the same instant are neither lost nor repeated."""
    front, garden = await two_setups(hass, make_entry)
    order: list[str] = []
    for number in range(7):
        setup = (front, garden)[number % 2]
        await analyze(
            hass,
            image_url=door_jpeg,
            image_name=f"shot{number}",
            config_entry_id=setup.entry_id,
            response=True,
        )
        order.append(f"shot{number}")
        # The last three at one instant: their order comes from setup and id.
        if number < 4:
            freezer.tick(timedelta(seconds=30))
    client = await hass_ws_client(hass)

    seen: list[str] = []
    ids: list[str] = []
    before: str | None = None
    pages = 0
    while True:
        page = await entries(
            client, limit=2, **({"before_id": before} if before else {})
        )
        pages += 1
        seen += [e["image_name"] for e in page["entries"]]
        ids += [e["id"] for e in page["entries"]]
        assert len(page["entries"]) <= 2
        if (before := page["next"]) is None:
            break
    assert pages == 4
    assert sorted(seen) == sorted(order)
    assert len(set(ids)) == 7
    assert seen[3:] == ["shot3", "shot2", "shot1", "shot0"]
    # At one instant, by setup then id: Front door's later one first.
    assert sorted(seen[:3]) == ["shot4", "shot5", "shot6"]
    assert seen.index("shot6") < seen.index("shot4")
    only_garden = await entries(client, config_entry_id=garden.entry_id)
    assert [e["image_name"] for e in only_garden["entries"]] == [
        "shot5",
        "shot3",
        "shot1",
    ]
    assert {e["setup"] for e in only_garden["entries"]} == {"Garden"}


async def test_filters(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Image names, words of the description in any case, a time window."""
    start = dt_util.now()
    for name, colour in (("door", RED), ("garden", GREEN), ("door", BLUE)):
        url = picture(image_server, f"{name}{colour[0]}", colour)
        await analyze(hass, response=True, image_url=url, image_name=name)
        freezer.tick(timedelta(hours=1))
    # Signed in now: the fixture's token has expired in those hours.
    client = await _client_of(hass, hass_ws_client, hass_admin_user)

    def names(result: dict[str, Any]) -> list[str]:
        return [e["description"].rsplit(" ", 1)[1] for e in result["entries"]]

    assert names(await entries(client, image_names=["door"])) == ["blue.", "red."]
    assert names(await entries(client, image_names=["garden", "door"])) == [
        "blue.",
        "green.",
        "red.",
    ]
    assert names(await entries(client, search="MOSTLY  Green")) == ["green."]
    assert names(await entries(client, search="mostly pixels")) == [
        "blue.",
        "green.",
        "red.",
    ]
    assert names(await entries(client, search="purple")) == []
    window = {
        "start": (start + timedelta(minutes=30)).isoformat(),
        "end": (start + timedelta(minutes=90)).isoformat(),
    }
    assert names(await entries(client, **window)) == ["green."]
    # Without a time zone: Home Assistant's.
    naive = (start + timedelta(minutes=90)).replace(tzinfo=None).isoformat()
    assert names(await entries(client, start=naive)) == ["blue."]
    # A date alone is that day's midnight: all of them come after the first's.
    day = start.date().isoformat()
    assert names(await entries(client, start=day)) == ["blue.", "green.", "red."]
    assert names(await entries(client, end=day)) == []


@pytest.mark.parametrize(
    ("message", "code", "key", "english"),
    [
        (
            {"config_entry_id": "nope"},
            "not_found",
            "timeline_setup_not_found",
            "There is no Ollama Vision setup with the ID nope",
        ),
        (
            {"start": "yesterday"},
            "invalid_format",
            "timeline_invalid_start",
            "The start yesterday is not a date and time",
        ),
        (
            {"end": 12},
            "invalid_format",
            "timeline_invalid_end",
            "The end 12 is not a date and time",
        ),
        (
            {"start": "2026-11-05T10:00:00+00:00", "end": "2026-11-05T09:00:00+00:00"},
            "invalid_format",
            "timeline_invalid_range",
            "The start 2026-11-05T10:00:00+00:00 is not before the end",
        ),
        (
            {"limit": 0},
            "invalid_format",
            "timeline_invalid_limit",
            "must be a whole number from 1 to 500, not 0",
        ),
        (
            {"limit": 501},
            "invalid_format",
            "timeline_invalid_limit",
            "from 1 to 500, not 501",
        ),
        (
            {"limit": "ten"},
            "invalid_format",
            "timeline_invalid_limit",
            "not ten",
        ),
        (
            {"limit": 2.5},
            "invalid_format",
            "timeline_invalid_limit",
            "not 2.5",
        ),
        (
            {"before_id": "42"},
            "invalid_format",
            "timeline_invalid_entry_id",
            "42 is not the ID of a timeline entry",
        ),
    ],
)
async def test_bad_requests_get_translated_errors(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    message: dict[str, Any],
    code: str,
    key: str,
    english: str,
) -> None:
    """A code, an English message and its translation key; the same for the
    subscription's filters; and the connection goes on working."""
    client = await hass_ws_client(hass)
    for command in (LIST, SUBSCRIBE):
        if command == SUBSCRIBE and ("limit" in message or "before_id" in message):
            continue
        answer = await ask(client, type=command, **message)
        assert not answer["success"]
        error = answer["error"]
        assert error["code"] == code
        assert english in error["message"]
        assert error["translation_key"] == key
        assert error["translation_domain"] == DOMAIN
    assert (await entries(client))["entries"] == []


async def test_gone_entry_and_unloaded_setup(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Paging from an entry that was cleared, and a setup that is not loaded."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="a")
    client = await hass_ws_client(hass)
    (entry,) = (await entries(client))["entries"]
    await hass.services.async_call(
        DOMAIN,
        "clear_timeline",
        {"config_entry_id": setup_entry.entry_id},
        blocking=True,
    )
    gone = await ask(client, type=LIST, before_id=entry["id"])
    assert gone["error"]["code"] == "not_found"
    assert gone["error"]["translation_key"] == "timeline_entry_not_found"

    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    unloaded = await ask(client, type=LIST, config_entry_id=setup_entry.entry_id)
    assert unloaded["error"]["code"] == "not_loaded"
    assert "The setup Front door is not loaded" in unloaded["error"]["message"]
    # Without a setup: every loaded one, here none.
    assert await entries(client) == {"entries": [], "next": None}


async def test_snapshots_off_and_clip_frames(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """No picture: no links. A clip: each frame the model got, with its time."""
    entry = make_entry(**{TIMELINE_SNAPSHOTS.key: False})
    assert await hass.config_entries.async_setup(entry.entry_id)
    clip = make_clip([(RED, 2), (GREEN, 2), (BLUE, 2)])
    image_server.add("/door.mp4", clip, content_type="video/mp4")
    url = image_server.url("/door.mp4")
    await analyze(hass, response=True, video=url, image_name="door")
    client = await hass_ws_client(hass)

    (clip_entry,) = (await entries(client))["entries"]

    assert clip_entry["snapshot"] is None
    assert clip_entry["snapshot_url"] is None
    red, green, blue = clip_entry["frames"]
    assert red == {"source": url, "time": 0.0}
    assert 2 <= green["time"] < 4 <= blue["time"] < 6


STRUCTURE = {
    "parcel": {"required": True, "selector": {"boolean": {}}},
    "cars": {"required": True, "selector": {"number": {"min": 0, "max": 5}}},
    "plate": {"selector": {"text": {}}},
}


async def test_structured_answer_titled_in_words(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The card and the calendar show a structured answer's fields, not JSON."""
    answer = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="porch",
        structure=STRUCTURE,
    )
    assert answer["description"].startswith("{")
    client = await hass_ws_client(hass)

    (entry,) = (await entries(client))["entries"]

    assert entry["title"] == f"Parcel: yes · Cars: 1 · Plate: {RED_640}"
    assert entry["data"] == answer["data"]
    assert entry["description"] == answer["description"]
    calendar = hass.states.get("calendar.front_door_timeline")
    assert calendar is not None
    assert calendar.attributes["message"] == f"porch: {entry['title']}"


async def test_titles_in_home_assistants_language(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A yes-or-no field reads in Home Assistant's language."""
    hass.config.language = "nb"
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="porch",
        structure={"parcel": {"required": True, "selector": {"boolean": {}}}},
    )
    client = await hass_ws_client(hass)
    (listed,) = (await entries(client))["entries"]
    assert listed["title"] == "Parcel: ja"


async def test_subscription_hears_new_entries_until_unsubscribed(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """One event per new entry that fits the filters, also after a reload;
    nothing after unsubscribing."""
    client = await hass_ws_client(hass)
    subscribed = await ask(client, type=SUBSCRIBE, image_names=["door"])
    assert subscribed["success"]
    door, garden = picture(image_server, "d", RED), picture(image_server, "g", GREEN)

    await analyze(hass, response=True, image_url=garden, image_name="garden")
    await analyze(hass, response=True, image_url=door, image_name="door")
    event = await client.receive_json()
    assert event["id"] == subscribed["id"]
    assert event["type"] == "event"
    assert event["event"]["entry"]["image_name"] == "door"
    assert event["event"]["entry"]["snapshot_url"].count("authSig=") == 1
    listed = (await entries(client))["entries"][0]
    assert {**event["event"]["entry"], "snapshot_url": ""} == {
        **listed,
        "snapshot_url": "",
    }

    # A reload makes a new timeline: the subscription hears it too.
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await analyze(hass, response=True, image_url=door, image_name="door")
    event = await client.receive_json()
    assert event["event"]["entry"]["image_name"] == "door"

    assert (
        await ask(client, type="unsubscribe_events", subscription=subscribed["id"])
    )["success"]
    await analyze(hass, response=True, image_url=door, image_name="door")
    # The next message is this command's answer, not an event.
    assert (await entries(client))["entries"][0]["image_name"] == "door"
    assert SIGNAL_TIMELINE_RECORDED not in hass.data.get(DATA_DISPATCHER, {})


async def test_nothing_leaks_when_the_connection_drops(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A browser tab closed mid-subscription leaves no listener behind."""
    client = await hass_ws_client(hass)
    assert (await ask(client, type=SUBSCRIBE))["success"]
    assert (await ask(client, type=SUBSCRIBE, search="red"))["success"]
    assert len(hass.data[DATA_DISPATCHER][SIGNAL_TIMELINE_RECORDED]) == 2
    await client.close()
    await hass.async_block_till_done()
    assert SIGNAL_TIMELINE_RECORDED not in hass.data.get(DATA_DISPATCHER, {})
    # And a new analysis finds nobody to send to.
    await analyze(hass, response=True, image_url=door_jpeg, image_name="a")


async def _client_of(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, user: MockUser
) -> MockHAClientWebSocket:
    refresh_token = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    token = hass.auth.async_create_access_token(refresh_token)
    return await hass_ws_client(hass, access_token=token)


async def test_a_user_sees_only_the_setups_they_may_read(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    media: None,
    door_jpeg: str,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_read_only_user: MockUser,
) -> None:
    """A user who may read only Front door's calendar: its entries, its events
    and its pictures; Garden's are refused or left out. A read-only user reads
    every calendar, so every setup."""
    front, garden = await two_setups(hass, make_entry)
    user = MockUser(name="Guest").add_to_hass(hass)
    user.mock_policy(
        {"entities": {"entity_ids": {"calendar.front_door_timeline": True}}}
    )
    guest = await _client_of(hass, hass_ws_client, user)
    subscribed = await ask(guest, type=SUBSCRIBE)
    assert subscribed["success"]

    for setup in (garden, front):
        await analyze(
            hass,
            response=True,
            image_url=door_jpeg,
            image_name=setup.title,
            config_entry_id=setup.entry_id,
        )
    event = await guest.receive_json()
    assert event["event"]["entry"]["setup"] == "Front door"

    listed = (await entries(guest))["entries"]
    assert [e["setup"] for e in listed] == ["Front door"]
    browser = await hass_client_no_auth()
    assert (await browser.get(listed[0]["snapshot_url"])).status == 200
    # One setup's subscription hears that setup only.
    only_front = await ask(guest, type=SUBSCRIBE, config_entry_id=front.entry_id)
    for setup in (garden, front):
        await analyze(
            hass,
            response=True,
            image_url=door_jpeg,
            image_name="again",
            config_entry_id=setup.entry_id,
        )
    heard = [await guest.receive_json() for _ in range(2)]
    assert sorted(m["id"] for m in heard) == sorted(
        [subscribed["id"], only_front["id"]]
    )
    assert {m["event"]["entry"]["setup"] for m in heard} == {"Front door"}
    for command in (LIST, SUBSCRIBE):
        refused = await ask(guest, type=command, config_entry_id=garden.entry_id)
        assert refused["error"]["code"] == "unauthorized"
        assert refused["error"]["message"] == "You may not read the timeline of Garden"

    reader = await _client_of(hass, hass_ws_client, hass_read_only_user)
    assert sorted(e["setup"] for e in (await entries(reader))["entries"]) == [
        "Front door",
        "Front door",
        "Garden",
        "Garden",
    ]
