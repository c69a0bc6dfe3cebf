"""Home Assistant /api/ paths on its real HTTP server, with IP bans switched on.

However a caller writes a path (dot segments, escapes, doubled slashes, a forged
signature), the request signed is the request made, so Home Assistant never counts
a failed login; paths that leave /api/ are refused before anything is signed. A
view that only administrators may read is refused without a failed login either.
Views that stream or serve files come through the relay whole. And a signed link
goes only to a server that proves it is this Home Assistant.
"""

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
import logging
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import make_mocked_request
from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from yarl import URL

from custom_components.ollama_vision.const import EVENT_IMAGE_ANALYSIS_FAILED
from custom_components.ollama_vision.sources.local_api import (
    InvalidApiPathError,
    canonical_api_path,
    relay_path,
    route_request,
)
from homeassistant.components import persistent_notification
from homeassistant.components.api import APIErrorLog
from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.http.ban import (
    IP_BANS_FILE,
    KEY_BAN_MANAGER,
    KEY_FAILED_LOGIN_ATTEMPTS,
)
from homeassistant.components.http.decorators import require_admin
from homeassistant.const import KEY_DATA_LOGGING
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.setup import async_setup_component
from tests.conftest import analyze
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.picture_entities import SECRET_JPEG, SECRET_PATH, SecretImageView
from tests.sources.http_server import async_setup_http, ephemeral_http_port
from tests.sources.refusals import assert_refused_before_queueing

GREEN = "Image 1 is 320x240 pixels, mostly green."
ADMIN_PATH = "/api/ollama_vision_test/admin.jpg"
STREAMED_PATH = "/api/ollama_vision_test/streamed.jpg"
FILE_PATH = "/api/ollama_vision_test/file.jpg"


class AdminImageView(HomeAssistantView):
    """A picture only administrators may get, refused as core's admin views refuse."""

    url = ADMIN_PATH
    name = "api:ollama_vision_test:admin"

    @require_admin
    async def get(self, request: web.Request) -> web.Response:
        return web.Response(body=SECRET_JPEG, content_type="image/jpeg")


class StreamedImageView(HomeAssistantView):
    """Streams its picture in pieces, as Frigate's proxy streams what it relays."""

    url = STREAMED_PATH
    name = "api:ollama_vision_test:streamed"

    async def get(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
        await response.prepare(request)
        for start in range(0, len(SECRET_JPEG), 1000):
            await response.write(SECRET_JPEG[start : start + 1000])
        await response.write_eof()
        return response


class FileImageView(HomeAssistantView):
    """Serves a file, as the image upload integration serves its pictures."""

    url = FILE_PATH
    name = "api:ollama_vision_test:file"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def get(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(self.path)


@pytest.fixture(autouse=True)
def disable_http_server() -> Iterator[None]:
    """Let Home Assistant's HTTP server really listen (the plugin's fixture stops it),
    on a port the system chooses."""
    with ephemeral_http_port():
        yield


@pytest.fixture
def no_ban_file_left(hass: HomeAssistant) -> Iterator[None]:
    """Remove any ip_bans.yaml a failing run writes into the shared test config.

    The test config folder lives in the installed test plugin: a ban left there
    would refuse 127.0.0.1 in every later test that uses the HTTP API.
    """
    ban_file = Path(hass.config.path(IP_BANS_FILE))
    ban_file.unlink(missing_ok=True)
    yield
    ban_file.unlink(missing_ok=True)


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    socket_enabled: None,
    no_ban_file_left: None,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    tmp_path: Path,
) -> MockConfigEntry:
    """HA's HTTP server banning an address after one failed login, then our setup."""
    assert await async_setup_component(hass, "persistent_notification", {})
    await async_setup_http(hass, ip_ban_enabled=True, login_attempts_threshold=1)
    hass.http.register_view(SecretImageView())
    hass.http.register_view(AdminImageView())
    hass.http.register_view(StreamedImageView())
    (picture := tmp_path / "file.jpg").write_bytes(SECRET_JPEG)
    hass.http.register_view(FileImageView(picture))
    await hass.http.start()
    return await load_entry()


def assert_no_failed_login(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """No failed login counted, nobody banned, no notification, nothing logged."""
    app = hass.http.app
    failed_logins = app[KEY_FAILED_LOGIN_ATTEMPTS]
    assert dict(failed_logins) == {}
    assert app[KEY_BAN_MANAGER].ip_bans_lookup == {}
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert [n["title"] for n in notifications.values()] == []
    assert "invalid authentication" not in caplog.text


@pytest.mark.parametrize(
    "path",
    [
        SECRET_PATH,
        "/api/./ollama_vision_test/secret.jpg",
        "/api/ollama_vision_test/x/../secret.jpg",
        "/api/%2e/ollama_vision_test/%2E%2e/ollama_vision_test/secret.jpg",
        "/api//ollama_vision_test//secret.jpg",
        "/api/ollama_vision_test/secret.jpg?size=2&authSig=forged",
        "/api/ollama_vision_test/./secret.jpg#top",
        "/api/ollama%5Fvision%5Ftest/secret.jpg",
        STREAMED_PATH,
        FILE_PATH,
    ],
)
async def test_odd_spellings_of_a_path_are_fetched(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    path: str,
) -> None:
    """The path is resolved before it is signed: the picture arrives, nobody is banned."""
    result = await analyze(hass, response=True, image_url=path, image_name="secret")
    assert result["description"] == GREEN
    assert result["image_url"] == path
    assert_no_failed_login(hass, caplog)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/api/../auth/token", "it does not stay under /api/"),
        ("/api/%2e%2e/%2E%2E/etc/passwd", "it does not stay under /api/"),
        ("/api/..", "it does not stay under /api/"),
        ("/api/ollama_vision_test\\..\\secret.jpg", "it holds a backslash"),
        ("/api/..%5c..%5cauth", "it holds a backslash"),
        ("/api/a%0Ab", "it holds a control character"),
    ],
)
async def test_paths_leaving_the_api_are_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ollama_emulator: OllamaEmulator,
    caplog: pytest.LogCaptureFixture,
    path: str,
    reason: str,
) -> None:
    """Refused with a translated error before the job is queued, so before
    anything is signed or fetched."""
    result = await assert_refused_before_queueing(
        hass,
        entry,
        ollama_emulator,
        code="image_path_invalid",
        words=f"{path} is not a Home Assistant path that can be fetched: {reason}",
        bad={"image_url": path},
        good={"image_url": SECRET_PATH},
    )
    assert result["description"] == GREEN
    assert_no_failed_login(hass, caplog)


@pytest.mark.parametrize("path", [ADMIN_PATH, "/api/error_log"])
async def test_paths_for_administrators_are_refused_without_a_failed_login(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    path: str,
) -> None:
    """The view refuses the read-only user: an error that says so, nobody banned."""
    # With a log file, core's api serves it at /api/error_log, to administrators.
    # The setup loaded the frontend, and with it the api, before this log file
    # existed: its view, as a start with a log file registers it.
    (log := tmp_path / "home-assistant.log").write_text("secret log\n")
    hass.data[KEY_DATA_LOGGING] = str(log)
    assert "api" in hass.config.components
    hass.http.register_view(APIErrorLog)
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=path, image_name="secret")
    assert str(err.value) == (
        f"Could not fetch image {path}: HTTP 403:"
        " Home Assistant lets only administrators read this path"
    )
    await hass.async_block_till_done()
    assert failed[0].data["error"] == "image_fetch_failed"
    assert_no_failed_login(hass, caplog)
    # With a threshold of one, a counted failure would have banned 127.0.0.1.
    result = await analyze(
        hass, response=True, image_url=SECRET_PATH, image_name="secret"
    )
    assert result["description"] == GREEN


async def relay_status(hass: HomeAssistant, path: str) -> int:
    """The status Home Assistant's server answers to path (already signed)."""
    base = f"http://127.0.0.1:{hass.http.server_port}"
    async with ClientSession() as session, session.get(base + path) as response:
        return response.status


def sign(hass: HomeAssistant, path: str, refresh_token_id: str | None = None) -> str:
    return async_sign_path(
        hass,
        path,
        timedelta(seconds=30),
        refresh_token_id=refresh_token_id,
        use_content_user=refresh_token_id is None,
    )


def refresh_token_id(hass: HomeAssistant, access_token: str) -> str:
    """The refresh token an access token belongs to."""
    refresh_token = hass.auth.async_validate_access_token(access_token)
    assert refresh_token is not None
    return refresh_token.id


async def test_relay_answers_as_the_user_of_the_link(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_access_token: str,
    hass_read_only_access_token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The relay runs the target as the user its link is signed for, so it grants
    nothing: each user reads what they may, an administrators' view refuses the
    others (403, never a failed login); broken, looping and missing targets are
    refused."""
    await analyze(hass, response=True, image_url=SECRET_PATH, image_name="secret")
    secret = relay_path(canonical_api_path(SECRET_PATH))
    admin_only = relay_path(canonical_api_path(ADMIN_PATH))
    users = {
        "content user": None,
        "administrator": refresh_token_id(hass, hass_access_token),
        "read-only user": refresh_token_id(hass, hass_read_only_access_token),
    }
    statuses = {}
    for user, token_id in users.items():
        statuses[user] = (
            await relay_status(hass, sign(hass, secret, token_id)),
            await relay_status(hass, sign(hass, admin_only, token_id)),
        )
    assert statuses == {
        "content user": (200, 403),
        "administrator": (200, 200),
        "read-only user": (200, 403),
    }
    assert await relay_status(hass, sign(hass, "/api/ollama_vision/relay/@@")) == 400
    looping = relay_path(canonical_api_path(secret))
    assert await relay_status(hass, sign(hass, looping)) == 400
    missing = relay_path(canonical_api_path("/api/ollama_vision_test/none.jpg"))
    assert await relay_status(hass, sign(hass, missing)) == 404
    assert_no_failed_login(hass, caplog)


async def test_the_relay_hands_a_request_to_its_route() -> None:
    """What the relay relies on in aiohttp (route_request, its one use of
    aiohttp internals): a clone keeps the original's route, and once given the
    target's, answers match_info and app with it. Fails when aiohttp changes."""

    async def view(request: web.Request) -> web.Response:
        return web.Response(text=request.match_info["name"])

    app = web.Application()
    app.router.add_get("/api/ollama_vision/relay/{encoded}", view)
    app.router.add_get("/api/target/{name}", view)
    relay = make_mocked_request("GET", "/api/ollama_vision/relay/abc", app=app)
    relay_route = await app.router.resolve(relay)
    route_request(relay, relay_route)
    assert "_match_info" in web.Request.ATTRS

    target = relay.clone(rel_url="/api/target/door")
    assert target._match_info is relay_route
    match_info = await app.router.resolve(target)
    match_info.add_app(app)
    match_info.freeze()
    route_request(target, match_info)

    assert target.match_info is match_info
    assert target.match_info == {"name": "door"}
    assert target.app is app
    response = await match_info.handler(target)
    assert isinstance(response, web.Response)
    assert response.text == "door"


async def test_signed_link_goes_only_to_this_home_assistant(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another server on Home Assistant's address gets a challenge, never a signature."""
    caplog.set_level(logging.DEBUG)
    image_server.add(SECRET_PATH, make_jpeg(8, 8))
    hass.http.server_port = image_server.port
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=SECRET_PATH, image_name="secret")
    assert str(err.value) == (
        f"Could not fetch image {SECRET_PATH}: the server at "
        f"127.0.0.1:{image_server.port} is not this Home Assistant"
    )
    [request] = image_server.requests
    assert request.path.startswith("/api/ollama_vision/identity/")
    assert "authSig" not in str(image_server.requests)


@given(
    pieces=st.lists(
        st.sampled_from(
            [
                "/",
                "//",
                ".",
                "..",
                "%2e",
                "%2E%2e",
                "%2f",
                "%5c",
                "%25",
                "%",
                "ollama_vision_test",
                "secret.jpg",
                "admin.jpg",
                "é",
                " ",
                "?a=1&b=%26",
                "&authSig=x",
                "#x",
                "+",
            ]
        ),
        max_size=8,
    )
)
async def test_no_path_ever_counts_as_a_failed_login(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    pieces: list[str],
) -> None:
    """Whatever a caller puts after /api/, the result is an answer, never a failed login."""
    path = "/api/" + "".join(pieces)
    answer: Any
    try:
        answer = await analyze(hass, response=True, image_url=path, image_name="p")
    except HomeAssistantError as err:
        answer = err
    if isinstance(answer, HomeAssistantError):
        assert str(answer.translation_key).startswith("image_")
    else:
        assert answer["description"] == GREEN
    assert_no_failed_login(hass, caplog)


@given(text=st.text(max_size=40))
def test_canonical_paths_stay_under_the_api(text: str) -> None:
    """A canonical path starts with /api/, has no dot segments and reads back as itself."""
    try:
        url = canonical_api_path("/api/" + text)
    except InvalidApiPathError:
        return
    assert url.path.startswith("/api/")
    assert not {".", ".."} & set(url.path.split("/"))
    assert URL(str(url)).path == url.path
    assert "authSig" not in url.query
