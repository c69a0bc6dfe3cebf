"""What a loaded setup keeps while it runs (the config entry's runtime data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .coordinator import ServerStatusCoordinator
from .ollama.pool import ServerSet
from .pipeline.job import AnalysisResult
from .pipeline.queue import AnalysisQueue
from .pipeline.stages import AnalysisPipeline
from .settings import EntrySettings
from .timeline.recorder import Timeline

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
