"""What the setup and fix flows learn from a server: its models, or why it failed."""

from dataclasses import dataclass
import logging

import aiohttp

from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from ..ollama.catalogue import Catalogue
from ..ollama.client import (
    ModelInfo,
    OllamaAuthError,
    OllamaConnectionError,
    OllamaResponseError,
)
from ..ollama.redact import redact_credentials

_LOGGER = logging.getLogger(__name__)


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


def fitting_models(catalogue: Catalogue, *, text: bool) -> list[str]:
    """The models of a catalogue that can do the text (or the vision) model's job."""
    return catalogue.text_models if text else catalogue.vision_models


def role_problem(info: ModelInfo, *, text: bool) -> str | None:
    """Why a model cannot be the text (or the vision) model, as an error key."""
    if text:
        return None if info.completion else "model_not_text"
    return None if info.vision else "model_not_vision"


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
