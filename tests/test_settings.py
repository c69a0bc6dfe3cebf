"""The option table: each option once, under the key existing setups stored."""

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ollama_vision import settings
from custom_components.ollama_vision.const import DOMAIN
from custom_components.ollama_vision.settings import (
    DEFAULT_OPTIONS,
    OPTIONS,
    TEXT_OPTIONS,
    EntrySettings,
    Option,
)
from homeassistant.core import HomeAssistant
from tests.conftest import entry_data, private_media_folder, suggested_values
from tests.ollama_emulator import OllamaEmulator

# What setups have stored since their first release: renaming one would make
# every existing setup lose its value (and keep a stale key).
STORED_KEYS = [
    "default_prompt",
    "default_text_prompt",
    "vision_keepalive",
    "text_keepalive",
    "warm_up",
    "fetch_timeout",
    "vision_timeout",
    "text_timeout",
    "concurrency",
    "queue_size",
    "max_image_edge",
    "max_image_mb",
    "skip_unchanged",
    "unchanged_threshold",
    "max_video_mb",
    "max_clip_seconds",
    "timeline_retention_days",
    "timeline_snapshots",
    "timeline_max_snapshot_mb",
    "remove_image_sensors_after_days",
]


def test_every_option_is_in_the_table_once() -> None:
    """A row defined but left out of OPTIONS would be on no form and in no default."""
    rows = {value for value in vars(settings).values() if isinstance(value, Option)}
    assert rows == set(OPTIONS)
    assert [option.key for option in OPTIONS] == STORED_KEYS
    # A new setup stores no prompt: the built-in ones apply until the user
    # writes one (they follow Home Assistant's language).
    assert list(DEFAULT_OPTIONS) == [
        key for key in STORED_KEYS if key not in TEXT_OPTIONS
    ]
    assert list(TEXT_OPTIONS) == ["default_prompt", "default_text_prompt"]


async def test_options_not_stored_read_as_their_defaults(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> None:
    """A setup stored before an option existed runs with its default."""
    private_media_folder(hass)
    bare = MockConfigEntry(
        domain=DOMAIN, title="Porch", data=entry_data(ollama_emulator, "Porch")
    )
    full = MockConfigEntry(
        domain=DOMAIN,
        title="Porch",
        data=entry_data(ollama_emulator, "Porch"),
        options=DEFAULT_OPTIONS,
    )
    bare.add_to_hass(hass)
    assert await hass.config_entries.async_setup(bare.entry_id)
    await hass.async_block_till_done()
    assert bare.runtime_data.settings == EntrySettings.from_entry(full)

    running = bare.runtime_data.settings
    assert running.image_limits.max_bytes == 20 * 1024 * 1024
    assert running.video_limits.max_bytes == 100 * 1024 * 1024
    assert running.timeline.max_snapshot_bytes == 500 * 1024 * 1024
    assert running.vision.keep_alive == -1
    assert running.queue_size == 50

    # The options form starts from the same defaults.
    result = await hass.config_entries.options.async_init(bare.entry_id)
    assert suggested_values(result, "queue") == {"concurrency": 1, "queue_size": 50}
