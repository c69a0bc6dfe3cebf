"""Downloading models a server does not have, with a progress bar.

As core's Ollama integration does: the server pulls the model (`/api/pull`)
while the flow shows a progress step, here with a progress bar fed by the
download's bytes. The setup form downloads the models it was given that a
server lacks; the repair of a vanished model pulls it back. Each flow says
what comes after the downloads, and after a failed one (Ollama's reason).
"""

import asyncio
from dataclasses import dataclass
import logging
from typing import Any, override

from homeassistant.core import callback
from homeassistant.data_entry_flow import FlowContext, FlowHandler, FlowResult

from ..const import DOMAIN
from ..ollama.client import OllamaClient, OllamaError
from ..ollama.redact import redact_credentials

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelDownload:
    """A model to pull: the form field it was typed in, and onto which server."""

    field: str
    model: str
    url: str
    api_key: str | None


class ModelDownloadFlow[ContextT: FlowContext, ResultT: FlowResult[Any, Any]](
    FlowHandler[ContextT, ResultT, str]
):
    """The download steps of a config or repair flow.

    The flow provides the client of each server and what follows the
    downloads; they run one after another, each as the progress task.
    """

    def __init__(self) -> None:
        """Nothing to download yet."""
        super().__init__()
        self._downloads: list[ModelDownload] = []
        self._download_task: asyncio.Task[None] | None = None
        self._download_failure: tuple[ModelDownload, str] | None = None

    def _download_client(  # pragma: no cover
        self, download: ModelDownload
    ) -> OllamaClient:
        """The client of the server a download goes to."""
        raise NotImplementedError

    async def _async_downloaded(self, download: ModelDownload) -> None:
        """A server has the model now (a flow that lists models updates them)."""

    async def _async_downloads_done(self) -> ResultT:  # pragma: no cover
        """Every download ended well: go on."""
        raise NotImplementedError

    async def _async_download_failed(  # pragma: no cover
        self, download: ModelDownload, reason: str
    ) -> ResultT:
        """A download failed with Ollama's `reason`: let the user choose again."""
        raise NotImplementedError

    async def _async_start_downloads(self, downloads: list[ModelDownload]) -> ResultT:
        """Pull the missing models in turn."""
        self._downloads = downloads
        return await self.async_step_download()

    async def async_step_download(
        self, user_input: dict[str, Any] | None = None
    ) -> ResultT:
        """Show the next download's progress until it ends."""
        download = self._downloads[0]
        client = self._download_client(download)
        if self._download_task is None:
            self._download_task = self.hass.async_create_task(
                self._async_pull(client, download.model),
                f"{DOMAIN} download of {download.model}",
                eager_start=False,
            )
        if not self._download_task.done():
            return self.async_show_progress(
                step_id="download",
                progress_action="download",
                progress_task=self._download_task,
                description_placeholders={
                    "model": download.model,
                    "address": redact_credentials(client.base_url),
                },
            )
        task, self._download_task = self._download_task, None
        if (err := task.exception()) is not None:
            self._download_failure = (download, _reason(err))
            return self.async_show_progress_done(next_step_id="download_failed")
        await self._async_downloaded(self._downloads.pop(0))
        return self.async_show_progress_done(
            next_step_id="download" if self._downloads else "downloaded"
        )

    async def _async_pull(self, client: OllamaClient, model: str) -> None:
        async for step in client.async_pull(model):
            if step.fraction is not None:
                self.async_update_progress(step.fraction)

    async def async_step_downloaded(
        self, user_input: dict[str, Any] | None = None
    ) -> ResultT:
        """Everything downloaded: what the flow does next."""
        return await self._async_downloads_done()

    async def async_step_download_failed(
        self, user_input: dict[str, Any] | None = None
    ) -> ResultT:
        """Back to the flow's choice, saying why the download failed."""
        assert self._download_failure is not None
        download, reason = self._download_failure
        self._downloads = []
        return await self._async_download_failed(download, reason)

    @override
    @callback
    def async_remove(self) -> None:
        """A closed form stops its download (Ollama keeps what it has so far)."""
        if self._download_task is not None:
            self._download_task.cancel()


def _reason(err: BaseException) -> str:
    """Ollama's words for a failed download."""
    if not isinstance(err, OllamaError):  # pragma: no cover - a bug of ours
        _LOGGER.error("Unexpected error while downloading a model", exc_info=err)
        return "unexpected error (see the log)"
    return str(err)
