"""Home Assistant's own /api/ paths: one canonical form, a relay, and this instance answering.

Camera and image pictures never come this way (sources/entities.py takes them
in-process); other paths do, such as Frigate's notification views.

A signed path only works when Home Assistant sees exactly the path that was
signed; anything else is a failed login, and enough of those ban 127.0.0.1. So
a path is put in its final form (dot segments resolved, escapes decoded), and
what is signed is not that path but a link to this integration's relay, whose
path holds the target in base64url: nothing in it can be re-encoded on the way.
The integration signs its links for Home Assistant's read-only content user
(`async_sign_path(..., use_content_user=True)`), the least it can ask as.

The relay hands the target to its view in-process, with the relay request's own
authentication: the same user, the same refresh token. So the relay grants
nothing: whoever can have a relay link (a signed link, or a request with their
own token) could ask the target directly and get the same answer, and a view
that checks its user (only administrators, say) checks the same user. That is
why the relay needs no list of whom it serves (it once checked the content
user's token, which only the http integration's private data holds). It only
serves authenticated requests: an expired or forged link fails there, counted
as a failed login as on any view. The one difference: a view that refuses an
authenticated user raises 401, which would count as a failed login; the relay
answers 403 instead, which Home Assistant does not count. That hides no guess
from the ban: the request had already proved who it was.

And a signed link only goes to a server that proves it is this Home Assistant,
by answering a challenge with a secret that never leaves this process.
"""

import base64
import hashlib
import hmac
import secrets
from typing import Final

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from aiohttp.web_urldispatcher import UrlMappingMatchInfo
from multidict import MultiDict
from yarl import URL

from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN

API_PREFIX: Final = "/api/"
# HA's query parameter for a signature (homeassistant.components.http.auth).
_SIGNATURE_PARAM: Final = "authSig"
_IDENTITY_PATH: Final = f"/api/{DOMAIN}/identity"
_RELAY_PATH: Final = f"/api/{DOMAIN}/relay"
_IDENTITY_TIMEOUT: Final = ClientTimeout(total=5)
_IDENTITY: HassKey[IdentityView] = HassKey(f"{DOMAIN}_identity")
# What the client reports when the relay answers 403.
REFUSED_REASON: Final = "Home Assistant lets only administrators read this path"


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
    # A caller's signature means nothing to the view it would reach; drop it.
    query = MultiDict(
        (key, val) for key, val in url.query.items() if key != _SIGNATURE_PARAM
    )
    return URL.build(path=canonical, query=query)


def relay_path(target: URL) -> str:
    """The relay's path for a canonical target (safe to sign: base64url only)."""
    encoded = base64.urlsafe_b64encode(str(target).encode()).rstrip(b"=")
    return f"{_RELAY_PATH}/{encoded.decode('ascii')}"


def signed_url(base: URL, signed: str) -> URL:
    """The request on base for a relay path signed by async_sign_path."""
    path, _, query = signed.partition("?")
    return base.with_path(path).with_query(query)


def _decode_target(encoded: str) -> URL:
    """The canonical target a relay path holds; 400 when it holds none."""
    try:
        text = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        target = canonical_api_path(text)
    except ValueError as err:  # not base64, not UTF-8, not a path under /api/
        raise web.HTTPBadRequest(text="not a relayed path") from err
    if target.path.startswith(_RELAY_PATH):
        raise web.HTTPBadRequest(text="the relay does not relay to itself")
    return target


class RelayView(HomeAssistantView):
    """Serves a path of this Home Assistant to an authenticated request, as its user."""

    url = _RELAY_PATH + "/{encoded}"
    name = f"api:{DOMAIN}:relay"
    requires_auth = True

    async def get(self, request: web.Request, encoded: str) -> web.StreamResponse:
        """Run the target's view in-process, with the request's own user."""
        # A clone keeps the request's state: its user and refresh token.
        target = request.clone(rel_url=_decode_target(encoded))
        match_info = await request.app.router.resolve(target)
        if match_info.http_exception is not None:  # 404, 405
            raise match_info.http_exception
        match_info.add_app(request.app)
        match_info.freeze()
        route_request(target, match_info)
        try:
            return await match_info.handler(target)
        except web.HTTPUnauthorized as err:
            raise web.HTTPForbidden(text=REFUSED_REASON) from err


def route_request(request: web.Request, match_info: UrlMappingMatchInfo) -> None:
    """Give request the route it resolved to, as aiohttp's own dispatch does.

    THE ONE USE OF AIOHTTP INTERNALS in this integration: aiohttp has no public
    way to hand a request to another route. Its dispatch (Application._handle)
    sets Request._match_info, an attribute Request.ATTRS lists; a clone keeps
    the original's, which would give the target view the relay's parameters.
    tests/sources/test_api_paths.py fails when aiohttp changes this.
    """
    request._match_info = match_info


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
    """The identity view, registered with the relay on first use (the http
    integration may start late)."""
    if (view := hass.data.get(_IDENTITY)) is None:
        view = hass.data[_IDENTITY] = IdentityView()
        hass.http.register_view(view)
        hass.http.register_view(RelayView())
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
