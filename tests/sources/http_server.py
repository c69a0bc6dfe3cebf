"""Home Assistant's real HTTP server in a test, on a port the system chose.

The test plugin's `disable_http_server` fixture patches the server's bind and start
away. A test module that needs the real server overrides that fixture with one that
uses `ephemeral_http_port()`: the server then binds port 0, so the system gives it a
port nothing else holds, and `hass.http.server_port` becomes that port (a port
found free and released earlier could be taken before Home Assistant binds it).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from homeassistant.components.http.server import HomeAssistantHTTP
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

LOOPBACK = "127.0.0.1"


@contextmanager
def ephemeral_http_port() -> Iterator[None]:
    """While active, Home Assistant's HTTP server binds a port the system chooses.

    The http integration binds in its setup (`HomeAssistantHTTP.async_bind`, the
    method the plugin's fixture patches); its configuration cannot say port 0.
    """
    bind = HomeAssistantHTTP.async_bind

    async def bind_ephemeral(server: HomeAssistantHTTP) -> None:
        server.server_port = 0
        await bind(server)
        # The asyncio server bound in async_bind: one socket on one host.
        assert server._server is not None
        [listening] = server._server.sockets
        server.server_port = listening.getsockname()[1]

    with patch.object(HomeAssistantHTTP, "async_bind", bind_ephemeral):
        yield


async def async_setup_http(hass: HomeAssistant, **options: Any) -> str:
    """Set up the http integration on loopback; return its base URL.

    Needs `ephemeral_http_port()` active (the module's `disable_http_server`).
    The server serves once `hass.http.start()` runs, as when the frontend is set up.
    """
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": [LOOPBACK], **options}}
    )
    port = hass.http.server_port
    assert port != 0
    # http describes its API with the configured port, not the bound one.
    assert hass.config.api is not None
    hass.config.api.port = port
    return f"http://{LOOPBACK}:{port}"
