"""The options flow: grouped in sections on screen, stored flat."""

from collections.abc import Callable
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ollama_vision.const import (
    CONF_CONCURRENCY,
    CONF_DEFAULT_PROMPT,
    CONF_DEFAULT_TEXT_PROMPT,
    CONF_FETCH_TIMEOUT,
    CONF_MAX_CLIP_SECONDS,
    CONF_MAX_IMAGE_BYTES,
    CONF_MAX_IMAGE_EDGE,
    CONF_MAX_VIDEO_BYTES,
    CONF_QUEUE_SIZE,
    CONF_REMOVE_IMAGE_SENSORS_AFTER,
    CONF_TEXT_KEEPALIVE,
    CONF_TEXT_TIMEOUT,
    CONF_TIMELINE_MAX_SNAPSHOT_MB,
    CONF_TIMELINE_RETENTION_DAYS,
    CONF_TIMELINE_SNAPSHOTS,
    CONF_VISION_KEEPALIVE,
    CONF_VISION_TIMEOUT,
    CONF_WARM_UP,
)
from custom_components.ollama_vision.flow.fields import OPTION_FIELDS
from custom_components.ollama_vision.settings import DEFAULT_OPTIONS, TimelineSettings
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.ollama_emulator import OllamaEmulator

ANSWER: dict[str, dict[str, Any]] = {
    "prompts": {
        CONF_DEFAULT_PROMPT: "Count the cats.",
        CONF_DEFAULT_TEXT_PROMPT: "Shout: {description}",
    },
    "keep_alive": {
        CONF_VISION_KEEPALIVE: 120.0,
        CONF_TEXT_KEEPALIVE: 0.0,
        CONF_WARM_UP: False,
    },
    "time_limits": {
        CONF_FETCH_TIMEOUT: 10.0,
        CONF_VISION_TIMEOUT: 60.0,
        CONF_TEXT_TIMEOUT: 30.0,
    },
    "queue": {CONF_CONCURRENCY: 2.0, CONF_QUEUE_SIZE: 5.0},
    "images": {CONF_MAX_IMAGE_EDGE: 512.0, CONF_MAX_IMAGE_BYTES: 2.0},
    "videos": {CONF_MAX_VIDEO_BYTES: 50.0, CONF_MAX_CLIP_SECONDS: 30.0},
    "timeline": {
        CONF_TIMELINE_RETENTION_DAYS: 30.0,
        CONF_TIMELINE_SNAPSHOTS: False,
        CONF_TIMELINE_MAX_SNAPSHOT_MB: 50.0,
    },
    "image_sensors": {CONF_REMOVE_IMAGE_SENSORS_AFTER: 30.0},
}


def _fields(result: Any) -> dict[str, list[str]]:
    """Each section of the form and the options in it."""
    return {
        str(key): [str(inner) for inner in value.schema.schema]
        for key, value in result["data_schema"].schema.items()
    }


async def test_options_are_grouped_and_stored_flat(
    hass: HomeAssistant, setup_entry: MockConfigEntry, ollama_emulator: OllamaEmulator
) -> None:
    """Saved options take effect at once (reload), stored flat as whole numbers."""
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["step_id"] == "init"
    assert result["description_placeholders"]["name"] == "Front door"
    assert _fields(result) == {
        section: list(values) for section, values in ANSWER.items()
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], ANSWER
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    flat = {key: value for values in ANSWER.values() for key, value in values.items()}
    assert setup_entry.options == {
        key: int(value) if isinstance(value, float) else value
        for key, value in flat.items()
    }
    assert isinstance(setup_entry.options[CONF_CONCURRENCY], int)
    settings = setup_entry.runtime_data.settings
    assert settings.default_prompt == "Count the cats."
    assert settings.concurrency == 2
    assert settings.image_limits.max_edge == 512
    assert settings.video_limits.max_bytes == 50 * 1024 * 1024
    assert settings.video_limits.max_seconds == 30
    assert settings.vision.keep_alive == 120
    assert settings.timeline == TimelineSettings(
        retention_days=30, snapshots=False, max_snapshot_bytes=50 * 1024 * 1024
    )
    assert settings.remove_image_sensors_after == 30


async def test_stored_values_are_shown_in_their_sections(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """The form starts from the stored (flat) values."""
    entry = make_entry(queue_size=7)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    queue = result["data_schema"].schema["queue"].schema.schema
    suggested = {str(k): k.description["suggested_value"] for k in queue}
    assert suggested == {CONF_CONCURRENCY: 1, CONF_QUEUE_SIZE: 7}


async def test_numbers_out_of_range_get_our_message(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """A bad number is named above its section; nothing is saved."""
    entry = make_entry()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    answer = {
        **ANSWER,
        "queue": {CONF_CONCURRENCY: 0.0, CONF_QUEUE_SIZE: 5.5},
        "images": {CONF_MAX_IMAGE_EDGE: 9000.0, CONF_MAX_IMAGE_BYTES: 2.0},
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answer
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        "queue": "concurrency_range",
        "images": "max_image_edge_range",
    }
    assert entry.options == DEFAULT_OPTIONS


async def test_text_model_options_only_with_a_text_model(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """Without a text model its options are hidden, and kept for when it returns."""
    entry = make_entry("Porch", text=False, text_timeout=99)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    hidden = {f.key for f in OPTION_FIELDS if f.text_model}
    shown = {key for keys in _fields(result).values() for key in keys}
    assert hidden == {CONF_TEXT_KEEPALIVE, CONF_DEFAULT_TEXT_PROMPT, CONF_TEXT_TIMEOUT}
    assert not hidden & shown
    answer = {
        section: {k: v for k, v in values.items() if k not in hidden}
        for section, values in ANSWER.items()
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answer
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_TEXT_TIMEOUT] == 99
    assert entry.options[CONF_QUEUE_SIZE] == 5
