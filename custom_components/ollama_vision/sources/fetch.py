"""The bytes of one source: a URL, a Home Assistant path, a file, an entity or media.

Every source is size-capped and time-limited, and local files must be in a folder
Home Assistant allows. What the bytes are is checked later (sources.still for
pictures, sources.video for clips).
"""

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from http import HTTPStatus
import math
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant, split_entity_id, valid_entity_id
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..const import DOMAIN
from .local_api import (
    API_PREFIX,
    REFUSED_REASON,
    InvalidApiPathError,
    async_is_this_instance,
    canonical_api_path,
    relay_path,
    signed_url,
)
from .source import (
    IMAGE_DOMAINS,
    ImageError,
    ImageErrorCode,
    ImageLimits,
    ImageSource,
    ImageSourceKind,
)

_USER_AGENT: Final = f"HomeAssistant/{HA_VERSION} {DOMAIN}"
_MAX_REDIRECTS: Final = 5
_CHUNK_SIZE: Final = 64 * 1024
# A signed path must outlive the request it is made for, and not much more.
_SIGNATURE_MARGIN: Final = timedelta(seconds=10)
# Media sources of cameras and image entities resolve to endless MJPEG streams;
# the matching still-image endpoints return one frame.
_STILL_IMAGE_PATHS: Final = {
    "/api/camera_proxy_stream/": "/api/camera_proxy/",
    "/api/image_proxy_stream/": "/api/image_proxy/",
}
_WEB_SCHEMES: Final = ("http", "https")


async def async_fetch_source(
    hass: HomeAssistant, source: ImageSource, limits: ImageLimits
) -> bytes:
    """The raw bytes of one source, within limits.max_bytes and limits.timeout."""
    if source.kind is ImageSourceKind.ENTITY:
        return await _async_fetch_entity(hass, source, limits)
    if source.kind is ImageSourceKind.MEDIA:
        return await _async_fetch_media(hass, source, limits)
    if source.kind is ImageSourceKind.FILE:
        # Home Assistant resolved it (an attachment it may have put in a
        # temporary file itself): no allowlist applies, the size cap does.
        return await hass.async_add_executor_job(
            _read_capped, Path(source.path or source.value), source, limits.max_bytes
        )
    return await _async_fetch_location(hass, source.value, source, limits)


async def _async_fetch_location(
    hass: HomeAssistant, location: str, source: ImageSource, limits: ImageLimits
) -> bytes:
    """Fetch a URL, a Home Assistant /api/ path or a local file."""
    if location.startswith(API_PREFIX):
        return await _async_fetch_from_home_assistant(hass, location, source, limits)
    scheme = _scheme(location, source)
    if scheme in _WEB_SCHEMES:
        return await _async_download(hass, location, source, limits)
    if scheme:
        raise ImageError(ImageErrorCode.UNSUPPORTED_SCHEME, source.value)
    # hass.config.path keeps absolute paths and anchors relative ones.
    return await hass.async_add_executor_job(
        _read_file, hass, hass.config.path(location), source, limits.max_bytes
    )


def _scheme(location: str, source: ImageSource) -> str:
    """The scheme of a location, lower case; a broken URL is the caller's error."""
    try:
        return urlsplit(location).scheme.lower()
    except ValueError as err:  # an unclosed "[" of an IPv6 address, for one
        raise ImageError(
            ImageErrorCode.FETCH_FAILED, source.value, reason="not a valid URL"
        ) from err


async def _async_download(
    hass: HomeAssistant,
    url: str | URL,
    source: ImageSource,
    limits: ImageLimits,
    *,
    status_reasons: Mapping[int, str] | None = None,
    **request_options: Any,
) -> bytes:
    """GET url with the shared session, never reading more than max_bytes.

    status_reasons words the error for statuses the caller knows the meaning of.
    """
    session = async_get_clientsession(hass)
    try:
        async with (
            asyncio.timeout(limits.timeout),
            session.get(
                url,
                headers={"User-Agent": _USER_AGENT},
                # aiohttp refuses the redirect that reaches max_redirects.
                max_redirects=_MAX_REDIRECTS + 1,
                **request_options,
            ) as response,
        ):
            if not 200 <= response.status < 300:
                reason = f"HTTP {response.status}"
                if known := (status_reasons or {}).get(response.status):
                    reason = f"{reason}: {known}"
                raise ImageError(
                    ImageErrorCode.FETCH_FAILED, source.value, reason=reason
                )
            _check_size(response.content_length or 0, source, limits.max_bytes)
            body = bytearray()
            # Read in chunks so an endless or lying body stops at the cap.
            async for chunk in response.content.iter_chunked(_CHUNK_SIZE):
                body += chunk
                _check_size(len(body), source, limits.max_bytes)
            return bytes(body)
    except TimeoutError as err:
        raise ImageError(ImageErrorCode.FETCH_TIMEOUT, source.value) from err
    except aiohttp.ClientError as err:
        raise ImageError(
            ImageErrorCode.FETCH_FAILED, source.value, reason=_client_error_reason(err)
        ) from err


def _client_error_reason(err: aiohttp.ClientError) -> str:
    """Describe err; never with its URL, which may carry a signed token."""
    if isinstance(err, aiohttp.TooManyRedirects):
        return f"more than {_MAX_REDIRECTS} redirects"
    return str(err) or type(err).__name__


def _check_size(size: int, source: ImageSource, max_bytes: int) -> None:
    if size > max_bytes:
        raise ImageError(
            ImageErrorCode.TOO_LARGE,
            source.value,
            limit_mb=f"{max_bytes / (1024 * 1024):.3g}",
        )


async def _async_fetch_from_home_assistant(
    hass: HomeAssistant, path: str, source: ImageSource, limits: ImageLimits
) -> bytes:
    """Fetch a path from Home Assistant's own HTTP server, through the relay.

    The relay link is signed for the read-only content user, so views needing
    authentication (camera proxy, media) work without a user's token; the
    request goes straight to the local server, whatever internal URL is set.
    """
    from homeassistant.components.http.auth import async_sign_path

    if hass.config.api is None:
        raise ImageError(
            ImageErrorCode.FETCH_FAILED,
            source.value,
            reason="the Home Assistant HTTP server is not running",
        )
    try:
        api_path = canonical_api_path(path)
    except InvalidApiPathError as err:
        raise ImageError(
            ImageErrorCode.PATH_INVALID, source.value, reason=str(err)
        ) from err
    base = URL.build(
        scheme="https" if hass.config.api.use_ssl else "http",
        host=_local_host(hass.http.server_host),
        port=hass.http.server_port,
    )
    if not await async_is_this_instance(hass, async_get_clientsession(hass), base):
        raise ImageError(
            ImageErrorCode.FETCH_FAILED,
            source.value,
            reason=f"the server at {base.authority} is not this Home Assistant",
        )
    signed = async_sign_path(
        hass,
        relay_path(api_path),
        timedelta(seconds=limits.timeout) + _SIGNATURE_MARGIN,
        use_content_user=True,
    )
    # Over loopback the certificate (issued for the public name) cannot match.
    return await _async_download(
        hass,
        signed_url(base, signed),
        source,
        limits,
        status_reasons={HTTPStatus.FORBIDDEN: REFUSED_REASON},
        ssl=False,
        allow_redirects=False,
    )


def _local_host(bound_hosts: list[str] | None) -> str:
    """Return an address on this machine where the HTTP server listens."""
    hosts = bound_hosts or ["0.0.0.0"]  # HA's default binds every interface
    if "0.0.0.0" in hosts or "127.0.0.1" in hosts:
        return "127.0.0.1"
    if "::" in hosts or "::1" in hosts:
        return "::1"
    return hosts[0]


def _read_file(
    hass: HomeAssistant, path: str, source: ImageSource, max_bytes: int
) -> bytes:
    """Read an allowed local file (blocking: run in the executor)."""
    # Check the real target: '..' and symlinks must not lead out of the allowed
    # folders. (Since Python 3.13 a symlink loop resolves without raising.)
    try:
        real_path = Path(path).resolve()
    except (ValueError, OSError) as err:  # a NUL byte, a name too long
        raise ImageError(
            ImageErrorCode.FETCH_FAILED, source.value, reason="not a valid file path"
        ) from err
    # Checked before existence, so nothing is revealed about other folders.
    if not hass.config.is_allowed_path(str(real_path)):
        raise ImageError(ImageErrorCode.PATH_NOT_ALLOWED, source.value)
    return _read_capped(real_path, source, max_bytes)


def _read_capped(real_path: Path, source: ImageSource, max_bytes: int) -> bytes:
    """Read a file of at most max_bytes (blocking: run in the executor)."""
    # is_file() also keeps FIFOs and devices out: opening them could block.
    if not real_path.is_file():
        raise ImageError(ImageErrorCode.FILE_NOT_FOUND, source.value)
    try:
        _check_size(real_path.stat().st_size, source, max_bytes)
        with real_path.open("rb") as file:
            data = file.read(max_bytes + 1)  # the file may have grown
    except OSError as err:
        raise ImageError(
            ImageErrorCode.FETCH_FAILED, source.value, reason=err.strerror or str(err)
        ) from err
    _check_size(len(data), source, max_bytes)
    return data


async def _async_fetch_entity(
    hass: HomeAssistant, source: ImageSource, limits: ImageLimits
) -> bytes:
    """Take a snapshot from a camera or image entity, not over HTTP."""
    entity_id = source.value
    if not valid_entity_id(entity_id) or hass.states.get(entity_id) is None:
        raise ImageError(ImageErrorCode.ENTITY_NOT_FOUND, source.value)
    domain = split_entity_id(entity_id)[0]
    if domain not in IMAGE_DOMAINS:
        raise ImageError(ImageErrorCode.ENTITY_NOT_FOUND, source.value)
    if domain not in hass.config.components:
        raise ImageError(ImageErrorCode.ENTITY_UNAVAILABLE, source.value)

    # Imported late: camera pulls in its own requirements, which a setup
    # without cameras may not have installed.
    from homeassistant.components import camera, image

    timeout = max(1, math.ceil(limits.timeout))
    try:
        if domain == "camera":
            snapshot = await camera.async_get_image(hass, entity_id, timeout=timeout)
            content = snapshot.content
        else:
            picture = await image.async_get_image(hass, entity_id, timeout=timeout)
            content = picture.content
    except HomeAssistantError as err:  # camera off, no image yet, timed out
        raise ImageError(ImageErrorCode.ENTITY_UNAVAILABLE, source.value) from err
    _check_size(len(content), source, limits.max_bytes)
    return content


async def _async_fetch_media(
    hass: HomeAssistant, source: ImageSource, limits: ImageLimits
) -> bytes:
    """Resolve a media-source item, then read its file or fetch its URL."""
    from homeassistant.components import media_source

    if not media_source.is_media_source_id(source.value):
        raise ImageError(
            ImageErrorCode.MEDIA_FAILED,
            source.value,
            reason="not a media-source:// content id",
        )
    try:
        resolved = await media_source.async_resolve_media(hass, source.value, None)
    except HomeAssistantError as err:
        raise ImageError(
            ImageErrorCode.MEDIA_FAILED, source.value, reason=str(err)
        ) from err

    try:
        if resolved.path is not None:
            return await hass.async_add_executor_job(
                _read_file, hass, str(resolved.path), source, limits.max_bytes
            )
        url = resolved.url
        for stream, still in _STILL_IMAGE_PATHS.items():
            if url.startswith(stream):
                url = still + url.removeprefix(stream)
        if url.startswith("/"):
            return await _async_fetch_from_home_assistant(hass, url, source, limits)
        if _scheme(url, source) in _WEB_SCHEMES:
            return await _async_download(hass, url, source, limits)
        raise ImageError(ImageErrorCode.UNSUPPORTED_SCHEME, source.value)
    except ImageError as err:
        raise _as_media_error(err, source) from err


_MEDIA_REASONS: Final = {
    ImageErrorCode.FILE_NOT_FOUND: "the file does not exist",
    ImageErrorCode.PATH_NOT_ALLOWED: "the file is outside the allowed folders",
    ImageErrorCode.UNSUPPORTED_SCHEME: "the item resolves to an unsupported URL",
}


def _as_media_error(err: ImageError, source: ImageSource) -> ImageError:
    """Report failures to reach a resolved item as media failures.

    Problems with the content itself (size, timeout) keep their code.
    """
    if err.code == ImageErrorCode.FETCH_FAILED:
        reason = (err.translation_placeholders or {}).get("reason", "")
    elif (known := _MEDIA_REASONS.get(ImageErrorCode(err.code))) is not None:
        reason = known
    else:
        return err
    return ImageError(ImageErrorCode.MEDIA_FAILED, source.value, reason=reason)
