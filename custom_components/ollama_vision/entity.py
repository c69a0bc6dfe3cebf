"""What every Ollama Vision entity shares: the setup's device."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .runtime import OllamaVisionConfigEntry
from .settings import EntrySettings
from .timeline.snapshot_files import has_slug, image_slug

IMAGE_KEY_PREFIX = "image_"
TEXT_MODEL_KEY = "text_model"
TEXT_SERVER_KEY = "text_server"
TIMELINE_KEY = "timeline"
# The entities a setup has only while it has a text model.
TEXT_MODEL_ENTITIES = (
    (Platform.SENSOR, TEXT_MODEL_KEY),
    (Platform.BINARY_SENSOR, TEXT_SERVER_KEY),
)


def unique_id(entry_id: str, key: str) -> str:
    """The unique id of a setup's entity: the entry id, then the entity's key."""
    return f"{entry_id}_{key}"


def image_key(image_name: str) -> str:
    """The key of the sensor that describes `image_name`."""
    return f"{IMAGE_KEY_PREFIX}{image_name}"


def image_object_id(image_name: str) -> str:
    """What an image sensor's entity id is made of, after the setup's name.

    The name itself, unless it has no letters or digits: then the same
    `image_<hash>` as its snapshots' file names, one per such name.
    """
    return image_name if has_slug(image_name) else image_slug(image_name)


def image_unique_id(entry_id: str, image_name: str) -> str:
    """The unique id of the sensor that describes `image_name`."""
    return unique_id(entry_id, image_key(image_name))


def image_name_of(entry_id: str, unique_id: str) -> str | None:
    """The image name an image sensor's unique id was built from, else None."""
    prefix = image_unique_id(entry_id, "")
    return unique_id.removeprefix(prefix) if unique_id.startswith(prefix) else None


def image_sensor_entries(
    registry: er.EntityRegistry, entry_id: str
) -> dict[str, er.RegistryEntry]:
    """A setup's image sensors in the registry, by image name."""
    return {
        image_name: registry_entry
        for registry_entry in er.async_entries_for_config_entry(registry, entry_id)
        if registry_entry.domain == Platform.SENSOR
        and (image_name := image_name_of(entry_id, registry_entry.unique_id))
    }


def image_entity_id(hass: HomeAssistant, entry_id: str, image_name: str) -> str | None:
    """The entity id of the sensor that describes `image_name`, if it exists."""
    return er.async_get(hass).async_get_entity_id(
        Platform.SENSOR, DOMAIN, image_unique_id(entry_id, image_name)
    )


def device_model(settings: EntrySettings) -> str:
    """The models a setup runs: the vision model, then `+` and the text model.

    A device has one model field, the line under its name on the device page,
    and here that is what the service runs: core's Ollama puts the model there
    too. Model names need no translation, and `+` none either.
    """
    if settings.text is None:
        return settings.vision.model
    return f"{settings.vision.model} + {settings.text.model}"


def timeline_calendar_id(hass: HomeAssistant, entry_id: str) -> str | None:
    """The entity id of a setup's timeline calendar, if it is registered."""
    return er.async_get(hass).async_get_entity_id(
        Platform.CALENDAR, DOMAIN, unique_id(entry_id, TIMELINE_KEY)
    )


def device_info(entry: OllamaVisionConfigEntry) -> DeviceInfo:
    """One device per setup, named as the setup, with its models."""
    settings = entry.runtime_data.settings
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=settings.name,
        manufacturer="Ollama",
        model=device_model(settings),
        entry_type=DeviceEntryType.SERVICE,
    )


class OllamaVisionEntity(Entity):
    """Base of the setup's entities."""

    _attr_has_entity_name = True

    def __init__(self, entry: OllamaVisionConfigEntry, key: str) -> None:
        """Attach the entity to the setup's device."""
        self._entry = entry
        self._attr_unique_id = unique_id(entry.entry_id, key)
        self._attr_device_info = device_info(entry)


@callback
def async_remove_text_model_entities(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the text model's entities, so they do not stay "Unavailable"."""
    registry = er.async_get(hass)
    for platform, key in TEXT_MODEL_ENTITIES:
        entity_id = registry.async_get_entity_id(
            platform, DOMAIN, unique_id(entry_id, key)
        )
        if entity_id is not None:
            registry.async_remove(entity_id)
