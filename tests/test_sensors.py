"""The sensors: one per image name, added at run time, the setup's diagnostics, its device."""

from collections.abc import Awaitable, Callable
import re

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.ollama_vision.const import (
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
    EVENT_IMAGE_ANALYZED,
)
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from tests.conftest import analyze, state_of
from tests.ollama_emulator import OllamaEmulator

RED_640 = "Image 1 is 640x480 pixels, mostly red."


async def test_sensor_has_its_state_when_the_event_fires(
    hass: HomeAssistant, setup_entry: MockConfigEntry, door_jpeg: str
) -> None:
    """Automations that read the sensor on the event see the new description."""
    seen: list[str | None] = []

    @callback
    def read_sensor(event: Event) -> None:
        state = hass.states.get(event.data["entity_id"])
        seen.append(state.state if state else None)

    hass.bus.async_listen(EVENT_IMAGE_ANALYZED, read_sensor)
    # First a new sensor, then an existing one with a new description.
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="porch",
        use_text_model=True,
    )
    assert seen[0] == RED_640
    assert seen[1] is not None
    assert seen[1] != RED_640
    assert state_of(hass, "sensor.front_door_porch").state == seen[1]


async def test_removed_sensor_comes_back_with_the_next_result(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    entity_registry: er.EntityRegistry,
) -> None:
    """A user may delete an image sensor; analysing the name again recreates it."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    entity_registry.async_remove("sensor.front_door_porch")
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_porch") is None

    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert result["entity_id"] == "sensor.front_door_porch"
    assert state_of(hass, "sensor.front_door_porch").state == RED_640


async def test_last_duration_follows_results_and_restores(
    hass: HomeAssistant,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    door_jpeg: str,
) -> None:
    """The last analysis duration comes back after a restart, then follows results."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.front_door_last_analysis_duration", "4.2"),
                {"native_value": 4.2, "native_unit_of_measurement": "s"},
            )
        ],
    )
    await load_entry()
    state = state_of(hass, "sensor.front_door_last_analysis_duration")
    assert state.state == "4.2"
    assert state.attributes["unit_of_measurement"] == "s"

    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    state = state_of(hass, "sensor.front_door_last_analysis_duration")
    assert float(state.state) == result["timings"]["total"]
    assert state.state != "4.2"


async def test_names_without_letters_get_their_own_entity_ids(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    entity_registry: er.EntityRegistry,
) -> None:
    """ "!!!" would add nothing to the setup's name: it adds image_<hash>, one per name."""
    first = await analyze(hass, response=True, image_url=door_jpeg, image_name="!!!")
    other = await analyze(hass, response=True, image_url=door_jpeg, image_name="???")
    assert re.fullmatch(r"sensor\.front_door_image_[0-9a-f]{8}", first["entity_id"])
    assert re.fullmatch(r"sensor\.front_door_image_[0-9a-f]{8}", other["entity_id"])
    assert first["entity_id"] != other["entity_id"]
    state = hass.states.get(first["entity_id"])
    assert state is not None
    assert state.name == "Front door !!!"

    # Stable: made again after a removal, it gets the same id, not a counter.
    entity_registry.async_remove(first["entity_id"])
    await hass.async_block_till_done()
    again = await analyze(hass, response=True, image_url=door_jpeg, image_name="!!!")
    assert again["entity_id"] == first["entity_id"]


async def test_existing_sensors_keep_their_entity_ids(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    entity_registry: er.EntityRegistry,
) -> None:
    """A sensor made before (as `sensor.front_door` for "!!!") keeps its id: the registry's."""
    entry = make_entry()
    entity_registry.async_get_or_create(
        "sensor",
        "ollama_vision",
        f"{entry.entry_id}_image_!!!",
        config_entry=entry,
        suggested_object_id="front_door",
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    answer = await analyze(hass, response=True, image_url=door_jpeg, image_name="!!!")
    assert answer["entity_id"] == "sensor.front_door"
    assert state_of(hass, "sensor.front_door").state == RED_640


async def test_device_page_shows_both_models(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    device_registry: dr.DeviceRegistry,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The line under the device's name: the vision model, and the text model when on."""
    with_text = make_entry("Front door")
    vision_only = make_entry("Garden", text=False)
    # Setting up the integration sets up both.
    assert await hass.config_entries.async_setup(with_text.entry_id)
    await hass.async_block_till_done()

    def model(entry: MockConfigEntry) -> str | None:
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, entry.entry_id), entry.entry_id
        )
        assert device is not None
        return device.model

    assert model(with_text) == "moondream:latest + llama3.1:latest"
    assert model(vision_only) == "moondream:latest"

    # Reconfigured without the text model (and another vision model), it follows.
    result = await with_text.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_VISION_HOST: ollama_emulator.url, CONF_TEXT_MODEL_ENABLED: False},
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_VISION_MODEL: "llava"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert model(with_text) == "llava:latest"
