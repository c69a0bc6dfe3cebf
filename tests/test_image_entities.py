"""Image entities: each image name's latest picture, for dashboards and entity lists.

Through the image platform and Home Assistant's own image proxy view, as a
browser asks for it: with the token of the entity's `entity_picture` and no
other credentials.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    mock_restore_cache,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import yaml

from custom_components.ollama_vision.const import DOMAIN
from custom_components.ollama_vision.entity import image_unique_id
from custom_components.ollama_vision.settings import TIMELINE_MAX_SNAPSHOT_MB
from custom_components.ollama_vision.timeline.snapshot_files import MediaFolder
from homeassistant.components import media_source
from homeassistant.const import ATTR_ENTITY_PICTURE, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import analyze, state_of
from tests.image_server import ImageServer, make_jpeg

IMAGE = "image.front_door_porch"
SENSOR = "sensor.front_door_porch"
# What the image server serves; JPEGs that fit go to the model byte for byte.
RED = make_jpeg(640, 480, colour=(200, 30, 30))
BLUE = make_jpeg(320, 240, colour=(20, 20, 220))


@pytest.fixture
def pictures(image_server: ImageServer) -> dict[str, str]:
    """Two pictures on the image server, by colour; their URLs."""
    image_server.add("/red.jpg", RED)
    image_server.add("/blue.jpg", BLUE)
    return {"red": image_server.url("/red.jpg"), "blue": image_server.url("/blue.jpg")}


def link_of(hass: HomeAssistant, entity_id: str) -> str | None:
    """An entity's picture link, as the frontend reads it from the state."""
    link = state_of(hass, entity_id).attributes.get(ATTR_ENTITY_PICTURE)
    assert link is None or isinstance(link, str)
    return link


def snapshot_path(hass: HomeAssistant, answer: dict[str, Any]) -> Path:
    """The snapshot file of an action's answer."""
    relative = str(answer["snapshot_url"]).removeprefix("/media/local/")
    return Path(hass.config.media_dirs["local"]) / relative


async def browser_get(
    hass_client_no_auth: ClientSessionGenerator, link: str
) -> tuple[int, bytes]:
    """What a browser gets for an `<img src>`: no credentials but the link's."""
    response = await (await hass_client_no_auth()).get(link)
    return response.status, await response.read()


def register_porch_image(
    entity_registry: er.EntityRegistry, entry: MockConfigEntry
) -> None:
    """The porch's image entity in the registry, as an earlier run left it."""
    entity_registry.async_get_or_create(
        "image",
        DOMAIN,
        image_unique_id(entry.entry_id, "porch"),
        config_entry=entry,
        suggested_object_id="front_door_porch",
    )


async def sensor_picture(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> tuple[int, bytes]:
    """What a browser gets for the image sensor's entity picture."""
    link = link_of(hass, SENSOR)
    assert link is not None
    return await browser_get(hass_client_no_auth, link)


async def test_shows_the_latest_snapshot_with_its_own_link(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    entity_registry: er.EntityRegistry,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Beside the sensor on the setup's device; its link serves the snapshot to a
    browser; a new analysis changes the time, the link and the picture, and the
    sensor's entity picture follows."""
    first = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )

    image = state_of(hass, IMAGE)
    assert image.state == first["analyzed_at"]
    image_entry = entity_registry.async_get(IMAGE)
    sensor_entry = entity_registry.async_get(SENSOR)
    assert image_entry is not None
    assert sensor_entry is not None
    assert image_entry.device_id == sensor_entry.device_id
    assert image_entry.config_entry_id == setup_entry.entry_id
    assert image.attributes["friendly_name"] == "Front door porch"

    link = link_of(hass, IMAGE)
    assert link is not None
    assert link.startswith(f"/api/image_proxy/{IMAGE}?token=")
    assert link_of(hass, SENSOR) == link
    snapshot = snapshot_path(hass, first).read_bytes()
    assert snapshot == RED
    assert await browser_get(hass_client_no_auth, link) == (200, snapshot)
    # A signed-in client (the companion app, a script) needs no token.
    signed_in = await (await hass_client()).get(f"/api/image_proxy/{IMAGE}")
    assert signed_in.status == 200
    assert signed_in.content_type == "image/jpeg"

    second = await analyze(
        hass, response=True, image_url=pictures["blue"], image_name="porch"
    )
    assert state_of(hass, IMAGE).state == second["analyzed_at"] != first["analyzed_at"]
    new_link = link_of(hass, IMAGE)
    assert new_link is not None
    assert new_link != link
    assert link_of(hass, SENSOR) == new_link
    assert await browser_get(hass_client_no_auth, new_link) == (200, BLUE)
    # The old link is for the old picture only; a browser that still holds it is
    # refused with 403, which Home Assistant does not count as a failed login.
    assert (await browser_get(hass_client_no_auth, link))[0] == 403


async def test_one_state_write_per_analysis_and_none_in_between(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The sensor's state changes once per analysis, picture included, and not
    when core renews image tokens (every five minutes): a state trigger without
    `to:` fires once per analysis, as before there were image entities."""
    changes = async_capture_events(hass, "state_changed")

    def written(entity_id: str) -> int:
        return sum(1 for event in changes if event.data["entity_id"] == entity_id)

    await analyze(hass, response=True, image_url=pictures["red"], image_name="porch")
    await analyze(hass, response=True, image_url=pictures["blue"], image_name="porch")
    await hass.async_block_till_done()
    assert (written(SENSOR), written(IMAGE)) == (2, 2)
    link = link_of(hass, SENSOR)
    assert link is not None

    for _ in range(3):
        freezer.tick(timedelta(minutes=5, seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert (written(SENSOR), written(IMAGE)) == (2, 2)
    assert link_of(hass, SENSOR) == link_of(hass, IMAGE) == link
    assert await browser_get(hass_client_no_auth, link) == (200, BLUE)


async def test_without_snapshots_the_picture_is_kept_until_a_restart(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Snapshots off: the picture the model got, from memory; after a restart
    (here a reload) there is none, so the entity is unavailable and the sensor
    shows no picture, until the next analysis."""
    entry = await load_entry(timeline_snapshots=False)
    answer = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )
    assert answer["snapshot"] is None
    link = link_of(hass, IMAGE)
    assert link is not None
    assert await browser_get(hass_client_no_auth, link) == (200, RED)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, IMAGE).state == STATE_UNAVAILABLE
    assert link_of(hass, IMAGE) is None
    assert state_of(hass, SENSOR).state == answer["final_description"]
    assert link_of(hass, SENSOR) is None

    await analyze(hass, response=True, image_url=pictures["blue"], image_name="porch")
    assert await sensor_picture(hass, hass_client_no_auth) == (200, BLUE)


async def test_comes_back_after_a_reload_with_its_snapshot(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Reloaded (as after a restart): the same picture and time, a new link that
    the sensor shows too."""
    answer = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )
    before = link_of(hass, IMAGE)

    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, IMAGE).state == answer["analyzed_at"]
    link = link_of(hass, IMAGE)
    assert link is not None
    assert link != before
    assert link_of(hass, SENSOR) == link
    assert await browser_get(hass_client_no_auth, link) == (200, RED)


def restored_sensor(
    hass: HomeAssistant, entry: MockConfigEntry, image_name: str, **attributes: Any
) -> State:
    """An image sensor from before a restart, with these attributes."""
    registry_entry = er.async_get(hass).async_get_or_create(
        "sensor",
        DOMAIN,
        image_unique_id(entry.entry_id, image_name),
        config_entry=entry,
        suggested_object_id=f"front_door_{image_name}",
    )
    return State(registry_entry.entity_id, "A cat on the step.", attributes)


async def test_restart_brings_back_the_snapshot(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """After a restart: the snapshot shown before, at its time, under a new link
    the sensor shows too. An image entity that showed a picture from memory, or
    whose snapshot is gone, or that is new (an upgrade from a release without
    image entities), is unavailable until the next analysis."""
    entry = make_entry()
    folder = MediaFolder.of(hass)
    relative = f"{DOMAIN}/front_door/2026-11-02/073000_porch.jpg"
    (folder.media_dir / relative).parent.mkdir(parents=True)
    (folder.media_dir / relative).write_bytes(RED)
    taken = datetime(2026, 11, 2, 6, 30, tzinfo=dt_util.UTC).isoformat()
    gone = folder.link(f"{DOMAIN}/front_door/2026-11-01/090000_gate.jpg").media_id
    snapshots = {"porch": folder.link(relative).media_id, "gate": gone, "shed": None}
    cache: list[tuple[State, dict[str, Any]]] = [
        (restored_sensor(hass, entry, name), {}) for name in (*snapshots, "new")
    ] + [
        (
            State(f"image.front_door_{name}", taken),
            {"snapshot": media_id, "taken": taken},
        )
        for name, media_id in snapshots.items()
    ]
    mock_restore_cache_with_extra_data(hass, cache)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, IMAGE).state == taken
    link = link_of(hass, IMAGE)
    assert link is not None
    assert link_of(hass, SENSOR) == link
    assert await browser_get(hass_client_no_auth, link) == (200, RED)
    for name in ("gate", "shed", "new"):
        assert state_of(hass, f"image.front_door_{name}").state == STATE_UNAVAILABLE
        assert link_of(hass, f"sensor.front_door_{name}") is None


@pytest.mark.parametrize(
    "media_id",
    [
        "media-source://media_source/local/ollama_vision/../secrets.yaml",
        "media-source://media_source/local/other/073000_porch.jpg",
        "media-source://camera/camera.porch",
        "/media/local/ollama_vision/073000_porch.jpg",
    ],
    ids=["parent", "other-folder", "other-source", "url"],
)
async def test_restores_only_timeline_snapshots(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    media_id: str,
) -> None:
    """Restore data naming anything but a timeline snapshot (edited, or from a
    changed media folder) reads nothing, though the file it names is there: the
    image entity starts unavailable."""
    entry = make_entry()
    media_dir = MediaFolder.of(hass).media_dir
    (media_dir / DOMAIN).mkdir(parents=True)
    for named in ("secrets.yaml", "other/073000_porch.jpg"):
        (media_dir / named).parent.mkdir(parents=True, exist_ok=True)
        (media_dir / named).write_bytes(RED)
    taken = dt_util.utcnow().isoformat()
    mock_restore_cache_with_extra_data(
        hass,
        [
            (restored_sensor(hass, entry, "porch"), {}),
            (State(IMAGE, taken), {"snapshot": media_id, "taken": taken}),
        ],
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, IMAGE).state == STATE_UNAVAILABLE


async def test_removed_with_its_sensor(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    entity_registry: er.EntityRegistry,
) -> None:
    """`remove_image_sensors` takes the image entity too; the next analysis of
    the name brings both back."""
    await analyze(hass, response=True, image_url=pictures["red"], image_name="porch")
    await analyze(hass, response=True, image_url=pictures["red"], image_name="gate")

    response = await hass.services.async_call(
        DOMAIN,
        "remove_image_sensors",
        {"entity_id": SENSOR},
        blocking=True,
        return_response=True,
    )
    assert response == {"removed": [SENSOR]}
    await hass.async_block_till_done()
    for entity_id in (SENSOR, IMAGE):
        assert hass.states.get(entity_id) is None
        assert entity_registry.async_get(entity_id) is None
    assert state_of(hass, "image.front_door_gate").state != STATE_UNAVAILABLE

    await analyze(hass, response=True, image_url=pictures["blue"], image_name="porch")
    assert link_of(hass, SENSOR) == link_of(hass, IMAGE) is not None


async def test_removed_by_the_automatic_removal(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    entity_registry: er.EntityRegistry,
) -> None:
    """The option removes a stale sensor's image entity with it."""
    entry = make_entry(remove_image_sensors_after_days=7)
    old = (dt_util.utcnow() - timedelta(days=30)).isoformat()
    mock_restore_cache(hass, [restored_sensor(hass, entry, "porch", analyzed_at=old)])
    register_porch_image(entity_registry, entry)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(SENSOR) is None
    assert entity_registry.async_get(IMAGE) is None
    assert hass.states.get(IMAGE) is None


async def test_removed_with_the_setup(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    entity_registry: er.EntityRegistry,
) -> None:
    """Deleting the setup deletes its image entities."""
    await analyze(hass, response=True, image_url=pictures["red"], image_name="porch")
    assert entity_registry.async_get(IMAGE) is not None
    assert await hass.config_entries.async_remove(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(IMAGE) is None
    assert hass.states.get(IMAGE) is None


async def test_an_image_entity_without_its_sensor_goes(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    entity_registry: er.EntityRegistry,
) -> None:
    """A sensor deleted while its setup was not loaded takes its image entity
    with it when the setup starts."""
    entry = make_entry()
    register_porch_image(entity_registry, entry)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(IMAGE) is None


async def test_cleared_timeline_takes_the_picture(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """`clear_timeline` deletes the snapshot: the image entity turns unavailable
    and the sensor drops the picture, until the next analysis."""
    await analyze(hass, response=True, image_url=pictures["red"], image_name="porch")
    await hass.services.async_call(
        DOMAIN,
        "clear_timeline",
        {"config_entry_id": setup_entry.entry_id},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert state_of(hass, IMAGE).state == STATE_UNAVAILABLE
    assert link_of(hass, SENSOR) is None

    await analyze(hass, response=True, image_url=pictures["blue"], image_name="porch")
    assert await sensor_picture(hass, hass_client_no_auth) == (200, BLUE)


async def test_snapshot_over_the_cap_takes_that_picture_only(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The disk cap deletes the oldest snapshot, another image name's: that
    image entity turns unavailable, the newest shows its picture."""
    cap_mb = (len(RED) + 10) / (1024 * 1024)  # room for one picture
    await load_entry(**{TIMELINE_MAX_SNAPSHOT_MB.key: cap_mb})
    await analyze(hass, response=True, image_url=pictures["red"], image_name="porch")
    await analyze(hass, response=True, image_url=pictures["red"], image_name="garage")

    assert state_of(hass, IMAGE).state == STATE_UNAVAILABLE
    assert link_of(hass, SENSOR) is None
    link = link_of(hass, "sensor.front_door_garage")
    assert link is not None
    assert await browser_get(hass_client_no_auth, link) == (200, RED)


async def test_picture_larger_than_the_cap_is_shown_from_memory(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A picture larger than the whole cap keeps no snapshot; the image entity
    shows the picture the model got, as with snapshots off."""
    await load_entry(**{TIMELINE_MAX_SNAPSHOT_MB.key: 1 / (1024 * 1024)})
    answer = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )
    assert answer["snapshot"] is None
    assert await sensor_picture(hass, hass_client_no_auth) == (200, RED)


async def test_snapshot_that_cannot_be_written_is_shown_from_memory(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The media folder cannot be written: the answer has no snapshot, and the
    image entity shows the picture the model got, as with snapshots off."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the media folder should be")
    hass.config.media_dirs = {"local": str(blocker)}
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    answer = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )
    assert answer["snapshot"] is None
    assert "Could not save the snapshot of porch" in caplog.text
    assert await sensor_picture(hass, hass_client_no_auth) == (200, RED)


async def test_snapshot_deleted_by_hand(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A snapshot deleted from My media: the next request finds it gone, and the
    entity turns unavailable instead of answering errors."""
    answer = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )
    link = link_of(hass, IMAGE)
    assert link is not None
    snapshot_path(hass, answer).unlink()

    status, _ = await browser_get(hass_client_no_auth, link)
    assert status == 500
    await hass.async_block_till_done()
    assert state_of(hass, IMAGE).state == STATE_UNAVAILABLE
    assert link_of(hass, SENSOR) is None


async def test_disabled_image_entity_leaves_the_sensor_without_a_picture(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    entity_registry: er.EntityRegistry,
) -> None:
    """A person may disable the image entity: the sensor then links to nothing
    (a link to a missing image entity would count as a failed login), and
    analyses go on."""
    await analyze(hass, response=True, image_url=pictures["red"], image_name="porch")
    entity_registry.async_update_entity(
        IMAGE, disabled_by=er.RegistryEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert hass.states.get(IMAGE) is None
    assert link_of(hass, SENSOR) is None

    answer = await analyze(
        hass, response=True, image_url=pictures["blue"], image_name="porch"
    )
    assert state_of(hass, SENSOR).state == answer["final_description"]
    assert link_of(hass, SENSOR) is None
    assert hass.states.get(IMAGE) is None


async def test_renamed_entities_go_on(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """New entity ids for the image entity and the sensor: the next analysis
    updates both under their new ids (and adds no second entity for the name)."""
    await analyze(hass, response=True, image_url=pictures["red"], image_name="porch")
    entity_registry.async_update_entity(IMAGE, new_entity_id="image.porch_picture")
    entity_registry.async_update_entity(SENSOR, new_entity_id="sensor.porch_words")
    await hass.async_block_till_done()

    answer = await analyze(
        hass, response=True, image_url=pictures["blue"], image_name="porch"
    )
    assert answer["entity_id"] == "sensor.porch_words"
    assert state_of(hass, "sensor.porch_words").state == answer["final_description"]
    assert state_of(hass, "image.porch_picture").state == answer["analyzed_at"]
    link = link_of(hass, "image.porch_picture")
    assert link is not None
    assert link.startswith("/api/image_proxy/image.porch_picture?token=")
    assert link_of(hass, "sensor.porch_words") == link
    assert hass.states.get(IMAGE) is None
    assert hass.states.get(SENSOR) is None
    assert "does not generate unique IDs" not in caplog.text


async def test_in_the_media_browser_with_a_thumbnail(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    hass_client: ClientSessionGenerator,
) -> None:
    """Media > Image lists each image entity with a thumbnail (the frontend loads
    it signed in). The snapshot files under My media get none: the media folder's
    source gives no thumbnail for any file (when this fails, it does, and the
    README's Timeline section can say so)."""
    assert await async_setup_component(hass, "media_source", {})
    answer = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )
    day = answer["snapshot"].rsplit("/", 1)[0]
    files = await media_source.async_browse_media(hass, day)
    assert files.children is not None
    assert [(c.media_content_id, c.thumbnail) for c in files.children] == [
        (answer["snapshot"], None)
    ]

    folder = await media_source.async_browse_media(hass, "media-source://image")
    assert folder.children is not None
    (item,) = [c for c in folder.children if c.media_content_id.endswith(IMAGE)]
    assert item.title == "Front door porch"
    assert item.thumbnail == f"/api/image_proxy/{IMAGE}"
    thumbnail = await (await hass_client()).get(item.thumbnail)
    assert thumbnail.status == 200
    assert await thumbnail.read() == RED


README = Path(__file__).parent.parent / "README.md"
CARD_TYPES = {"picture-entity", "picture-glance", "tile", "markdown"}


def readme_cards() -> dict[str, dict[str, Any]]:
    """The README's dashboard cards (its YAML blocks that are cards), by type."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text("utf-8"), re.S)
    cards = [yaml.safe_load(block) for block in blocks]
    return {
        card["type"]: card
        for card in cards
        if isinstance(card, dict) and card.get("type") in CARD_TYPES
    }


async def test_readme_cards_show_the_picture(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pictures: dict[str, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The README's cards name the entities a setup named Front door has for
    `porch`; its markdown card renders a picture a browser can load, described
    by the sensor, then the whole description."""
    answer = await analyze(
        hass, response=True, image_url=pictures["red"], image_name="porch"
    )
    cards = readme_cards()
    assert set(cards) == CARD_TYPES
    named = {
        cards["picture-entity"]["entity"],
        cards["picture-glance"]["image_entity"],
        *cards["picture-glance"]["entities"],
        cards["tile"]["entity"],
    }
    assert named == {IMAGE, SENSOR}
    assert cards["tile"]["show_entity_picture"] is True

    rendered = Template(cards["markdown"]["content"], hass).async_render()
    picture = re.search(r'<img src="([^"]+)"\s+alt="([^"]*)"', rendered)
    assert picture is not None, rendered
    assert picture[1] == link_of(hass, IMAGE)
    assert picture[2] == answer["final_description"]
    assert rendered.endswith(answer["final_description"])
    assert await browser_get(hass_client_no_auth, picture[1]) == (200, RED)
