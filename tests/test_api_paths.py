"""Home Assistant /api/ paths on its real HTTP server, with IP bans switched on.

However a caller writes a path (dot segments, escapes, doubled slashes, a forged
signature), the request signed is the request made, so Home Assistant never counts
a failed login; paths that leave /api/ are refused before anything is signed. And a
signed link goes only to a server that proves it is this Home Assistant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import logging
from pathlib import Path
import socket
from typing import Any

from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from yarl import URL

from custom_components.ollama_vision.const import EVENT_IMAGE_ANALYSIS_FAILED
from custom_components.ollama_vision.local_api import (
    InvalidApiPathError,
    canonical_api_path,
)
from homeassistant.components import persistent_notification
from homeassistant.components.http.ban import (
    IP_BANS_FILE,
    KEY_BAN_MANAGER,
    KEY_FAILED_LOGIN_ATTEMPTS,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from tests.conftest import analyze
from tests.image_server import ImageServer, make_jpeg
from tests.picture_entities import SECRET_PATH, SecretImageView

GREEN = "Image 1 is 320x240 pixels, mostly green."


@pytest.fixture(autouse=True)
def disable_http_server() -> None:
    """Let Home Assistant's HTTP server really listen (the plugin's fixture stops it)."""


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
    make_entry: Callable[..., MockConfigEntry],
) -> MockConfigEntry:
    """HA's HTTP server banning an address after one failed login, then our setup."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert await async_setup_component(hass, "persistent_notification", {})
    assert await async_setup_component(
        hass,
        "http",
        {
            "http": {
                "server_host": ["127.0.0.1"],
                "server_port": port,
                "ip_ban_enabled": True,
                "login_attempts_threshold": 1,
            }
        },
    )
    hass.http.register_view(SecretImageView())
    await hass.http.start()
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def assert_no_failed_login(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """No failed login counted, nobody banned, no notification, nothing logged."""
    app = hass.http.app
    assert dict(app[KEY_FAILED_LOGIN_ATTEMPTS]) == {}
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
    caplog: pytest.LogCaptureFixture,
    path: str,
    reason: str,
) -> None:
    """Refused with a translated error, before anything is signed or fetched."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_url=path, image_name="secret")
    assert str(err.value) == (
        f"{path} is not a Home Assistant path that can be fetched: {reason}"
    )
    await hass.async_block_till_done()
    assert failed[0].data["error"] == "image_path_invalid"
    assert failed[0].data["stage"] == "image_fetch"
    assert_no_failed_login(hass, caplog)


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
