"""Pictures of camera and image entities, taken in-process.

A caller can name an entity's picture three ways: the entity itself
(`image_entity`), its media item (`media-source://camera/<entity_id>`,
`media-source://image/<entity_id>`) or its proxy path (`/api/camera_proxy/<entity_id>`,
`/api/image_proxy/<entity_id>`, and their `_stream` variants, which would give an
endless stream: one still is taken instead). Each way, the picture comes from the
camera or image integration's `async_get_image`, as core's ai_task takes its
camera and image attachments: nothing goes out over HTTP and back in.
"""

from dataclasses import dataclass
import math
from typing import Final

from yarl import URL

from homeassistant.core import HomeAssistant, split_entity_id, valid_entity_id
from homeassistant.exceptions import HomeAssistantError

from .source import (
    IMAGE_DOMAINS,
    ImageError,
    ImageErrorCode,
    ImageLimits,
    ImageSource,
    check_size,
)

_PROXY_PATHS: Final = {
    "/api/camera_proxy/": "camera",
    "/api/camera_proxy_stream/": "camera",
    "/api/image_proxy/": "image",
    "/api/image_proxy_stream/": "image",
}
_MEDIA_PREFIXES: Final = {
    f"media-source://{domain}/": domain for domain in IMAGE_DOMAINS
}
_KIND_NAMES: Final = {"camera": "camera", "image": "image entity"}


@dataclass(frozen=True, slots=True)
class EntityPicture:
    """The picture of an entity, as one source names it.

    domains: the entity domains the source can name (a camera proxy path names
    only cameras). code: None when the source is the entity itself, whose
    failures have the entity codes; else the code a failure is reported with
    (that of a path, or of a media item), the reason saying what went wrong.
    """

    entity_id: str
    domains: tuple[str, ...] = IMAGE_DOMAINS
    code: ImageErrorCode | None = None


def picture_of_path(api_path: URL) -> EntityPicture | None:
    """The entity picture a canonical /api/ path shows, if it is a proxy path."""
    for prefix, domain in _PROXY_PATHS.items():
        if api_path.path.startswith(prefix):
            return EntityPicture(
                api_path.path.removeprefix(prefix),
                (domain,),
                ImageErrorCode.FETCH_FAILED,
            )
    return None


def picture_of_media(media_id: str) -> EntityPicture | None:
    """The entity picture a media-source id names, if it is a camera or image item."""
    for prefix, domain in _MEDIA_PREFIXES.items():
        if media_id.startswith(prefix):
            return EntityPicture(
                media_id.removeprefix(prefix), (domain,), ImageErrorCode.MEDIA_FAILED
            )
    return None


def check_entity(
    hass: HomeAssistant, picture: EntityPicture, source: ImageSource
) -> str:
    """The entity's domain, once it is known to exist in one of picture.domains."""
    entity_id = picture.entity_id
    if not valid_entity_id(entity_id) or hass.states.get(entity_id) is None:
        raise _error(picture, source, ImageErrorCode.ENTITY_NOT_FOUND)
    domain = split_entity_id(entity_id)[0]
    if domain not in picture.domains:
        raise _error(picture, source, ImageErrorCode.ENTITY_NOT_FOUND)
    return domain


async def async_take_picture(
    hass: HomeAssistant,
    picture: EntityPicture,
    source: ImageSource,
    limits: ImageLimits,
) -> bytes:
    """The entity's current picture, within limits.max_bytes and limits.timeout."""
    domain = check_entity(hass, picture, source)
    if domain not in hass.config.components:
        raise _error(picture, source, ImageErrorCode.ENTITY_UNAVAILABLE)

    # Imported late: camera pulls in its own requirements, which a setup
    # without cameras may not have installed.
    from homeassistant.components import camera, image

    timeout = max(1, math.ceil(limits.timeout))
    try:
        if domain == "camera":
            snapshot = await camera.async_get_image(
                hass, picture.entity_id, timeout=timeout
            )
            content = snapshot.content
        else:
            still = await image.async_get_image(
                hass, picture.entity_id, timeout=timeout
            )
            content = still.content
    except HomeAssistantError as err:  # camera off, no image yet, timed out
        raise _error(picture, source, ImageErrorCode.ENTITY_UNAVAILABLE) from err
    check_size(len(content), source, limits.max_bytes)
    return content


def _error(
    picture: EntityPicture, source: ImageSource, code: ImageErrorCode
) -> ImageError:
    """The error for an entity that is missing or has no picture, as the source
    that named it reports it."""
    if picture.code is None:
        return ImageError(code, source.value)
    entity_id = picture.entity_id
    if code is ImageErrorCode.ENTITY_NOT_FOUND:
        kind = " or ".join(_KIND_NAMES[domain] for domain in picture.domains)
        reason = f"there is no {kind} {entity_id}"
    else:
        reason = (
            f"{entity_id} has no picture to give right now"
            " (it may be off or unavailable)"
        )
    return ImageError(picture.code, source.value, reason=reason)
