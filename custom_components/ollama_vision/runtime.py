"""What a loaded setup keeps while it runs (the config entry's runtime data)."""

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import ServerStatusCoordinator
from .ollama.pool import ServerSet
from .pipeline.job import AnalysisResult
from .pipeline.queue import AnalysisQueue
from .pipeline.unchanged import PictureMemory
from .pipeline.watches import Watches
from .settings import EntrySettings
from .timeline.recorder import Timeline

type OllamaVisionConfigEntry = ConfigEntry[OllamaVisionRuntime]


@dataclass(slots=True)
class OllamaVisionRuntime:
    """A setup's servers, queue, watches, timeline, latest result, and what each
    image name's model last saw."""

    settings: EntrySettings
    servers: ServerSet
    coordinator: ServerStatusCoordinator
    queue: AnalysisQueue
    watches: Watches
    timeline: Timeline
    picture_memory: PictureMemory
    last_result: AnalysisResult | None = None
