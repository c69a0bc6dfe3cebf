"""Entities that give pictures, for tests: a camera with a fixed snapshot, and a
Home Assistant view with a picture only an authenticated client may get."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.http import HomeAssistantView
from tests.images_factory import make_jpeg

SECRET_PATH = "/api/ollama_vision_test/secret.jpg"
SECRET_JPEG = make_jpeg(320, 240, colour=(20, 200, 20))


class StillCamera(Camera):
    """A camera that returns a fixed picture."""

    def __init__(self, name: str, picture: bytes | None, *, on: bool = True) -> None:
        super().__init__()
        self._attr_name = name
        self._attr_is_on = on
        self._picture = picture

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        return self._picture


def platform(
    make: Callable[[HomeAssistant], list[Any]],
) -> Callable[..., Awaitable[None]]:
    """An async_setup_platform adding the entities make() builds."""

    async def setup(
        hass: HomeAssistant,
        config: Any,
        add_entities: AddEntitiesCallback,
        discovery_info: Any = None,
    ) -> None:
        add_entities(make(hass))

    return setup


class SecretImageView(HomeAssistantView):
    """A picture only an authenticated client may get."""

    url = SECRET_PATH
    name = "api:ollama_vision_test:secret"
    requires_auth = True

    async def get(self, request: web.Request) -> web.Response:
        return web.Response(body=SECRET_JPEG, content_type="image/jpeg")
