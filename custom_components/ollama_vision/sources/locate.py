"""What a source names: a web URL, a path of this Home Assistant, an entity's
picture, a local file or a media item.

One reading serves both the checks made before a job is queued (sources/check.py)
and the fetch (sources/fetch.py), so the two always agree on what a value means.
Reading a value does no I/O; what it cannot be is an ImageError at once.
"""

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from yarl import URL

from .entities import EntityPicture, picture_of_media, picture_of_path
from .local_api import API_PREFIX, InvalidApiPathError, canonical_api_path
from .source import ImageError, ImageErrorCode, ImageSource, ImageSourceKind

MEDIA_SOURCE_PREFIX: Final = "media-source://"
_WEB_SCHEMES: Final = ("http", "https")


@dataclass(frozen=True, slots=True)
class WebUrl:
    """An http(s) URL, downloaded with the shared session."""

    url: str


@dataclass(frozen=True, slots=True)
class HomeAssistantPath:
    """A canonical /api/ path of this Home Assistant other than a proxy path,
    fetched through the relay (sources/local_api.py)."""

    path: URL


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A local file as given: relative, absolute, or a www spelling (sources/files.py)."""

    location: str


@dataclass(frozen=True, slots=True)
class ResolvedFile:
    """A file Home Assistant resolved already (an AI Task attachment, perhaps in a
    temporary file of its own): no allowlist applies, the size cap does."""

    path: str


@dataclass(frozen=True, slots=True)
class MediaItem:
    """A media-source item, resolved when it is fetched."""

    media_id: str


type Target = (
    WebUrl | HomeAssistantPath | EntityPicture | LocalFile | ResolvedFile | MediaItem
)


def locate(source: ImageSource) -> Target:
    """What source names. A Frigate event names no one thing (sources/video.py
    asks for its clip, then its snapshot): a ValueError."""
    if source.kind is ImageSourceKind.FRIGATE_EVENT:
        raise ValueError("a Frigate event is fetched as its clip or snapshot")
    if source.kind is ImageSourceKind.ENTITY:
        return EntityPicture(source.value)
    if source.kind is ImageSourceKind.FILE or source.path is not None:
        return ResolvedFile(source.path or source.value)
    if source.kind is ImageSourceKind.MEDIA or (
        source.kind is ImageSourceKind.VIDEO
        and source.value.startswith(MEDIA_SOURCE_PREFIX)
    ):
        return _locate_media(source.value, source)
    return _locate_location(source.value, source)


def locate_resolved_url(url: str, source: ImageSource) -> Target:
    """What the URL a media item resolved to names: a path of this Home
    Assistant (a camera's stream, say) or a web URL."""
    if url.startswith("/"):
        return _locate_api_path(url, source)
    if _scheme(url, source) in _WEB_SCHEMES:
        return WebUrl(url)
    raise ImageError(ImageErrorCode.UNSUPPORTED_SCHEME, source.value)


def _locate_location(location: str, source: ImageSource) -> Target:
    """A URL, a Home Assistant /api/ path or a local file."""
    if location.startswith(API_PREFIX):
        return _locate_api_path(location, source)
    scheme = _scheme(location, source)
    if scheme in _WEB_SCHEMES:
        return WebUrl(location)
    if scheme:
        raise ImageError(ImageErrorCode.UNSUPPORTED_SCHEME, source.value)
    return LocalFile(location)


def _locate_api_path(
    path: str, source: ImageSource
) -> HomeAssistantPath | EntityPicture:
    try:
        api_path = canonical_api_path(path)
    except InvalidApiPathError as err:
        raise ImageError(
            ImageErrorCode.PATH_INVALID, source.value, reason=str(err)
        ) from err
    return picture_of_path(api_path) or HomeAssistantPath(api_path)


def _locate_media(media_id: str, source: ImageSource) -> MediaItem | EntityPicture:
    # Imported late, like every media_source use: a setup may not load it.
    from homeassistant.components import media_source

    if not media_source.is_media_source_id(media_id):
        raise ImageError(
            ImageErrorCode.MEDIA_FAILED,
            source.value,
            reason="not a media-source:// content id",
        )
    return picture_of_media(media_id) or MediaItem(media_id)


def _scheme(location: str, source: ImageSource) -> str:
    """The scheme of a location, lower case; a broken URL is the caller's error."""
    try:
        return urlsplit(location).scheme.lower()
    except ValueError as err:  # an unclosed "[" of an IPv6 address, for one
        raise ImageError(
            ImageErrorCode.FETCH_FAILED, source.value, reason="not a valid URL"
        ) from err
