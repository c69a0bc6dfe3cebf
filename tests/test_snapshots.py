"""Snapshots of what users and tools see: the action's answer, diagnostics, entities.

Volatile values (times, durations, the test servers' ports) are replaced by
ANY or a fixed address before comparing. After an intended change, update the
snapshots with `pytest tests/test_snapshots.py --snapshot-update` and review
the diff of `tests/snapshots/test_snapshots.ambr`.
"""

import re
from typing import Any
from unittest.mock import ANY, patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.types import PropertyPath, SerializableData

from custom_components.ollama_vision.const import DOMAIN
from custom_components.ollama_vision.settings import DEFAULT_OPTIONS
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from tests.conftest import analyze, entry_data, private_media_folder
from tests.image_server import ImageServer
from tests.ollama_emulator import OllamaEmulator

ENTRY_ID = "01JSNAPSHOTFRONTDOOR000000"
VOLATILE_KEYS = {"analyzed_at", "duration", "median_latency", "start_time", "end_time"}
# A timeline snapshot's day folder and time of day.
SNAPSHOT_TIME = re.compile(r"/\d{4}-\d{2}-\d{2}/\d{6}_")
# A signed link's signature (it holds the moment it was signed).
SIGNATURE = re.compile(r"authSig=[^&]+")


@pytest.fixture
def snapshot(
    snapshot: SnapshotAssertion,
    ollama_emulator: OllamaEmulator,
    image_server: ImageServer,
) -> SnapshotAssertion:
    """Home Assistant's snapshot, with times, durations and ports made stable."""
    hosts = {
        ollama_emulator.url.removeprefix("http://"): "ollama.test:11434",
        image_server.url("/").removeprefix("http://").rstrip("/"): "images.test",
    }

    def stable(data: SerializableData, path: PropertyPath) -> SerializableData:
        key = path[-1][0] if path else None
        if key in VOLATILE_KEYS or (len(path) > 1 and path[-2][0] == "timings"):
            return ANY
        if isinstance(data, dict) and str(data.get("entity_id", "")).endswith(
            "_last_analysis_duration"
        ):
            return {**data, "state": ANY}
        if isinstance(data, str):
            for real, fixed in hosts.items():
                data = data.replace(real, fixed)
            data = SNAPSHOT_TIME.sub("/YYYY-MM-DD/HHMMSS_", data)
            data = SIGNATURE.sub("authSig=SIGNATURE", data)
        return data

    return snapshot.with_defaults(
        matcher=stable, extension_class=HomeAssistantSnapshotExtension
    )


@pytest.fixture
async def entry(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> MockConfigEntry:
    """The "Front door" setup with a fixed entry id, not yet loaded."""
    private_media_folder(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        unique_id="front_door",
        entry_id=ENTRY_ID,
        data=entry_data(ollama_emulator),
        options=DEFAULT_OPTIONS,
    )
    entry.add_to_hass(hass)
    return entry


async def _load(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _analyse(hass: HomeAssistant, image_server: ImageServer) -> Any:
    from tests.image_server import make_jpeg

    image_server.add("/door.jpg", make_jpeg(640, 480, colour=(200, 30, 30)))
    return await analyze(
        hass,
        response=True,
        image_url=image_server.url("/door.jpg"),
        image_name="porch",
        use_text_model=True,
    )


async def test_action_response(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    snapshot: SnapshotAssertion,
) -> None:
    """The answer an automation's response variable gets."""
    await _load(hass, entry)
    assert await _analyse(hass, image_server) == snapshot


async def test_diagnostics(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """The diagnostics download, fetched through Home Assistant's HTTP API."""
    await _load(hass, entry)
    await _analyse(hass, image_server)
    assert await get_diagnostics_for_config_entry(hass, hass_client, entry) == snapshot


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [Platform.SENSOR, Platform.BINARY_SENSOR, Platform.AI_TASK, Platform.CALENDAR],
)
async def test_entities(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of a platform: registry entry and state, after one analysis."""
    with patch("custom_components.ollama_vision.PLATFORMS", [platform]):
        await _load(hass, entry)
        await _analyse(hass, image_server)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
