"""What a loaded setup keeps while it runs (the config entry's runtime data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .analysis import AnalysisPipeline, AnalysisResult
from .client import OllamaClient
from .coordinator import ServerStatusCoordinator
from .queue import AnalysisQueue
from .settings import EntrySettings

type OllamaVisionConfigEntry = ConfigEntry[OllamaVisionRuntime]


@dataclass(slots=True)
class OllamaVisionRuntime:
    """A setup's clients, queue and latest result."""

    settings: EntrySettings
    vision_client: OllamaClient
    text_client: OllamaClient | None
    pipeline: AnalysisPipeline
    coordinator: ServerStatusCoordinator
    queue: AnalysisQueue = field(init=False)
    last_result: AnalysisResult | None = None
