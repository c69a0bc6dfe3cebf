"""The bytes of one source: a URL, a Home Assistant path, a file, an entity or media.

What a source names is read by sources/locate.py. Every source is size-capped
and time-limited, and local files must be in a folder Home Assistant allows.
Camera and image pictures are taken in-process (sources/entities.py); other
Home Assistant paths come through the relay (sources/local_api.py). What the
bytes are is checked later (sources.still for pictures, sources.video for clips).
"""

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final

import aiohttp
from yarl import URL

from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..const import DOMAIN
from .entities import EntityPicture, async_take_picture
from .files import read_capped, resolve_allowed_file, resolve_local_file
from .local_api import REFUSED_REASON, async_is_this_instance, relay_path, signed_url
from .locate import (
    HomeAssistantPath,
    LocalFile,
    MediaItem,
    ResolvedFile,
    Target,
    WebUrl,
    locate,
    locate_resolved_url,
)
from .source import (
    ImageError,
    ImageErrorCode,
    ImageLimits,
    ImageSource,
    check_size,
)

_USER_AGENT: Final = f"HomeAssistant/{HA_VERSION} {DOMAIN}"
_MAX_REDIRECTS: Final = 5
_CHUNK_SIZE: Final = 64 * 1024
# A signed path must outlive the request it is made for, and not much more.
_SIGNATURE_MARGIN: Final = timedelta(seconds=10)


async def async_fetch_source(
    hass: HomeAssistant, source: ImageSource, limits: ImageLimits
) -> bytes:
    """The raw bytes of one source, within limits.max_bytes and limits.timeout."""
    return await _async_fetch(hass, locate(source), source, limits)


async def _async_fetch(
    hass: HomeAssistant, target: Target, source: ImageSource, limits: ImageLimits
) -> bytes:
    match target:
        case EntityPicture():
            return await async_take_picture(hass, target, source, limits)
        case WebUrl(url):
            return await _async_download(hass, url, source, limits)
        case HomeAssistantPath(path):
            return await _async_fetch_from_home_assistant(hass, path, source, limits)
        case LocalFile(location):
            return await hass.async_add_executor_job(
                _read_local_file, hass, location, source, limits.max_bytes
            )
        case ResolvedFile(path):
            return await hass.async_add_executor_job(
                read_capped, Path(path), source, limits.max_bytes
            )
        case MediaItem(media_id):
            return await _async_fetch_media(hass, media_id, source, limits)


def _read_local_file(
    hass: HomeAssistant, location: str, source: ImageSource, max_bytes: int
) -> bytes:
    """Read the allowed file location names (blocking: run in the executor)."""
    return read_capped(resolve_local_file(hass, location, source), source, max_bytes)


def _read_allowed_file(
    hass: HomeAssistant, path: str, source: ImageSource, max_bytes: int
) -> bytes:
    """Read an allowed file by its path (blocking: run in the executor)."""
    return read_capped(resolve_allowed_file(hass, path, source), source, max_bytes)


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
            check_size(response.content_length or 0, source, limits.max_bytes)
            body = bytearray()
            # Read in chunks so an endless or lying body stops at the cap.
            async for chunk in response.content.iter_chunked(_CHUNK_SIZE):
                body += chunk
                check_size(len(body), source, limits.max_bytes)
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


async def _async_fetch_from_home_assistant(
    hass: HomeAssistant, api_path: URL, source: ImageSource, limits: ImageLimits
) -> bytes:
    """Fetch a canonical path from Home Assistant's own HTTP server, through the relay.

    The relay link is signed for the read-only content user, so views needing
    authentication (Frigate's proxy, for one) work without a user's token; the
    request goes straight to the local server, whatever internal URL is set.
    """
    from homeassistant.components.http.auth import async_sign_path

    if hass.config.api is None:
        raise ImageError(
            ImageErrorCode.FETCH_FAILED,
            source.value,
            reason="the Home Assistant HTTP server is not running",
        )
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


async def _async_fetch_media(
    hass: HomeAssistant, media_id: str, source: ImageSource, limits: ImageLimits
) -> bytes:
    """Resolve a media-source item, then read its file or fetch its URL."""
    from homeassistant.components import media_source

    try:
        resolved = await media_source.async_resolve_media(hass, media_id, None)
    except HomeAssistantError as err:
        raise ImageError(
            ImageErrorCode.MEDIA_FAILED, source.value, reason=str(err)
        ) from err

    try:
        if resolved.path is not None:
            return await hass.async_add_executor_job(
                _read_allowed_file, hass, str(resolved.path), source, limits.max_bytes
            )
        target = locate_resolved_url(resolved.url, source)
        return await _async_fetch(hass, target, source, limits)
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
    if err.code in (ImageErrorCode.FETCH_FAILED, ImageErrorCode.PATH_INVALID):
        reason = (err.translation_placeholders or {}).get("reason", "")
    elif (known := _MEDIA_REASONS.get(ImageErrorCode(err.code))) is not None:
        reason = known
    else:
        return err
    return ImageError(ImageErrorCode.MEDIA_FAILED, source.value, reason=reason)
