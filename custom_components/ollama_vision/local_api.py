"""Home Assistant's own /api/ paths: one canonical form, and this instance answering.

A signed path only works when Home Assistant sees exactly the path that was
signed; anything else is a failed login, and enough of those ban 127.0.0.1. So
a path is put in its final form (dot segments resolved, escapes decoded) before
it is signed, and the request is built from that form. And a signed link only
goes to a server that proves it is this Home Assistant, by answering a
challenge with a secret that never leaves this process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from multidict import MultiDict
from yarl import URL

from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

API_PREFIX: Final = "/api/"
# HA's query parameter for a signature (homeassistant.components.http.auth).
_SIGNATURE_PARAM: Final = "authSig"
_IDENTITY_PATH: Final = f"/api/{DOMAIN}/identity"
_IDENTITY_TIMEOUT: Final = ClientTimeout(total=5)
_IDENTITY: HassKey[IdentityView] = HassKey(f"{DOMAIN}_identity")


class InvalidApiPathError(ValueError):
    """The path is not one Home Assistant can be asked for; str() says why."""


def canonical_api_path(value: str) -> URL:
    """The path and query Home Assistant will see for value, or an error.

    Percent escapes are decoded once (as Home Assistant's server does),
    `.` and `..` segments resolved and empty ones dropped. A path that leaves
    /api/, or holds a backslash or a control character, is refused.
    """
    try:
        url = URL(value.split("#", 1)[0])
    except ValueError as err:
        raise InvalidApiPathError("it is not a valid path") from err
    path = url.path
    if "\\" in path:
        raise InvalidApiPathError("it holds a backslash")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        raise InvalidApiPathError("it holds a control character")
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    canonical = "/" + "/".join(segments)
    if path.endswith(("/", "/.", "/..")) and segments:
        canonical += "/"
    if not canonical.startswith(API_PREFIX):
        raise InvalidApiPathError(f"it does not stay under {API_PREFIX}")
    # A signature of the caller's own would be checked instead of ours.
    query = MultiDict(
        (key, val) for key, val in url.query.items() if key != _SIGNATURE_PARAM
    )
    return URL.build(path=canonical, query=query)


def signed_url(base: URL, path: URL, signed: str) -> URL:
    """The request for path on base, with the signature from async_sign_path.

    Built from the canonical path and query themselves, not from the signed
    string (whose path comes back decoded), so nothing is re-encoded apart.
    """
    signature = signed.rpartition(f"{_SIGNATURE_PARAM}=")[2]
    query = [*path.query.items(), (_SIGNATURE_PARAM, signature)]
    return base.with_path(path.path).with_query(query)


class IdentityView(HomeAssistantView):
    """Answers a challenge with this process's secret; reveals nothing else."""

    url = _IDENTITY_PATH + "/{challenge}"
    name = f"api:{DOMAIN}:identity"
    requires_auth = False

    def __init__(self) -> None:
        """Make the secret; it lives only in this process's memory."""
        self._secret = secrets.token_bytes(32)

    def answer(self, challenge: str) -> str:
        """What this instance answers to challenge."""
        return hmac.new(self._secret, challenge.encode(), hashlib.sha256).hexdigest()

    async def get(self, request: web.Request, challenge: str) -> web.Response:
        """Prove to our own client that this is the server it meant."""
        return web.Response(text=self.answer(challenge))


def _identity(hass: HomeAssistant) -> IdentityView:
    """The view, registered on first use (the http integration may start late)."""
    if (view := hass.data.get(_IDENTITY)) is None:
        view = hass.data[_IDENTITY] = IdentityView()
        hass.http.register_view(view)
    return view


async def async_is_this_instance(
    hass: HomeAssistant, session: ClientSession, base: URL
) -> bool:
    """Whether the server at base is this Home Assistant.

    One cheap request to a view that needs no login, so even a wrong server
    never sees a signed link and this one never counts a failed login.
    """
    view = _identity(hass)
    challenge = secrets.token_hex(16)
    try:
        async with session.get(
            base.with_path(f"{_IDENTITY_PATH}/{challenge}"),
            timeout=_IDENTITY_TIMEOUT,
            ssl=False,
            allow_redirects=False,
        ) as response:
            if response.status != 200:
                return False
            text = (await response.content.read(256)).decode("ascii", "replace")
    except ClientError, TimeoutError:
        return False
    return hmac.compare_digest(text, view.answer(challenge))
