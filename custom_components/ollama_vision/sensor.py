"""Sensors: one per analysed image name, plus the setup's diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_platform, entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .analysis import AnalysisResult
from .const import MAX_STATE_LENGTH
from .entity import IMAGE_KEY_PREFIX, OllamaVisionEntity
from .events import result_data
from .runtime import OllamaVisionConfigEntry, OllamaVisionRuntime

PARALLEL_UPDATES = 0

# Kept on the entity but out of the recorder: prompts rarely change and are long.
UNRECORDED_IMAGE_ATTRIBUTES = frozenset({"prompt", "text_prompt"})
IMAGE_ATTRIBUTES = (
    "integration_id",
    "image_url",
    "prompt",
    "full_description",
    "used_text_model",
    "text_prompt",
    "final_description",
    "analyzed_at",
    "vision_model",
    "text_model",
    "duration",
)


def state_text(text: str) -> str:
    """Cut a description to what a state can hold, at a word boundary."""
    if len(text) <= MAX_STATE_LENGTH:
        return text
    cut = text[: MAX_STATE_LENGTH - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


@dataclass(frozen=True, kw_only=True)
class RuntimeSensorDescription(SensorEntityDescription):
    """A diagnostic sensor whose value comes from the setup's runtime."""

    value_fn: Callable[[OllamaVisionRuntime], StateType]
    available_fn: Callable[[OllamaVisionRuntime], bool] = lambda _: True


VISION_MODEL = RuntimeSensorDescription(
    key="vision_model",
    translation_key="vision_model",
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda runtime: runtime.settings.vision.label,
    available_fn=lambda runtime: runtime.coordinator.data.vision_reachable,
)
TEXT_MODEL = RuntimeSensorDescription(
    key="text_model",
    translation_key="text_model",
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda runtime: (
        runtime.settings.text.label if runtime.settings.text else None
    ),
    available_fn=lambda runtime: runtime.coordinator.data.text_reachable,
)
JOBS_WAITING = RuntimeSensorDescription(
    key="jobs_waiting",
    translation_key="jobs_waiting",
    entity_category=EntityCategory.DIAGNOSTIC,
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=lambda runtime: runtime.queue.waiting,
)
LAST_DURATION = RuntimeSensorDescription(
    key="last_analysis_duration",
    translation_key="last_analysis_duration",
    entity_category=EntityCategory.DIAGNOSTIC,
    device_class=SensorDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.SECONDS,
    suggested_display_precision=1,
    value_fn=lambda runtime: (
        runtime.last_result.duration if runtime.last_result else None
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the diagnostics, bring back the image sensors, and watch for new ones."""
    runtime = entry.runtime_data
    descriptions = [VISION_MODEL, JOBS_WAITING, LAST_DURATION]
    if runtime.settings.text is not None:
        descriptions.insert(1, TEXT_MODEL)
    async_add_entities(
        RuntimeSensor(entry, description) for description in descriptions
    )

    sensors: dict[str, ImageDescriptionSensor] = {}
    registry = er.async_get(hass)
    prefix = f"{entry.entry_id}_{IMAGE_KEY_PREFIX}"
    for registry_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registry_entry.domain == "sensor" and registry_entry.unique_id.startswith(
            prefix
        ):
            image_name = registry_entry.unique_id.removeprefix(prefix)
            sensors[image_name] = ImageDescriptionSensor(entry, image_name)
    async_add_entities(sensors.values())

    platform = entity_platform.async_get_current_platform()

    async def record_image(result: AnalysisResult) -> str | None:
        image_name = result.request.image_name
        if (sensor := sensors.get(image_name)) is None or sensor.hass is None:
            sensor = sensors[image_name] = ImageDescriptionSensor(
                entry, image_name, result
            )
            # Awaited, so the entity exists and has its state before the event fires.
            await platform.async_add_entities([sensor])
        else:
            sensor.async_show(result)
        return sensor.entity_id if sensor.hass is not None else None

    runtime.record_image = record_image


class RuntimeSensor(OllamaVisionEntity, SensorEntity):
    """A diagnostic value of the setup."""

    entity_description: RuntimeSensorDescription

    def __init__(
        self, entry: OllamaVisionConfigEntry, description: RuntimeSensorDescription
    ) -> None:
        """Describe one diagnostic value."""
        super().__init__(entry, description.key)
        self.entity_description = description

    async def async_added_to_hass(self) -> None:
        """Follow the queue, the outcomes and the server polls."""
        runtime = self._entry.runtime_data
        self.async_on_remove(runtime.async_add_listener(self.async_write_ha_state))
        self.async_on_remove(
            runtime.coordinator.async_add_listener(self.async_write_ha_state)
        )

    @property
    def available(self) -> bool:
        """Unavailable while the value's source is."""
        return self.entity_description.available_fn(self._entry.runtime_data)

    @property
    def native_value(self) -> StateType:
        """The current value."""
        return self.entity_description.value_fn(self._entry.runtime_data)


class ImageDescriptionSensor(OllamaVisionEntity, RestoreSensor):
    """The latest description of one image name; kept across restarts."""

    _unrecorded_attributes = UNRECORDED_IMAGE_ATTRIBUTES
    _attr_translation_key = "image"

    def __init__(
        self,
        entry: OllamaVisionConfigEntry,
        image_name: str,
        result: AnalysisResult | None = None,
    ) -> None:
        """Create the sensor of `image_name`, showing `result` when given."""
        super().__init__(entry, f"{IMAGE_KEY_PREFIX}{image_name}")
        self._attr_name = image_name
        self._attr_extra_state_attributes: dict[str, Any] = {}
        if result is not None:
            self._apply(result)

    async def async_added_to_hass(self) -> None:
        """Bring back the last description after a restart."""
        await super().async_added_to_hass()
        if self._attr_native_value is not None:
            return
        if (last_data := await self.async_get_last_sensor_data()) is not None:
            self._attr_native_value = last_data.native_value
        if (last_state := await self.async_get_last_state()) is not None:
            self._attr_extra_state_attributes = {
                key: last_state.attributes[key]
                for key in IMAGE_ATTRIBUTES
                if key in last_state.attributes
            }

    @callback
    def async_show(self, result: AnalysisResult) -> None:
        """Show a new result."""
        self._apply(result)
        self.async_write_ha_state()

    def _apply(self, result: AnalysisResult) -> None:
        self._attr_native_value = state_text(result.final_description)
        # The same fields as the event, under the original's attribute names.
        data = result_data(self._entry.entry_id, result, None)
        data["full_description"] = data.pop("description")
        data["duration"] = result.duration
        self._attr_extra_state_attributes = {key: data[key] for key in IMAGE_ATTRIBUTES}
