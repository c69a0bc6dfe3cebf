"""The Ollama Vision integration: describe images with a local Ollama vision model."""

from functools import partial
import logging

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType

from .assist.api import async_setup_assist_api
from .const import DOMAIN
from .coordinator import ServerStatusCoordinator
from .image_sensors import async_start_automatic_removal
from .ollama.pool import ServerSet
from .pipeline.queue import AnalysisQueue
from .pipeline.sink import (
    SIGNAL_QUEUE_CHANGED,
    async_finish_job,
    async_report_outcome,
    fire_condition_met,
)
from .pipeline.stages import AnalysisPipeline
from .pipeline.unchanged import PictureMemory
from .pipeline.watches import Watches
from .runtime import OllamaVisionConfigEntry, OllamaVisionRuntime
from .services import async_setup_services
from .settings import TEXT_OPTIONS, EntrySettings
from .timeline.card import async_register_card
from .timeline.recorder import Timeline, async_remove_timeline
from .timeline.websocket import async_setup_timeline_api

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
    """Register the actions, the timeline's API and its card, and Assist's
    tools once, for every setup."""
    async_setup_services(hass)
    async_setup_timeline_api(hass)
    async_setup_assist_api(hass)
    await async_register_card(hass)
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
    picture_memory = PictureMemory(settings.unchanged_threshold)
    pipeline = AnalysisPipeline(
        hass, settings, servers.vision, servers.text, picture_memory
    )
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
    watches = Watches(
        hass,
        queue=queue,
        report=partial(async_report_outcome, hass, entry),
        announce=partial(fire_condition_met, hass, entry),
        create_task=create_task,
    )
    entry.runtime_data = OllamaVisionRuntime(
        settings=settings,
        servers=servers,
        coordinator=coordinator,
        queue=queue,
        watches=watches,
        timeline=timeline,
        picture_memory=picture_memory,
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if settings.remove_image_sensors_after:
        async_start_automatic_removal(hass, entry, settings.remove_image_sensors_after)
    queue.async_start()
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> bool:
    """End the watches (each caller is answered), stop the queue at once (its
    jobs end as `unloaded`), then the entities."""
    entry.runtime_data.watches.async_stop_all()
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
    if entry.minor_version < 3:
        # 1.2 stored the built-in prompts' words at setup, which made them look
        # like the user's own; those go, so the built-in prompts (which now ask
        # for Home Assistant's language) apply. A prompt the user wrote stays.
        options = {
            key: value
            for key, value in entry.options.items()
            if key not in TEXT_OPTIONS or TEXT_OPTIONS[key].own_text(value) is not None
        }
        hass.config_entries.async_update_entry(entry, options=options, minor_version=3)
        _LOGGER.debug("Migrated %s to version 1.3", entry.title)
    return True


async def async_remove_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> None:
    """A removed setup takes its timeline and snapshots with it."""
    await async_remove_timeline(hass, entry.entry_id)
