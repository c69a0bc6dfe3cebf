"""Less-used diagnostic sensors start disabled; the ones automations use start enabled."""

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er


async def test_which_start_disabled(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Models and queue length: registered but off (no state); the rest on."""
    for entity_id in (
        "sensor.front_door_vision_model",
        "sensor.front_door_text_model",
        "sensor.front_door_jobs_waiting",
    ):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert hass.states.get(entity_id) is None
    for entity_id in (
        "binary_sensor.front_door_vision_server",
        "binary_sensor.front_door_text_server",
        "sensor.front_door_last_analysis_duration",
    ):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is None
        assert hass.states.get(entity_id) is not None


async def test_enabled_by_the_user(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Turned on, the sensor shows its value after the reload Home Assistant does."""
    entity_id = "sensor.front_door_jobs_waiting"
    entity_registry.async_update_entity(entity_id, disabled_by=None)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "0"
