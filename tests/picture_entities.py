"""Entities that give pictures, for tests: a camera with a fixed snapshot, and a
Home Assistant view with a picture only an authenticated client may get."""

from collections.abc import Callable, Coroutine, Sequence
from typing import Any, override

from aiohttp import web

from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
from tests.images_factory import make_jpeg

SECRET_PATH = "/api/ollama_vision_test/secret.jpg"
SECRET_JPEG = make_jpeg(320, 240, colour=(20, 200, 20))


class StillCamera(Camera):
    """A camera that returns the picture it is given (a test may change it)."""

    def __init__(self, name: str, picture: bytes | None, *, on: bool = True) -> None:
        super().__init__()
        self._attr_name = name
        self._attr_is_on = on
        self.picture = picture
        self.shots = 0

    @override
    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        self.shots += 1
        return self.picture


type SetupPlatform = Callable[
    [HomeAssistant, ConfigType, AddEntitiesCallback, DiscoveryInfoType | None],
    Coroutine[Any, Any, None],
]


def platform(make: Callable[[HomeAssistant], Sequence[Entity]]) -> SetupPlatform:
    """An async_setup_platform adding the entities make() builds."""

    async def setup(
        hass: HomeAssistant,
        config: ConfigType,
        add_entities: AddEntitiesCallback,
        discovery_info: DiscoveryInfoType | None = None,
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
