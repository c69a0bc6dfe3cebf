"""The fix flow of a vanished model: download it again, or choose another.

The issue itself is raised and withdrawn in issues.py.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
import functools
from typing import TYPE_CHECKING, Any, override

import probatio as vol

from homeassistant.components.repairs import (
    RepairsFlow,
    RepairsFlowContext,
    RepairsFlowResult,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import CONF_TEXT_MODEL, CONF_VISION_MODEL
from .flow.model_download import ModelDownload, ModelDownloadFlow
from .flow.server_check import fitting_models, model_selector, role_problem
from .issues import TEXT, hosts_of
from .ollama.catalogue import async_fetch_catalogue, shared_catalogue
from .ollama.client import (
    OllamaClient,
    OllamaError,
    OllamaModelNotFoundError,
    full_model_name,
)
from .ollama.redact import redact_credentials

if TYPE_CHECKING:
    from .runtime import OllamaVisionConfigEntry

CONF_MODEL = "model"
# The fix flow's choices, as menu options: each is a step.
FIX_CHOICES = ["pull_model", "choose_model"]

type _Step = Callable[
    [ModelMissingRepairFlow, dict[str, Any] | None],
    Coroutine[Any, Any, RepairsFlowResult],
]


def _while_loaded(step: _Step) -> _Step:
    """A step that needs the setup running: its servers answer the questions.

    The setup may stop while the form is open (or the issue outlived a setup
    that failed to start again): then the flow says so and ends.
    """

    @functools.wraps(step)
    async def checked(
        flow: ModelMissingRepairFlow, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        if flow._entry.state is not ConfigEntryState.LOADED:
            return flow.async_abort(reason="not_loaded")
        return await step(flow, user_input)

    return checked


class _ServersSilent(Exception):
    """Servers that did not answer: they cannot say whether they have a model."""

    def __init__(self, clients: list[OllamaClient]) -> None:
        super().__init__()
        self.clients = clients


class ModelMissingRepairFlow(
    ModelDownloadFlow[RepairsFlowContext, RepairsFlowResult], RepairsFlow
):
    """Pull the model back onto the servers that lack it, or pick another
    model every server of the role has (the setup then reloads with it)."""

    def __init__(self, entry: OllamaVisionConfigEntry, role: str) -> None:
        """Fix the model of `role` in `entry`."""
        super().__init__()
        self._entry = entry
        self._text = role == TEXT
        self._conf_key = CONF_TEXT_MODEL if self._text else CONF_VISION_MODEL
        self._model = str(entry.data[self._conf_key])

    @_while_loaded
    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Pull the model again, or choose another one."""
        return self.async_show_menu(
            step_id="init",
            menu_options=FIX_CHOICES,
            description_placeholders={"name": self._entry.title, "model": self._model},
        )

    def _servers(self) -> list[tuple[OllamaClient, str | None]]:
        """Every server of the role (any of them may get a job), with its key."""
        runtime = self._entry.runtime_data
        settings = runtime.settings
        target = settings.text if self._text else settings.vision
        assert target is not None  # a text issue exists only with a text model
        return [
            (runtime.servers.by_url[url].client, api_key)
            for url, api_key in target.servers
        ]

    def _clients(self) -> list[OllamaClient]:
        return [client for client, _ in self._servers()]

    @_while_loaded
    async def async_step_pull_model(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Download the model onto each server of the role that lacks it."""
        servers = self._servers()
        try:
            has_model = await _async_ask_each(
                [client for client, _ in servers],
                functools.partial(_has_model, name=self._model),
            )
        except _ServersSilent as err:
            return self._abort_silent(err.clients)
        lacking = [
            ModelDownload(CONF_MODEL, self._model, client.base_url, api_key)
            for (client, api_key), has in zip(servers, has_model, strict=True)
            if not has
        ]
        if not lacking:
            # Pulled by hand meanwhile: nothing left to fix.
            return self.async_create_entry(data={})
        return await self._async_start_downloads(lacking)

    @override
    def _download_client(self, download: ModelDownload) -> OllamaClient:
        return self._entry.runtime_data.servers.by_url[download.url].client

    @override
    async def _async_downloads_done(self) -> RepairsFlowResult:
        """Every server has the model again: analyses work as they are.

        A flow that ends this way has the repairs manager withdraw the issue.
        """
        return self.async_create_entry(data={})

    @override
    async def _async_download_failed(
        self, download: ModelDownload, reason: str
    ) -> RepairsFlowResult:
        """Ollama's reason, and the same choice again."""
        return self.async_show_menu(
            step_id="download_failed",
            menu_options=FIX_CHOICES,
            description_placeholders={
                "name": self._entry.title,
                "model": download.model,
                "address": redact_credentials(download.url),
                "reason": reason,
            },
        )

    def _abort_silent(self, silent: list[OllamaClient]) -> RepairsFlowResult:
        """A server that does not answer cannot say whether it has a model."""
        return self.async_abort(
            reason="cannot_connect",
            description_placeholders={
                "name": self._entry.title,
                "model": self._model,
                "host": hosts_of(silent),
            },
        )

    @_while_loaded
    async def async_step_choose_model(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """A dropdown of the fitting models every server has; a typed name works too."""
        clients = self._clients()
        placeholders = {"name": self._entry.title, "model": self._model}
        errors: dict[str, str] = {}
        if user_input is not None:
            name = full_model_name(str(user_input[CONF_MODEL]))
            problems = await asyncio.gather(
                *(_model_problem(client, name, text=self._text) for client in clients)
            )
            if (error := next((p for p in problems if p is not None), None)) is None:
                self.hass.config_entries.async_update_entry(
                    self._entry, data={**self._entry.data, self._conf_key: name}
                )
                self.hass.config_entries.async_schedule_reload(self._entry.entry_id)
                return self.async_create_entry(data={})
            errors[CONF_MODEL] = error
            # Every server with that problem, so the user knows where to look.
            placeholders["address"] = ", ".join(
                redact_credentials(client.base_url)
                for client, problem in zip(clients, problems, strict=True)
                if problem == error
            )
        try:
            catalogues = await _async_ask_each(clients, async_fetch_catalogue)
        except _ServersSilent as err:
            return self._abort_silent(err.clients)
        lacking = [
            client
            for client, catalogue in zip(clients, catalogues, strict=True)
            if self._model not in catalogue.info
        ]
        placeholders["host"] = hosts_of(lacking or clients)
        fitting = fitting_models(shared_catalogue(catalogues), text=self._text)
        schema = vol.Schema({vol.Required(CONF_MODEL): model_selector(fitting)})
        return self.async_show_form(
            step_id="choose_model",
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )


async def _async_ask_each[T](
    clients: list[OllamaClient], ask: Callable[[OllamaClient], Awaitable[T]]
) -> list[T]:
    """Each server's answer, in order; raises _ServersSilent with those that
    gave none."""
    answers = await asyncio.gather(
        *(ask(client) for client in clients), return_exceptions=True
    )
    replies: list[T] = []
    silent: list[OllamaClient] = []
    for client, answer in zip(clients, answers, strict=True):
        if isinstance(answer, OllamaError):
            silent.append(client)
        elif isinstance(answer, BaseException):  # pragma: no cover - not ours
            raise answer
        else:
            replies.append(answer)
    if silent:
        raise _ServersSilent(silent)
    return replies


async def _has_model(client: OllamaClient, name: str) -> bool:
    """Whether the server has the model (a server that does not answer raises)."""
    try:
        await client.async_model_info(name)
    except OllamaModelNotFoundError:
        return False
    return True


async def _model_problem(client: OllamaClient, name: str, *, text: bool) -> str | None:
    """Why `name` cannot do the role's job on the server (an error key), or None."""
    try:
        info = await client.async_model_info(name)
    except OllamaModelNotFoundError:
        return "model_not_found"
    except OllamaError:
        return "cannot_connect"
    return role_problem(info, text=text)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The fix flow of a vanished model (the only fixable issue)."""
    assert data is not None
    entry = hass.config_entries.async_get_entry(str(data["entry_id"]))
    assert entry is not None
    return ModelMissingRepairFlow(entry, str(data["role"]))
