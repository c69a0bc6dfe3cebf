"""What a loaded setup keeps while it runs (the config entry's runtime data)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, callback

from .analysis import AnalysisPipeline, AnalysisResult
from .client import OllamaClient
from .coordinator import ServerStatusCoordinator
from .queue import AnalysisQueue
from .settings import EntrySettings

type ImageSensorRecorder = Callable[[AnalysisResult], Awaitable[str | None]]
type OllamaVisionConfigEntry = ConfigEntry[OllamaVisionRuntime]


@dataclass(slots=True)
class OllamaVisionRuntime:
    """A setup's clients, queue and latest outcome."""

    settings: EntrySettings
    vision_client: OllamaClient
    text_client: OllamaClient | None
    pipeline: AnalysisPipeline
    coordinator: ServerStatusCoordinator
    queue: AnalysisQueue = field(init=False)
    # Set by the sensor platform: creates or updates the sensor of an image name
    # and returns its entity id.
    record_image: ImageSensorRecorder | None = None
    last_result: AnalysisResult | None = None
    _listeners: list[CALLBACK_TYPE] = field(default_factory=list)

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the queue or the latest outcome changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_notify(self) -> None:
        """Tell the listeners something changed."""
        for listener in list(self._listeners):
            listener()
