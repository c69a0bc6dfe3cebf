"""The timeline: analyses on a calendar, snapshots in the media folder, cleaning."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
import logging
from pathlib import Path
import threading
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ollama_vision.const import DOMAIN, EVENT_IMAGE_ANALYZED
from custom_components.ollama_vision.settings import (
    TIMELINE_MAX_SNAPSHOT_MB,
    TIMELINE_RETENTION_DAYS,
    TIMELINE_SNAPSHOTS,
)
from custom_components.ollama_vision.timeline.recorder import Timeline, database_path
from custom_components.ollama_vision.timeline.snapshot_files import MediaFolder
from custom_components.ollama_vision.timeline.store import TimelineStore
from custom_components.ollama_vision.timeline.title import first_sentence
from homeassistant.components import media_source
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import analyze, json_object
from tests.image_server import ImageServer, make_jpeg
from tests.waiting import wait_for

CALENDAR = "calendar.front_door_timeline"
RED_640 = "Image 1 is 640x480 pixels, mostly red."
# What the door_jpeg fixture serves (the factory is deterministic).
DOOR_JPEG = make_jpeg(640, 480, colour=(200, 30, 30))


def media_dir(hass: HomeAssistant) -> Path:
    return Path(hass.config.media_dirs["local"])


def snapshot_files(hass: HomeAssistant) -> list[Path]:
    """Every snapshot on disk, oldest name first."""
    return sorted((media_dir(hass) / DOMAIN).rglob("*.jpg"))


@contextmanager
def slow_disk(entry: MockConfigEntry) -> Iterator[None]:
    """The timeline's disk held, as a slow disk would, while in the block: it
    takes one unit of disk work at a time, and this holds its turn."""
    disk = entry.runtime_data.timeline._work
    assert disk.acquire(blocking=False)
    try:
        yield
    finally:
        disk.release()


async def get_events(
    hass: HomeAssistant,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """calendar.get_events over a window (default: the last and next day)."""
    now = dt_util.now()
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": CALENDAR,
            "start_date_time": start or now - timedelta(days=1),
            "end_date_time": end or now + timedelta(days=1),
        },
        blocking=True,
        return_response=True,
    )
    calendar = json_object(json_object(response)[CALENDAR])
    events: list[dict[str, Any]] = calendar["events"]
    return events


async def clear(hass: HomeAssistant, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, "clear_timeline", data, blocking=True, return_response=True
    )


async def test_analysis_recorded_with_snapshot(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    image_server: ImageServer,
) -> None:
    """The answer, the event, the sensor and the calendar all show the analysis."""
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    answer = await analyze(
        hass, response=True, image_url=door_jpeg, image_name="person_outside"
    )
    await hass.async_block_till_done()

    (snapshot,) = snapshot_files(hass)
    # The image as the model got it: a fitting JPEG goes through byte for byte.
    assert snapshot.read_bytes() == DOOR_JPEG
    relative = snapshot.relative_to(media_dir(hass)).as_posix()
    today = dt_util.now().strftime("%Y-%m-%d")
    assert relative.startswith(f"{DOMAIN}/front_door/{today}/")
    assert relative.endswith("_person_outside.jpg")
    media_id = f"media-source://media_source/local/{relative}"
    url = f"/media/local/{relative}"
    assert answer["snapshot"] == media_id
    assert answer["snapshot_url"] == url
    assert events[0].data["snapshot"] == media_id
    assert events[0].data["snapshot_url"] == url
    sensor = hass.states.get("sensor.front_door_person_outside")
    assert sensor is not None
    assert sensor.attributes["snapshot"] == media_id
    assert sensor.attributes["snapshot_url"] == url

    calendar = hass.states.get(CALENDAR)
    assert calendar is not None
    assert calendar.attributes["message"] == f"person_outside: {RED_640}"
    (event,) = await get_events(hass)
    assert event["summary"] == f"person_outside: {RED_640}"
    assert event["description"] == RED_640
    assert event["start"] == event["end"]
    assert dt_util.parse_datetime(event["start"]) == dt_util.parse_datetime(
        answer["analyzed_at"]
    )


async def test_the_event_does_not_wait_for_the_disk(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """The event carries the snapshot's link before the file is written (the
    timeline writes it right after); the answer comes once the snapshot is on
    disk and the analysis on the calendar."""
    on_disk_at_the_event: list[bool] = []

    @callback
    def heard(event: Event) -> None:
        relative = str(event.data["snapshot_url"]).removeprefix("/media/local/")
        on_disk_at_the_event.append((media_dir(hass) / relative).exists())

    hass.bus.async_listen(EVENT_IMAGE_ANALYZED, heard)
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="y")
    assert on_disk_at_the_event == [False]
    relative = str(answer["snapshot_url"]).removeprefix("/media/local/")
    assert (media_dir(hass) / relative).read_bytes() == DOOR_JPEG
    assert len(await get_events(hass)) == 1


async def test_the_next_job_does_not_wait_for_the_disk(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """One worker: while an analysis waits for the timeline's disk, the worker
    analyses and reports the next; each caller is answered once its analysis is
    on the timeline."""
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    with slow_disk(setup_entry):
        first = hass.async_create_task(
            analyze(hass, response=True, image_url=door_jpeg, image_name="first")
        )
        second = hass.async_create_task(
            analyze(hass, response=True, image_url=door_jpeg, image_name="second")
        )
        await wait_for(lambda: len(events) == 2)
        assert not first.done()
        assert not second.done()
    answers = [await first, await second]
    assert [answer["image_name"] for answer in answers] == ["first", "second"]
    assert len(snapshot_files(hass)) == 2
    assert len(await get_events(hass)) == 2


async def test_unloading_waits_for_the_disk_work_of_a_reported_job(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """A setup unloaded while a reported analysis waits for the disk: the
    unload waits for it, and the caller gets the analysis as recorded."""
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    with slow_disk(setup_entry):
        call = hass.async_create_task(
            analyze(hass, response=True, image_url=door_jpeg, image_name="late")
        )
        await wait_for(lambda: len(events) == 1)
        unload = hass.async_create_task(
            hass.config_entries.async_unload(setup_entry.entry_id)
        )
        await wait_for(lambda: setup_entry.state is ConfigEntryState.UNLOAD_IN_PROGRESS)
        assert not call.done()
    assert await unload
    answer = await call
    relative = str(answer["snapshot_url"]).removeprefix("/media/local/")
    assert (media_dir(hass) / relative).read_bytes() == DOOR_JPEG
    assert setup_entry.state is ConfigEntryState.NOT_LOADED


async def test_a_file_already_there_keeps_its_picture(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    """A file with the snapshot's name already there (another process wrote it
    within the same second) is left alone: the snapshot takes the next number,
    the answer links to it, and the image entity shows the new picture."""
    freezer.move_to("2026-12-01T12:00:00+00:00")
    taken = dt_util.as_local(dt_util.utcnow())
    folder = media_dir(hass) / DOMAIN / "front_door" / taken.strftime("%Y-%m-%d")
    folder.mkdir(parents=True)
    earlier = folder / f"{taken.strftime('%H%M%S')}_porch.jpg"
    earlier.write_bytes(b"another process's picture")

    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert str(answer["snapshot_url"]).endswith("_porch_2.jpg")
    assert earlier.read_bytes() == b"another process's picture"
    assert (folder / f"{earlier.stem}_2.jpg").read_bytes() == DOOR_JPEG
    image = hass.states.get("image.front_door_porch")
    assert image is not None
    response = await (await hass_client()).get(image.attributes["entity_picture"])
    assert response.status == 200
    assert await response.read() == DOOR_JPEG


async def test_summary_is_the_first_sentence(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """With the text model the calendar shows its words; whole text as description."""
    answer = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="doorbell",
        use_text_model=True,
        # Twice: the text model introduces both, so its answer has two sentences.
        text_prompt="Shout it twice. {description} {description}",
    )
    (event,) = await get_events(hass)
    final = answer["final_description"]
    assert event["description"] == final
    assert event["summary"] == f"doorbell: {first_sentence(final)}"
    assert len(event["summary"]) < len(f"doorbell: {final}")


def test_first_sentence() -> None:
    assert first_sentence("A cat. A dog.") == "A cat."
    assert first_sentence("  Who is there?\nNobody.") == "Who is there?"
    assert first_sentence("v1.2 is out") == "v1.2 is out"
    long = "word " * 60
    cut = first_sentence(long)
    assert len(cut) == 120
    assert cut.endswith("…")


async def test_events_survive_a_reload(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """The timeline is on disk: a reload (as after saving options) keeps it."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()

    (event,) = await get_events(hass)
    assert event["summary"] == f"porch: {RED_640}"
    calendar = hass.states.get(CALENDAR)
    assert calendar is not None
    assert calendar.attributes["message"] == f"porch: {RED_640}"
    assert len(snapshot_files(hass)) == 1


async def test_range_query_is_half_open(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """An analysis belongs to the window that starts at it, not the one ending there."""
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="a")
    at = dt_util.parse_datetime(answer["analyzed_at"])
    assert at is not None
    assert len(await get_events(hass, at, at + timedelta(seconds=1))) == 1
    assert await get_events(hass, at - timedelta(hours=1), at) == []


async def test_snapshot_in_the_media_browser(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """My media > ollama_vision > setup > day > picture; it resolves to its URL."""
    assert await async_setup_component(hass, "media_source", {})
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="cat")

    resolved = await media_source.async_resolve_media(hass, answer["snapshot"], None)
    assert resolved.url == answer["snapshot_url"]
    assert resolved.mime_type == "image/jpeg"

    media_id = f"media-source://media_source/local/{DOMAIN}"
    for _level in ("setup", "day"):
        folder = await media_source.async_browse_media(hass, media_id)
        assert folder.children is not None
        (child,) = folder.children
        media_id = child.media_content_id
    day = await media_source.async_browse_media(hass, media_id)
    assert day.children is not None
    assert [child.media_content_id for child in day.children] == [answer["snapshot"]]


async def test_snapshot_url_needs_authentication(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    image_server: ImageServer,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Home Assistant serves the snapshot to a signed-in client (the phone app) only."""
    assert await async_setup_component(hass, "media_source", {})
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="dog")

    response = await (await hass_client()).get(answer["snapshot_url"])
    assert response.status == 200
    assert response.content_type == "image/jpeg"
    assert await response.read() == DOOR_JPEG
    refused = await (await hass_client_no_auth()).get(answer["snapshot_url"])
    assert refused.status == 401


async def test_signed_snapshot_link_needs_no_sign_in_for_a_day(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """snapshot_signed_url opens the picture without signing in (a browser
    showing a notification's markdown picture), in the answer and the event,
    until it expires a day later; the sensor does not keep it."""
    assert await async_setup_component(hass, "media_source", {})
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="cat")
    await hass.async_block_till_done()

    signed = answer["snapshot_signed_url"]
    assert signed.startswith(answer["snapshot_url"] + "?authSig=")
    assert events[0].data["snapshot_signed_url"] == signed
    sensor = hass.states.get("sensor.front_door_cat")
    assert sensor is not None
    assert "snapshot_signed_url" not in sensor.attributes
    client = await hass_client_no_auth()
    response = await client.get(signed)
    assert response.status == 200
    assert await response.read() == DOOR_JPEG
    freezer.tick(timedelta(days=1, seconds=1))
    assert (await client.get(signed)).status == 401


# Names Home Assistant takes whose slug is long: ASCII, two bytes a letter, four an emoji.
LONG_NAMES = {
    "ascii": "front door camera, seen from the garden path " * 7,  # 315 characters
    "two_bytes": "Øst-inngang " * 25,  # 300 characters, 325 bytes
    "emoji_and_letters": "🚪 door " * 50,
}


@pytest.mark.parametrize("image_name", LONG_NAMES.values(), ids=LONG_NAMES)
async def test_long_image_names_keep_their_snapshots(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    image_name: str,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A name of hundreds of characters fits a file name, counted in bytes, counter included."""
    # One second (the clock stands still): the second picture's name has a counter.
    answers = [
        await analyze(hass, response=True, image_url=door_jpeg, image_name=image_name)
        for _ in range(2)
    ]
    files = snapshot_files(hass)
    assert len(files) == 2
    assert answers[1]["snapshot"].endswith("_2.jpg")
    for answer in answers:
        assert answer["snapshot"] is not None
        path = media_dir(hass) / answer["snapshot_url"].removeprefix("/media/local/")
        assert path in files
        assert path.read_bytes() == DOOR_JPEG
        assert len(path.name.encode()) <= 255
        assert hass.states.get(answer["entity_id"]) is not None
    assert not [
        record
        for record in caplog.records
        if record.name.startswith("custom_components")
        and record.levelno >= logging.ERROR
    ]


async def test_long_names_that_start_alike_stay_apart(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """Cut to fit, a name keeps a hash of all of it: no counter mixes two images up."""
    common = "x" * 300
    for ending in ("left", "right"):
        await analyze(
            hass, response=True, image_url=door_jpeg, image_name=common + ending
        )
    left, right = (path.name for path in snapshot_files(hass))
    assert left[7:] != right[7:]  # beyond the time
    assert not left.removesuffix(".jpg").endswith(("_2", "_3"))
    assert not right.removesuffix(".jpg").endswith(("_2", "_3"))


async def test_names_without_letters_get_their_own_files(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """ "!!!" and "???" slugify to nothing: each gets its own stable name, not "unknown"."""
    names: dict[str, set[str]] = {}
    for image_name in ("!!!", "???", "!!!"):
        answer = await analyze(
            hass, response=True, image_url=door_jpeg, image_name=image_name
        )
        stem = answer["snapshot_url"].rsplit("/", 1)[1].removesuffix(".jpg")
        # <time>_image_<hash>, maybe with a counter after it.
        names.setdefault(image_name, set()).add(stem.split("_")[2])
    assert all(len(hashes) == 1 for hashes in names.values())
    assert names["!!!"] != names["???"]
    assert all("unknown" not in path.name for path in snapshot_files(hass))


async def test_snapshots_off(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
) -> None:
    """Without snapshots the analysis is still on the calendar, with no picture."""
    entry = make_entry(**{TIMELINE_SNAPSHOTS.key: False})
    assert await hass.config_entries.async_setup(entry.entry_id)
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="x")
    assert answer["snapshot"] is None
    assert answer["snapshot_url"] is None
    assert snapshot_files(hass) == []
    assert len(await get_events(hass)) == 1


async def test_unwritable_media_folder_keeps_the_text(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str, tmp_path: Path
) -> None:
    """A snapshot that cannot be saved costs neither the analysis nor its entry."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the media folder should be")
    hass.config.media_dirs = {"local": str(blocker)}
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="y")
    assert answer["final_description"] == RED_640
    assert answer["snapshot"] is None
    (event,) = await get_events(hass)
    assert event["description"] == RED_640


async def test_disk_cap_removes_oldest_snapshots_first(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
) -> None:
    """Over the cap the oldest pictures go; every analysis stays on the calendar."""
    pictures = [make_jpeg(320, 240, colour=(10 * n, 90, 200)) for n in range(3)]
    # Room for two of the three pictures.
    cap = (len(pictures[1]) + len(pictures[2]) + 10) / (1024 * 1024)
    entry = make_entry(**{TIMELINE_MAX_SNAPSHOT_MB.key: cap})
    assert await hass.config_entries.async_setup(entry.entry_id)
    answers = []
    for number, picture in enumerate(pictures):
        image_server.add(f"/{number}.jpg", picture)
        answers.append(
            await analyze(
                hass,
                response=True,
                image_url=image_server.url(f"/{number}.jpg"),
                image_name=f"shot{number}",
            )
        )
    kept = [path.read_bytes() for path in snapshot_files(hass)]
    assert sorted(kept) == sorted(pictures[1:])
    assert not (media_dir(hass) / answers[0]["snapshot_url"][13:]).exists()
    assert len(await get_events(hass)) == 3


@pytest.mark.parametrize(("days", "kept"), [(7, False), (0, True)])
async def test_retention_cleans_daily(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    freezer: FrozenDateTimeFactory,
    days: int,
    kept: bool,
) -> None:
    """Analyses older than the retention, and their pictures, go at the daily clean."""
    entry = make_entry(**{TIMELINE_RETENTION_DAYS.key: days})
    assert await hass.config_entries.async_setup(entry.entry_id)
    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="z")
    at = dt_util.parse_datetime(answer["analyzed_at"])
    assert at is not None

    freezer.tick(timedelta(days=8))
    # The daily clean's timer runs on the loop's clock: move that a day on too.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(days=1))
    await hass.async_block_till_done()

    window = (at - timedelta(hours=1), at + timedelta(hours=1))
    assert bool(await get_events(hass, *window)) is kept
    assert bool(snapshot_files(hass)) is kept
    calendar = hass.states.get(CALENDAR)
    assert calendar is not None
    assert ("message" in calendar.attributes) is kept


async def test_retention_cleans_at_start(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A setup loaded after a long pause forgets what expired meanwhile."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="old")
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    freezer.tick(timedelta(days=8))
    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert await get_events(hass, dt_util.now() - timedelta(days=10)) == []
    assert snapshot_files(hass) == []


async def test_clear_timeline_before_and_all(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """`before` removes only older analyses; without it, every one (and the folders)."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="first")
    freezer.tick(timedelta(hours=2))
    await analyze(hass, response=True, image_url=door_jpeg, image_name="second")
    middle = dt_util.now() - timedelta(hours=1)

    assert await clear(
        hass, config_entry_id=setup_entry.entry_id, before=middle.isoformat()
    ) == {"removed": 1}
    (event,) = await get_events(hass)
    assert event["summary"].startswith("second:")
    (snapshot,) = snapshot_files(hass)
    assert snapshot.name.endswith("_second.jpg")

    (device,) = dr.async_entries_for_config_entry(
        dr.async_get(hass), setup_entry.entry_id
    )
    assert await clear(hass, device_id=device.id) == {"removed": 1}
    assert await get_events(hass) == []
    assert not (media_dir(hass) / DOMAIN / "front_door").exists()
    calendar = hass.states.get(CALENDAR)
    assert calendar is not None
    assert calendar.state == "off"
    assert "message" not in calendar.attributes


async def test_clear_timeline_local_before(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """A `before` without a time zone (the UI's date picker) is local time."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="q")
    tomorrow = (dt_util.now() + timedelta(days=1)).replace(tzinfo=None)
    assert await clear(
        hass,
        config_entry_id=setup_entry.entry_id,
        before=tomorrow.strftime("%Y-%m-%d %H:%M:%S"),
    ) == {"removed": 1}


async def test_clear_timeline_needs_a_setup(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Clearing never guesses which setup is meant."""
    with pytest.raises(Exception, match="at least one of"):
        await clear(hass)
    with pytest.raises(ServiceValidationError):
        await clear(hass, config_entry_id="nope")


async def test_removing_the_setup_deletes_its_timeline(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    setup_entry: MockConfigEntry,
    door_jpeg: str,
) -> None:
    """Delete the setup: its file and snapshots go; another setup's stay."""
    other = make_entry("Garden")
    assert await hass.config_entries.async_setup(other.entry_id)
    await analyze(hass, image_url=door_jpeg, image_name="a", response=True)
    await analyze(
        hass,
        image_url=door_jpeg,
        image_name="b",
        config_entry_id=other.entry_id,
        response=True,
    )
    assert database_path(hass, setup_entry.entry_id).exists()
    assert len(snapshot_files(hass)) == 2

    assert await hass.config_entries.async_remove(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert not database_path(hass, setup_entry.entry_id).exists()
    (left,) = snapshot_files(hass)
    assert left.relative_to(media_dir(hass)).parts[:2] == (DOMAIN, "garden")
    assert not (media_dir(hass) / DOMAIN / "front_door").exists()


async def test_removing_a_setup_that_never_recorded(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """A setup that never loaded has no timeline to delete; removal still works."""
    entry = make_entry("Never")
    assert await hass.config_entries.async_remove(entry.entry_id)
    assert not database_path(hass, entry.entry_id).exists()


# The calendar trigger's 15-minute refresh outlives the test by design.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_calendar_trigger_fires_for_an_analysis(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A calendar trigger with an offset runs for each analysis.

    Home Assistant reads calendars 15 minutes ahead, so an analysis is seen
    by a trigger whose offset puts it at least that far after the analysis.
    """
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {
                    "trigger": "calendar",
                    "entity_id": CALENDAR,
                    "event": "start",
                    "offset": "00:20:00",
                },
                "actions": {
                    "action": "test.automation",
                    "data": {"summary": "{{ trigger.calendar_event.summary }}"},
                },
            }
        },
    )
    await hass.async_block_till_done()
    await analyze(hass, response=True, image_url=door_jpeg, image_name="gate")

    for _minute in range(25):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    assert [call.data["summary"] for call in calls] == [f"gate: {RED_640}"]


def test_media_folder_choice(hass: HomeAssistant) -> None:
    """ "local" when there is one, else the first folder, else config/media."""
    hass.config.media_dirs = {"recordings": "/rec", "local": "/media"}
    assert MediaFolder.of(hass) == MediaFolder("local", Path("/media"))
    hass.config.media_dirs = {"recordings": "/rec"}
    folder = MediaFolder.of(hass)
    assert folder == MediaFolder("recordings", Path("/rec"))
    assert (
        folder.link("ollama_vision/a/b.jpg").url
        == "/media/recordings/ollama_vision/a/b.jpg"
    )
    hass.config.media_dirs = {}
    assert MediaFolder.of(hass).media_dir == Path(hass.config.path("media"))


async def test_unload_waits_for_a_clean_in_flight(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A daily clean still running when the setup unloads finishes first.

    Home Assistant runs the unload callbacks (closing the timeline) before it
    waits for the entry's tasks (the clean): closing must wait for the clean,
    not close the database under it.
    """
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await analyze(hass, response=True, image_url=door_jpeg, image_name="old")

    cleaning, release, closing = (threading.Event() for _ in range(3))
    delete_before = TimelineStore.delete_before
    close = Timeline._close

    def held_delete_before(
        store: TimelineStore, before: datetime | None
    ) -> tuple[int, list[str]]:
        cleaning.set()
        release.wait(10)
        return delete_before(store, before)

    def observed_close(timeline: Timeline) -> None:
        closing.set()
        close(timeline)

    monkeypatch.setattr(TimelineStore, "delete_before", held_delete_before)
    monkeypatch.setattr(Timeline, "_close", observed_close)

    freezer.tick(timedelta(days=8))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(days=1))
    assert await hass.async_add_executor_job(cleaning.wait, 10)
    unload = hass.async_create_task(hass.config_entries.async_unload(entry.entry_id))
    # The timeline is being closed while the clean is held mid-way.
    assert await hass.async_add_executor_job(closing.wait, 10)
    release.set()
    assert await unload
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not [
        record
        for record in caplog.records
        if record.name.startswith("custom_components")
        and record.levelno >= logging.ERROR
    ]
    # The clean did its work before the file closed.
    monkeypatch.setattr(TimelineStore, "delete_before", delete_before)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert await get_events(hass, dt_util.now() - timedelta(days=10)) == []
