"""The Ollama Vision integration: describe images with a local Ollama vision model."""

from functools import partial
import logging

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .coordinator import ServerStatusCoordinator
from .image_sensors import async_start_automatic_removal
from .ollama.pool import ServerSet
from .pipeline.queue import AnalysisQueue
from .pipeline.sink import SIGNAL_QUEUE_CHANGED, async_finish_job
from .pipeline.stages import AnalysisPipeline
from .runtime import OllamaVisionConfigEntry, OllamaVisionRuntime
from .services import async_setup_housekeeping_services, async_setup_services
from .settings import EntrySettings
from .timeline.recorder import Timeline, async_remove_timeline

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.AI_TASK,
    Platform.BINARY_SENSOR,
    Platform.CALENDAR,
    Platform.IMAGE,
    Platform.SENSOR,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, for every setup."""
    async_setup_services(hass)
    async_setup_housekeeping_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> bool:
    """Connect to the servers, open the timeline, then start the setup's queue.

    The first poll raises ConfigEntryNotReady when a server is unreachable, so
    Home Assistant retries the setup later. Probes, warm-ups and workers are
    the entry's background tasks: a failed setup or an unload cancels them.
    """
    settings = EntrySettings.from_entry(entry)
    create_task = partial(entry.async_create_background_task, hass)
    servers = ServerSet(
        async_get_clientsession(hass),
        name=f"{DOMAIN} {settings.name}",
        vision=settings.vision,
        text=settings.text,
        capacity=settings.concurrency,
        warm_up=settings.warm_up,
        create_task=create_task,
    )
    coordinator = ServerStatusCoordinator(hass, entry, settings, servers)
    await coordinator.async_config_entry_first_refresh()
    timeline = await Timeline.async_open(hass, entry, settings.name, settings.timeline)
    entry.async_on_unload(timeline.async_close)
    entry.async_on_unload(timeline.async_clean_daily(entry))
    pipeline = AnalysisPipeline(hass, settings, servers.vision, servers.text)
    queue = AnalysisQueue(
        hass,
        name=settings.name,
        # One worker per slot of every vision server: each server's "analyses
        # at a time"; the servers' pool decides where each request goes.
        workers=settings.concurrency * len(servers.vision.servers),
        run=pipeline.async_run,
        max_waiting=settings.queue_size,
        sink=partial(async_finish_job, hass, entry),
        on_change=partial(
            async_dispatcher_send, hass, SIGNAL_QUEUE_CHANGED.format(entry.entry_id)
        ),
        create_task=create_task,
    )
    entry.runtime_data = OllamaVisionRuntime(
        settings=settings,
        servers=servers,
        coordinator=coordinator,
        queue=queue,
        timeline=timeline,
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if settings.remove_image_sensors_after:
        async_start_automatic_removal(hass, entry, settings.remove_image_sensors_after)
    queue.async_start()
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> bool:
    """Stop the queue at once (its jobs end as `unloaded`), then the entities."""
    await entry.runtime_data.queue.async_stop()
    await entry.runtime_data.servers.async_stop()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_migrate_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> bool:
    """Bring an entry from an older version of the integration up to date.

    Home Assistant itself refuses entries of a newer major version.
    """
    if entry.minor_version < 2:
        # 1.1 used the slug of the first name as unique id, which kept that name
        # reserved after a rename; names are now checked against current titles.
        hass.config_entries.async_update_entry(entry, unique_id=None, minor_version=2)
        _LOGGER.debug("Migrated %s to version 1.2", entry.title)
    return True


async def async_remove_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> None:
    """A removed setup takes its timeline and snapshots with it."""
    await async_remove_timeline(hass, entry.entry_id)
