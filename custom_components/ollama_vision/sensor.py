"""Sensors: one per analysed image name, plus the setup's diagnostics."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import ATTR_ENTITY_PICTURE, EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util.signal_type import SignalTypeFormat

from .const import MAX_STATE_LENGTH
from .coordinator import ServerStatusCoordinator
from .entity import (
    SIGNAL_PICTURE_LINK,
    TEXT_MODEL_KEY,
    ImageNameEntities,
    OllamaVisionEntity,
    image_key,
    image_object_id,
    image_sensor_entries,
    picture_link,
)
from .pipeline.job import AnalysisResult
from .pipeline.payload import result_data
from .pipeline.sink import SIGNAL_IMAGE_ANALYZED, SIGNAL_QUEUE_CHANGED
from .runtime import OllamaVisionConfigEntry, OllamaVisionRuntime

PARALLEL_UPDATES = 0

# Kept on the entity but out of the recorder: prompts rarely change and are long,
# and structured data has no size limit (the recorder drops all attributes of a
# state whose attributes pass 16 KiB). The entity picture holds the image
# entity's token, which core's image entities keep out of the recorder too.
UNRECORDED_IMAGE_ATTRIBUTES = frozenset(
    {"prompt", "text_prompt", "data", ATTR_ENTITY_PICTURE}
)
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
    "frames",  # which pictures went to the model, and their times in a clip
    "key_frame",  # which of them best shows what happened
    "data",  # only after a call with a structure
    "importance",  # only after a call that asked for it
    "last_checked",  # only after a call that skips unchanged pictures
    "snapshot",
    "snapshot_url",
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
    # A signal (formatted with the entry id) that changes the value between polls.
    signal: SignalTypeFormat[()] | None = None


# Off until enabled: the models are on the device page already, and the queue
# length changes with every call (history noise few people read). Connectivity
# and the last duration stay on: automations and dashboards use them.
VISION_MODEL = RuntimeSensorDescription(
    key="vision_model",
    translation_key="vision_model",
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    value_fn=lambda runtime: runtime.settings.vision.label,
    available_fn=lambda runtime: runtime.coordinator.data.vision_reachable,
)
TEXT_MODEL = RuntimeSensorDescription(
    key=TEXT_MODEL_KEY,
    translation_key="text_model",
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    value_fn=lambda runtime: (
        runtime.settings.text.label if runtime.settings.text else None
    ),
    available_fn=lambda runtime: runtime.coordinator.data.text_reachable,
)
JOBS_WAITING = RuntimeSensorDescription(
    key="jobs_waiting",
    translation_key="jobs_waiting",
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=lambda runtime: runtime.queue.waiting,
    signal=SIGNAL_QUEUE_CHANGED,
)
LAST_DURATION = SensorEntityDescription(
    key="last_analysis_duration",
    translation_key="last_analysis_duration",
    entity_category=EntityCategory.DIAGNOSTIC,
    device_class=SensorDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.SECONDS,
    suggested_display_precision=1,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the diagnostics, bring back the image sensors, and watch for new ones."""
    runtime = entry.runtime_data
    descriptions = [VISION_MODEL, JOBS_WAITING]
    if runtime.settings.text is not None:
        descriptions.insert(1, TEXT_MODEL)
    async_add_entities(
        RuntimeSensor(entry, description) for description in descriptions
    )
    async_add_entities([LastDurationSensor(entry)])

    # One sensor per image name while it is in Home Assistant: rebuilt from
    # the registry here, added when a name is analysed for the first time or
    # again after the user removed its sensor.
    sensors: ImageNameEntities[ImageDescriptionSensor] = ImageNameEntities()
    async_add_entities(
        sensors.track(image_name, ImageDescriptionSensor(entry, image_name))
        for image_name in image_sensor_entries(er.async_get(hass), entry.entry_id)
    )

    @callback
    def show_result(result: AnalysisResult) -> None:
        image_name = result.request.image_name
        if (sensor := sensors.get(image_name)) is not None:
            sensor.async_show(result)
        else:
            sensor = ImageDescriptionSensor(entry, image_name, result)
            async_add_entities([sensors.track(image_name, sensor)])

    entry.async_on_unload(
        async_dispatcher_connect(
            hass, SIGNAL_IMAGE_ANALYZED.format(entry.entry_id), show_result
        )
    )


class RuntimeSensor(
    OllamaVisionEntity, CoordinatorEntity[ServerStatusCoordinator], SensorEntity
):
    """A diagnostic value of the setup, refreshed with the polls and the queue."""

    entity_description: RuntimeSensorDescription

    def __init__(
        self, entry: OllamaVisionConfigEntry, description: RuntimeSensorDescription
    ) -> None:
        """Describe one diagnostic value."""
        OllamaVisionEntity.__init__(self, entry, description.key)
        CoordinatorEntity.__init__(self, entry.runtime_data.coordinator)
        self.entity_description = description

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the polls, and the value's own signal when it has one."""
        await super().async_added_to_hass()
        if (signal := self.entity_description.signal) is not None:
            self.async_on_remove(
                async_dispatcher_connect(
                    self.hass,
                    signal.format(self._entry.entry_id),
                    self.async_write_ha_state,
                )
            )

    @property
    @override
    def available(self) -> bool:
        """Unavailable while the value's source is."""
        return self.entity_description.available_fn(self._entry.runtime_data)

    @property
    @override
    def native_value(self) -> StateType:
        """The current value."""
        return self.entity_description.value_fn(self._entry.runtime_data)


class LastDurationSensor(OllamaVisionEntity, RestoreSensor):
    """How long the latest analysis took; kept across restarts."""

    entity_description = LAST_DURATION

    def __init__(self, entry: OllamaVisionConfigEntry) -> None:
        """Describe the duration sensor of a setup."""
        super().__init__(entry, LAST_DURATION.key)

    @override
    async def async_added_to_hass(self) -> None:
        """Bring back the last duration, then follow new results."""
        await super().async_added_to_hass()
        if (last_data := await self.async_get_last_sensor_data()) is not None:
            self._attr_native_value = last_data.native_value
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_IMAGE_ANALYZED.format(self._entry.entry_id),
                self._async_show,
            )
        )

    @callback
    def _async_show(self, result: AnalysisResult) -> None:
        if result.unchanged:  # no analysis: the model was not asked
            return
        self._attr_native_value = result.duration
        self.async_write_ha_state()


class ImageDescriptionSensor(OllamaVisionEntity, RestoreSensor):
    """The latest description of one image name; kept across restarts.

    Its entity picture is its image entity's link, so entity lists and the
    more-info dialog show the picture beside the words.
    """

    _unrecorded_attributes = UNRECORDED_IMAGE_ATTRIBUTES
    _attr_translation_key = "image"

    def __init__(
        self,
        entry: OllamaVisionConfigEntry,
        image_name: str,
        result: AnalysisResult | None = None,
    ) -> None:
        """Create the sensor of `image_name`, showing `result` when given."""
        super().__init__(entry, image_key(image_name))
        self.image_name = image_name
        self._attr_name = image_name
        self._attr_extra_state_attributes: dict[str, Any] = {}
        if result is not None:
            self._apply(result)

    @property
    @override
    def suggested_object_id(self) -> str:
        """The image name, for the entity id Home Assistant makes on the first result.

        It puts the setup's name in front. A name with no letters or digits
        would add nothing (`sensor.front_door` for "!!!"), so it adds
        `image_<hash>` instead. Later the id comes from the registry.
        """
        return image_object_id(self.image_name)

    @override
    async def async_added_to_hass(self) -> None:
        """Bring back the last description after a restart; follow the picture."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_PICTURE_LINK.format(self._entry.entry_id, self.image_name),
                self._async_show_link,
            )
        )
        self._attr_entity_picture = self._picture_link()
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
        """Show a new result, and its picture (the image entity shows it already);
        one that repeats the shown analysis (the picture had not changed) only
        says when it was checked."""
        if result.unchanged and self._attr_native_value is not None:
            self._attr_extra_state_attributes["last_checked"] = (
                result.checked_at.isoformat()
            )
        else:
            self._apply(result)
            self._attr_entity_picture = self._picture_link()
        self.async_write_ha_state()

    @callback
    def _async_show_link(self, link: str | None) -> None:
        """The image entity came, went or lost its picture: one write, if it shows."""
        if link != self._attr_entity_picture:
            self._attr_entity_picture = link
            self.async_write_ha_state()

    def _picture_link(self) -> str | None:
        return picture_link(self.hass, self._entry.entry_id, self.image_name)

    def _apply(self, result: AnalysisResult) -> None:
        self._attr_native_value = state_text(result.final_description)
        # The same fields as the event, under the original's attribute names.
        data = result_data(self._entry, result, None)
        data["full_description"] = data.pop("description")
        data["duration"] = result.duration
        if "checked_at" in data:
            data["last_checked"] = data.pop("checked_at")
        self._attr_extra_state_attributes = {
            key: data[key] for key in IMAGE_ATTRIBUTES if key in data
        }
