"""What the config flow learns from a server: its models, or why it failed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging

import aiohttp

from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .client import (
    ModelInfo,
    OllamaAuthError,
    OllamaClient,
    OllamaConnectionError,
    OllamaResponseError,
)
from .redact import redact_credentials

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What each of a server's models can do (models whose details failed are left out)."""

    info: dict[str, ModelInfo]

    @property
    def vision_models(self) -> list[str]:
        """The models that can see images."""
        return [name for name, info in self.info.items() if info.vision]

    @property
    def text_models(self) -> list[str]:
        """The models that can complete text."""
        return [name for name, info in self.info.items() if info.completion]


async def async_fetch_catalogue(client: OllamaClient) -> Catalogue:
    """List the server's models and ask for each one's capabilities at once."""
    names = await client.async_list_models()
    answers = await asyncio.gather(
        *(client.async_model_info(name) for name in names), return_exceptions=True
    )
    info: dict[str, ModelInfo] = {}
    for name, answer in zip(names, answers, strict=True):
        if isinstance(answer, ModelInfo):
            info[name] = answer
        elif isinstance(answer, Exception):
            # A typed name is still checked on its own when chosen.
            _LOGGER.debug("No details for model %s: %s", name, answer)
        else:  # pragma: no cover - a cancellation or exit is not ours to keep
            raise answer
    return Catalogue(info=info)


def shared_catalogue(catalogues: list[Catalogue]) -> Catalogue:
    """The models every server of a role has: only those can take any job."""
    first, others = catalogues[0].info, catalogues[1:]
    return Catalogue(
        {
            name: info
            for name, info in first.items()
            if all(name in other.info for other in others)
        }
    )


def model_selector(models: list[str]) -> SelectSelector:
    """The server's fitting models as a dropdown that also takes a typed name."""
    return SelectSelector(
        SelectSelectorConfig(
            options=models,
            custom_value=True,
            mode=SelectSelectorMode.DROPDOWN,
            sort=True,
        )
    )


@dataclass(frozen=True, slots=True)
class ServerProblem:
    """A flow error key and the placeholders its message needs."""

    error: str
    placeholders: dict[str, str]


def server_problem(err: Exception, url: str) -> ServerProblem:
    """Name why a server check failed, with the address that was tried."""
    address = {"address": redact_credentials(url)}
    if isinstance(err, OllamaAuthError):
        return ServerProblem("invalid_auth", address)
    if isinstance(err, OllamaResponseError):
        # Something answered, but not as Ollama: often a pasted `.../api`.
        return ServerProblem(
            "cannot_connect_http", {**address, "status": str(err.status)}
        )
    if isinstance(err, OllamaConnectionError):
        return ServerProblem(_connection_cause(err, url), address)
    _LOGGER.error(
        "Unexpected error while checking %s", address["address"], exc_info=err
    )
    return ServerProblem("unknown", address)


def _connection_cause(err: OllamaConnectionError, url: str) -> str:
    cause = err.__cause__
    if isinstance(cause, aiohttp.ClientConnectorDNSError):
        return "cannot_connect_dns"
    if isinstance(cause, aiohttp.ClientSSLError):
        return "cannot_connect_tls"
    if isinstance(cause, aiohttp.ClientConnectorError) and isinstance(
        cause.os_error, ConnectionRefusedError
    ):
        return "cannot_connect_refused"
    if isinstance(cause, aiohttp.ServerDisconnectedError) and url.startswith("http://"):
        # An HTTPS port hangs up on a plain HTTP request without a word.
        return "cannot_connect_tls"
    if isinstance(cause, TimeoutError):
        return "cannot_connect_timeout"
    return "cannot_connect"
