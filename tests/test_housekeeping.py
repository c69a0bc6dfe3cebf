"""Removing image sensors: by the action, automatically after N days, with the setup."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache,
)

from custom_components.ollama_vision.const import DOMAIN
from custom_components.ollama_vision.entity import image_unique_id
from custom_components.ollama_vision.flow.fields import nest, shown_options
from custom_components.ollama_vision.settings import (
    DEFAULT_OPTIONS,
    REMOVE_IMAGE_SENSORS_AFTER_DAYS,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from tests.conftest import analyze, json_object, state_of

RED_640 = "Image 1 is 640x480 pixels, mostly red."


async def remove(hass: HomeAssistant, **data: Any) -> list[str]:
    """Call the action as an automation with a response variable would."""
    response = await hass.services.async_call(
        DOMAIN, "remove_image_sensors", data, blocking=True, return_response=True
    )
    removed: list[str] = json_object(response)["removed"]
    return removed


async def test_remove_named_sensors(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    entity_registry: er.EntityRegistry,
) -> None:
    """The named sensor goes from states and registry; the others stay; the
    next analysis of its name brings it back."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    await analyze(hass, response=True, image_url=door_jpeg, image_name="gate")

    assert await remove(hass, entity_id="sensor.front_door_porch") == [
        "sensor.front_door_porch"
    ]
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_porch") is None
    assert entity_registry.async_get("sensor.front_door_porch") is None
    assert state_of(hass, "sensor.front_door_gate").state == RED_640

    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert result["entity_id"] == "sensor.front_door_porch"
    assert state_of(hass, "sensor.front_door_porch").state == RED_640


@pytest.mark.parametrize(
    "entity_id",
    ["sensor.front_door_vision_model", "sensor.nowhere", "light.kitchen"],
    ids=["diagnostic-sensor", "missing", "other-domain"],
)
async def test_refuses_what_is_not_an_image_sensor(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str, entity_id: str
) -> None:
    """Only image sensors can be removed; a wrong name removes nothing at all."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    with pytest.raises(ServiceValidationError) as raised:
        await remove(hass, entity_id=["sensor.front_door_porch", entity_id])
    assert raised.value.translation_key == "not_an_image_sensor"
    assert str(raised.value) == f"{entity_id} is not an image sensor of Ollama Vision"
    assert hass.states.get("sensor.front_door_porch") is not None
    # A diagnostic sensor (disabled by default, but registered) stays too.
    assert er.async_get(hass).async_get("sensor.front_door_vision_model") is not None


async def test_needs_entities_or_days(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """A call naming nothing to remove is refused."""
    with pytest.raises(vol.Invalid):
        await remove(hass)


async def test_remove_sensors_not_updated_for_days(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sensors whose last analysis is older than N days go, per setup or everywhere."""
    front = make_entry("Front door")
    back = make_entry("Back door", text=False)
    # Setting up the integration sets up both.
    assert await hass.config_entries.async_setup(front.entry_id)
    await hass.async_block_till_done()
    await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="old",
        config_entry_id=front.entry_id,
    )
    await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="old",
        config_entry_id=back.entry_id,
    )
    freezer.tick(timedelta(days=10))
    await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="new",
        config_entry_id=front.entry_id,
    )

    assert await remove(hass, older_than_days=11) == []
    assert await remove(hass, older_than_days=5, config_entry_id=front.entry_id) == [
        "sensor.front_door_old"
    ]
    assert hass.states.get("sensor.back_door_old") is not None
    assert hass.states.get("sensor.front_door_new") is not None
    # Without a setup: every setup's.
    assert await remove(hass, older_than_days=5) == ["sensor.back_door_old"]
    assert await remove(hass, older_than_days=0) == ["sensor.front_door_new"]


def restored_image_sensor(
    hass: HomeAssistant, entry: MockConfigEntry, image_name: str, days_ago: int
) -> tuple[str, State]:
    """An image sensor from before a restart, last analysed `days_ago` days ago."""
    registry_entry = er.async_get(hass).async_get_or_create(
        "sensor",
        DOMAIN,
        image_unique_id(entry.entry_id, image_name),
        config_entry=entry,
        suggested_object_id=f"front_door_{image_name}",
    )
    analyzed_at = dt_util.utcnow() - timedelta(days=days_ago)
    return registry_entry.entity_id, State(
        registry_entry.entity_id,
        RED_640,
        {"analyzed_at": analyzed_at.isoformat(), "final_description": RED_640},
    )


@pytest.mark.parametrize(("days", "kept"), [(0, {"old", "recent"}), (7, {"recent"})])
async def test_automatic_removal_at_start(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    days: int,
    kept: set[str],
) -> None:
    """With the option, sensors older than N days go when the setup starts;
    by default (0) nothing is removed."""
    entry = make_entry(remove_image_sensors_after_days=days)
    states = [
        restored_image_sensor(hass, entry, "old", 30)[1],
        restored_image_sensor(hass, entry, "recent", 1)[1],
    ]
    mock_restore_cache(hass, states)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    present = {
        name
        for name in ("old", "recent")
        if hass.states.get(f"sensor.front_door_{name}") is not None
    }
    assert present == kept
    assert (
        state_of(hass, "sensor.front_door_recent").attributes["final_description"]
        == RED_640
    )


async def test_automatic_removal_daily(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """The check runs again every day while the setup runs, and stops with it."""
    entry = make_entry(remove_image_sensors_after_days=7)
    mock_restore_cache(hass, [restored_image_sensor(hass, entry, "recent", 5)[1]])
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_recent") is not None

    freezer.tick(timedelta(days=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_recent") is not None

    freezer.tick(timedelta(days=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_recent") is None
    assert entity_registry.async_get("sensor.front_door_recent") is None

    # Unloaded: no more checks.
    entity_id, _ = restored_image_sensor(hass, entry, "later", 30)
    await hass.config_entries.async_unload(entry.entry_id)
    freezer.tick(timedelta(days=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert entity_registry.async_get(entity_id) is not None


async def test_removing_the_setup_removes_its_entities(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Home Assistant removes a deleted setup's device, diagnostics and image
    sensors; another setup keeps its own."""
    front = make_entry("Front door")
    back = make_entry("Back door", text=False)
    # Setting up the integration sets up both.
    assert await hass.config_entries.async_setup(front.entry_id)
    await hass.async_block_till_done()
    for entry in (front, back):
        await analyze(
            hass,
            response=True,
            image_url=door_jpeg,
            image_name="porch",
            config_entry_id=entry.entry_id,
        )
    front_entities = er.async_entries_for_config_entry(entity_registry, front.entry_id)
    assert "sensor.front_door_porch" in {e.entity_id for e in front_entities}

    assert await hass.config_entries.async_remove(front.entry_id)
    await hass.async_block_till_done()

    assert er.async_entries_for_config_entry(entity_registry, front.entry_id) == []
    assert dr.async_entries_for_config_entry(device_registry, front.entry_id) == []
    for registry_entry in front_entities:
        assert hass.states.get(registry_entry.entity_id) is None
    assert state_of(hass, "sensor.back_door_porch").state == RED_640
    assert await remove(hass, entity_id="sensor.back_door_porch") == [
        "sensor.back_door_porch"
    ]


async def test_option_from_the_options_form_applies_at_once(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    entity_registry: er.EntityRegistry,
) -> None:
    """Turned on in the options form: the setup reloads and removes stale sensors."""
    entry = make_entry()
    entity_id, state = restored_image_sensor(hass, entry, "old", 30)
    mock_restore_cache(hass, [state])
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id) is not None

    result = await hass.config_entries.options.async_init(entry.entry_id)
    answer = nest(shown_options(text_model=True), {**DEFAULT_OPTIONS, **entry.options})
    answer["image_sensors"][REMOVE_IMAGE_SENSORS_AFTER_DAYS.key] = 14
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answer
    )
    await hass.async_block_till_done()
    assert entry.options[REMOVE_IMAGE_SENSORS_AFTER_DAYS.key] == 14
    assert entity_registry.async_get(entity_id) is None
