"""What every Ollama Vision entity shares: the setup's device, an image name's entities."""

from homeassistant.const import ATTR_ENTITY_PICTURE, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.util.signal_type import SignalTypeFormat

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
# An image name has a sensor (its description) and an image entity (its latest
# picture), with the same unique id on the two platforms.
IMAGE_NAME_PLATFORMS = (Platform.SENSOR, Platform.IMAGE)
# Sent by an image entity when its picture's link changes other than with a
# new result: it was added, lost its picture, or is being removed (format with
# the entry id and the image name; the link, or None). The image name's sensor
# shows the link as its entity picture; a new result reaches the sensor itself.
SIGNAL_PICTURE_LINK: SignalTypeFormat[str | None] = SignalTypeFormat(
    f"{DOMAIN}_{{}}_picture_link_{{}}"
)


def unique_id(entry_id: str, key: str) -> str:
    """The unique id of a setup's entity: the entry id, then the entity's key."""
    return f"{entry_id}_{key}"


def image_key(image_name: str) -> str:
    """The key of the sensor and the image entity of `image_name`."""
    return f"{IMAGE_KEY_PREFIX}{image_name}"


def image_object_id(image_name: str) -> str:
    """What an image name's entity ids are made of, after the setup's name.

    The name itself, unless it has no letters or digits: then the same
    `image_<hash>` as its snapshots' file names, one per such name.
    """
    return image_name if has_slug(image_name) else image_slug(image_name)


def image_unique_id(entry_id: str, image_name: str) -> str:
    """The unique id of the sensor and the image entity of `image_name`."""
    return unique_id(entry_id, image_key(image_name))


def image_name_of(entry_id: str, unique_id: str) -> str | None:
    """The image name an image sensor's (or image entity's) unique id was built
    from, else None."""
    prefix = image_unique_id(entry_id, "")
    return unique_id.removeprefix(prefix) if unique_id.startswith(prefix) else None


def image_name_entries(
    registry: er.EntityRegistry, entry_id: str, platform: Platform
) -> dict[str, er.RegistryEntry]:
    """A setup's image sensors (or image entities) in the registry, by image name."""
    return {
        image_name: registry_entry
        for registry_entry in er.async_entries_for_config_entry(registry, entry_id)
        if registry_entry.domain == platform
        and (image_name := image_name_of(entry_id, registry_entry.unique_id))
    }


def image_sensor_entries(
    registry: er.EntityRegistry, entry_id: str
) -> dict[str, er.RegistryEntry]:
    """A setup's image sensors in the registry, by image name."""
    return image_name_entries(registry, entry_id, Platform.SENSOR)


def image_sensor_id(hass: HomeAssistant, entry_id: str, image_name: str) -> str | None:
    """The entity id of the sensor that describes `image_name`, if it exists."""
    return er.async_get(hass).async_get_entity_id(
        Platform.SENSOR, DOMAIN, image_unique_id(entry_id, image_name)
    )


def picture_link(hass: HomeAssistant, entry_id: str, image_name: str) -> str | None:
    """Where the image entity of `image_name` serves its picture, while it has one.

    Read from its state, so only a link to an image entity that is there now:
    a link to one that is not (removed, disabled) would make Home Assistant
    answer a browser 401, and count a failed login.
    """
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.IMAGE, DOMAIN, image_unique_id(entry_id, image_name)
    )
    state = hass.states.get(entity_id) if entity_id is not None else None
    link = state.attributes.get(ATTR_ENTITY_PICTURE) if state is not None else None
    return link if isinstance(link, str) else None


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


class ImageNameEntities[EntityT: Entity]:
    """A platform's entity of each image name, while it is in Home Assistant."""

    def __init__(self) -> None:
        """Start with none."""
        self._entities: dict[str, EntityT] = {}

    def track(self, image_name: str, entity: EntityT) -> EntityT:
        """Make `entity` the image name's; it is forgotten once it leaves the
        registry or is disabled (a disabled one is never added)."""
        self._entities[image_name] = entity

        def forget() -> None:
            if self.get(image_name) is None:
                self._entities.pop(image_name, None)

        entity.async_on_remove(forget)
        return entity

    def get(self, image_name: str) -> EntityT | None:
        """The image name's entity, if it is still in Home Assistant.

        Checked here rather than only when it is removed: a new entity id
        removes the entity and adds the same object again (which must stay,
        or the next result would add a second one for the name), and that
        takes the removal's callbacks with it.
        """
        entity = self._entities.get(image_name)
        if entity is None:
            return None
        registry_entry = entity.registry_entry
        if registry_entry is None or registry_entry.disabled:
            return None
        return entity

    def live(self) -> list[EntityT]:
        """Every image name's entity that is still in Home Assistant."""
        return [
            entity
            for image_name in self._entities
            if (entity := self.get(image_name)) is not None
        ]
