"""One source of pictures: what it is, its limits, and why it could not be used."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Final

from homeassistant.exceptions import HomeAssistantError

from ..const import DOMAIN
from ..ollama.redact import redact_credentials

# Entity domains that give pictures; the action refuses others up front.
IMAGE_DOMAINS: Final = ("camera", "image")


class ImageSourceKind(StrEnum):
    """Where an image comes from."""

    URL = "url"
    ENTITY = "entity"
    MEDIA = "media"
    # A file Home Assistant resolved already, such as an AI Task attachment.
    FILE = "file"
    # Videos (see sources/video.py): a URL, /api/ path, file or media id; a Frigate event id.
    VIDEO = "video"
    FRIGATE_EVENT = "frigate_event"


class ImageErrorCode(StrEnum):
    """Why an image could not be used; also its translation key."""

    FETCH_FAILED = "image_fetch_failed"
    FETCH_TIMEOUT = "image_fetch_timeout"
    TOO_LARGE = "image_too_large"
    NOT_AN_IMAGE = "image_not_an_image"
    TOO_MANY_PIXELS = "image_too_many_pixels"
    PATH_NOT_ALLOWED = "image_path_not_allowed"
    FILE_NOT_FOUND = "image_file_not_found"
    UNSUPPORTED_SCHEME = "image_unsupported_scheme"
    ENTITY_NOT_FOUND = "image_entity_not_found"
    ENTITY_UNAVAILABLE = "image_entity_unavailable"
    MEDIA_FAILED = "image_media_failed"
    PATH_INVALID = "image_path_invalid"


@dataclass(frozen=True, slots=True)
class ImageSource:
    """One image to fetch.

    value is, by kind: a URL, a Home Assistant path (/api/...) or a local file
    path (absolute or relative to the config folder); an entity_id; a
    media-source content id; for a resolved FILE, the item it came from, while
    path is the file to read.
    """

    kind: ImageSourceKind
    value: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Limits applied to every source."""

    max_bytes: int = 20 * 1024 * 1024
    max_edge: int = 1280  # long-edge cap in pixels; 0 keeps the original size
    timeout: float = 30.0  # total seconds for fetching one source


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """An image ready for the model.

    data is a JPEG: the original bytes when they were already a JPEG within
    max_edge, else a re-encoded one, upright (EXIF orientation applied).
    picture_hash is its difference hash (media/picture_hash.py) for a still
    picture; a video's frames have none.
    """

    source: ImageSource
    data: bytes
    picture_hash: int | None = None


class ImageError(HomeAssistantError):
    """An image source could not be used; code is the translation key."""

    code: str

    def __init__(self, code: StrEnum, source: str, **placeholders: str) -> None:
        """Create the error for source, with the placeholders its message needs."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=code.value,
            # Reasons can repeat a URL too (aiohttp's invalid-URL error does).
            translation_placeholders={
                key: redact_credentials(value)
                for key, value in {"source": source, **placeholders}.items()
            },
        )
        self.code = code.value


def check_size(size: int, source: ImageSource, max_bytes: int) -> None:
    """Refuse more than max_bytes of a source."""
    if size > max_bytes:
        raise ImageError(
            ImageErrorCode.TOO_LARGE,
            source.value,
            limit_mb=f"{max_bytes / (1024 * 1024):.3g}",
        )


def public_image_url(value: str) -> str:
    """Return how a source is reported: www/x as local/x, as HA serves it.

    A password in a URL (http://user:pass@camera/...) never reaches events,
    sensors or messages.
    """
    parts = PurePosixPath(value).parts
    if len(parts) > 1 and parts[0] == "www" and ".." not in parts:
        return "/".join(("local", *parts[1:]))
    return redact_credentials(value)
