"""The Ollama Vision integration: describe images with a local Ollama vision model."""

from __future__ import annotations

from functools import partial
import logging

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .analysis import AnalysisPipeline
from .client import OllamaClient
from .const import DOMAIN
from .coordinator import ServerStatusCoordinator
from .outcome import async_report_outcome
from .queue import AnalysisQueue
from .runtime import OllamaVisionConfigEntry, OllamaVisionRuntime
from .services import async_setup_services
from .settings import EntrySettings, ModelTarget

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [Platform.AI_TASK, Platform.BINARY_SENSOR, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, for every setup."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> bool:
    """Connect to the servers, then start the setup's queue.

    The first poll raises ConfigEntryNotReady when a server is unreachable, so
    Home Assistant retries the setup later.
    """
    settings = EntrySettings.from_entry(entry)
    session = async_get_clientsession(hass)

    def client_for(target: ModelTarget) -> OllamaClient:
        return OllamaClient(session, target.url, target.api_key)

    vision_client = client_for(settings.vision)
    text_client = client_for(settings.text) if settings.text else None
    coordinator = ServerStatusCoordinator(hass, entry, vision_client, text_client)
    await coordinator.async_config_entry_first_refresh()
    pipeline = AnalysisPipeline(hass, settings, vision_client, text_client)
    runtime = OllamaVisionRuntime(
        settings=settings,
        vision_client=vision_client,
        text_client=text_client,
        pipeline=pipeline,
        coordinator=coordinator,
    )

    runtime.queue = AnalysisQueue(
        hass,
        name=settings.name,
        runners=[pipeline.async_run] * settings.concurrency,
        max_waiting=settings.queue_size,
        on_outcome=partial(async_report_outcome, hass, entry),
        on_change=coordinator.async_update_listeners,
    )
    entry.runtime_data = runtime
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    runtime.queue.async_start()
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: OllamaVisionConfigEntry
) -> bool:
    """Stop the queue at once (its jobs end as `unloaded`), then the entities."""
    await entry.runtime_data.queue.async_stop()
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
