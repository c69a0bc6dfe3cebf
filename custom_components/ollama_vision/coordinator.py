"""Polls the setup's Ollama servers so their reachability shows as entities."""

import asyncio
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DOMAIN
from .issues import SetupIssues
from .ollama.client import OllamaAuthError, OllamaClient
from .ollama.pool import OllamaServer, ServerPool, ServerSet, ServerStatus
from .settings import EntrySettings

if TYPE_CHECKING:
    from .runtime import OllamaVisionConfigEntry

_LOGGER = logging.getLogger(__name__)

SCAN_INTERVAL = timedelta(seconds=60)


class ServerStatusCoordinator(DataUpdateCoordinator[ServerStatus]):
    """Asks each server for its version once a minute.

    A poll never fails as a whole: an unreachable server is a state to show
    (and a server to probe until it is back), not a reason to make every
    entity unavailable. The data is a live view: requests that fail mark
    servers down between polls, and listeners hear of it at once.
    """

    config_entry: OllamaVisionConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OllamaVisionConfigEntry,
        settings: EntrySettings,
        servers: ServerSet,
    ) -> None:
        """Watch every server of the setup."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=SCAN_INTERVAL,
        )
        self._servers = servers
        # While a poll runs, its end tells the listeners; not each server.
        self._polling = False
        entry.async_on_unload(servers.add_listener(self.async_server_changed))
        self._issues = SetupIssues(
            hass,
            entry,
            (_clients(servers.vision), settings.vision.model),
            (_clients(servers.text), settings.text.model)
            if servers.text and settings.text
            else None,
        )

    @override
    async def _async_setup(self) -> None:
        """At setup, each model needs one server that answers: else retry later.

        Servers that do not answer start out down, and join when they do.
        """
        await self._poll()
        pools: list[ServerPool] = [self._servers.vision]
        if self._servers.text is not None:
            pools.append(self._servers.text)
        for pool in pools:
            if not pool.any_up:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="cannot_connect",
                    translation_placeholders={
                        "host": ", ".join(server.address for server in pool.servers)
                    },
                )
        self._servers.async_warm_up(server for server in self._servers.all if server.up)

    @override
    async def _async_update_data(self) -> ServerStatus:
        await self._poll()
        await self._issues.async_update(
            {server.client: server.up for server in self._servers.all}
        )
        return self._servers.status

    @callback
    def async_server_changed(self) -> None:
        """A request or a probe found a server down or back: show it now."""
        if not self._polling:
            self.async_update_listeners()

    async def _poll(self) -> None:
        self._polling = True
        try:
            await asyncio.gather(*(self._check(server) for server in self._servers.all))
        finally:
            self._polling = False

    async def _check(self, server: OllamaServer) -> None:
        try:
            await self._servers.async_check(server)
        except OllamaAuthError as err:
            raise _auth_failed(server) from err


def _clients(pool: ServerPool) -> list[OllamaClient]:
    return [server.client for server in pool.servers]


def _auth_failed(server: OllamaServer) -> ConfigEntryAuthFailed:
    """The key is wrong or gone: Home Assistant asks the user for a new one."""
    return ConfigEntryAuthFailed(
        translation_domain=DOMAIN,
        translation_key="invalid_auth",
        translation_placeholders={"host": server.client.host},
    )
