"""What a loaded setup keeps while it runs (the config entry's runtime data)."""

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import ServerStatusCoordinator
from .ollama.pool import ServerSet
from .pipeline.job import AnalysisResult
from .pipeline.queue import AnalysisQueue
from .pipeline.watches import Watches
from .settings import EntrySettings
from .timeline.recorder import Timeline

type OllamaVisionConfigEntry = ConfigEntry[OllamaVisionRuntime]


@dataclass(slots=True)
class OllamaVisionRuntime:
    """A setup's servers, queue, watches, timeline and latest result."""

    settings: EntrySettings
    servers: ServerSet
    coordinator: ServerStatusCoordinator
    queue: AnalysisQueue
    watches: Watches
    timeline: Timeline
    last_result: AnalysisResult | None = None
