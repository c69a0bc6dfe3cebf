"""Polls the setup's Ollama servers so their reachability shows as entities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .client import OllamaAuthError, OllamaClient, OllamaError
from .const import DOMAIN
from .repairs import SetupIssues
from .settings import EntrySettings

if TYPE_CHECKING:
    from .runtime import OllamaVisionConfigEntry

_LOGGER = logging.getLogger(__name__)

SCAN_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """Which of the setup's servers answered the last poll, with their versions."""

    vision_version: str | None
    text_version: str | None

    @property
    def vision_reachable(self) -> bool:
        """Whether the vision server answered."""
        return self.vision_version is not None

    @property
    def text_reachable(self) -> bool:
        """Whether the text server answered."""
        return self.text_version is not None


class ServerStatusCoordinator(DataUpdateCoordinator[ServerStatus]):
    """Asks each server for its version once a minute.

    A poll never fails as a whole: an unreachable server is a state to show,
    not a reason to make every entity unavailable.
    """

    config_entry: OllamaVisionConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OllamaVisionConfigEntry,
        vision_client: OllamaClient,
        text_client: OllamaClient | None,
    ) -> None:
        """Watch the vision server and, when there is one, the text server."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=SCAN_INTERVAL,
        )
        self._vision_client = vision_client
        self._text_client = text_client
        self._down: set[str] = set()
        settings = EntrySettings.from_entry(entry)
        self._issues = SetupIssues(
            hass,
            entry,
            (vision_client, settings.vision.model),
            (text_client, settings.text.model)
            if text_client and settings.text
            else None,
        )

    @override
    async def _async_setup(self) -> None:
        """At setup, every server must answer: if one does not, retry later."""
        for client in (self._vision_client, self._text_client):
            if client is None:
                continue
            try:
                await client.async_version()
            except OllamaAuthError as err:
                raise _auth_failed(client) from err
            except OllamaError as err:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="cannot_connect",
                    translation_placeholders={"host": client.host},
                ) from err

    @override
    async def _async_update_data(self) -> ServerStatus:
        vision = await self._probe("vision", self._vision_client)
        text = (
            await self._probe("text", self._text_client) if self._text_client else None
        )
        await self._issues.async_update(
            {self._vision_client: vision is not None}
            | ({self._text_client: text is not None} if self._text_client else {})
        )
        return ServerStatus(vision_version=vision, text_version=text)

    async def _probe(self, role: str, client: OllamaClient) -> str | None:
        try:
            version = await client.async_version()
        except OllamaAuthError as err:
            raise _auth_failed(client) from err
        except OllamaError as err:
            # Log once when a server goes away and once when it is back.
            if role not in self._down:
                self._down.add(role)
                _LOGGER.warning(
                    "The %s server %s is unreachable: %s", role, client.host, err
                )
            return None
        if role in self._down:
            self._down.discard(role)
            _LOGGER.info("The %s server %s is reachable again", role, client.host)
        return version


def _auth_failed(client: OllamaClient) -> ConfigEntryAuthFailed:
    """The key is wrong or gone: Home Assistant asks the user for a new one."""
    return ConfigEntryAuthFailed(
        translation_domain=DOMAIN,
        translation_key="invalid_auth",
        translation_placeholders={"host": client.host},
    )
