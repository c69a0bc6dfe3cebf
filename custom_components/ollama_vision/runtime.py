"""What a loaded setup keeps while it runs (the config entry's runtime data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .analysis import AnalysisPipeline, AnalysisResult
from .coordinator import ServerStatusCoordinator
from .queue import AnalysisQueue
from .server_pool import ServerSet
from .settings import EntrySettings
from .timeline import Timeline

type OllamaVisionConfigEntry = ConfigEntry[OllamaVisionRuntime]


@dataclass(slots=True)
class OllamaVisionRuntime:
    """A setup's servers, queue and latest result."""

    settings: EntrySettings
    servers: ServerSet
    pipeline: AnalysisPipeline
    coordinator: ServerStatusCoordinator
    queue: AnalysisQueue = field(init=False)
    timeline: Timeline = field(init=False)
    last_result: AnalysisResult | None = None
