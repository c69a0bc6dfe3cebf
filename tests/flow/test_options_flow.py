"""The options flow: grouped in sections on screen, stored flat."""

from collections.abc import Callable
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ollama_vision.settings import (
    CONCURRENCY,
    DEFAULT_OPTIONS,
    DEFAULT_PROMPT,
    DEFAULT_TEXT_PROMPT,
    FETCH_TIMEOUT,
    MAX_CLIP_SECONDS,
    MAX_IMAGE_EDGE,
    MAX_IMAGE_MB,
    MAX_VIDEO_MB,
    OPTIONS,
    QUEUE_SIZE,
    REMOVE_IMAGE_SENSORS_AFTER_DAYS,
    SKIP_UNCHANGED,
    TEXT_KEEPALIVE,
    TEXT_TIMEOUT,
    TIMELINE_MAX_SNAPSHOT_MB,
    TIMELINE_RETENTION_DAYS,
    TIMELINE_SNAPSHOTS,
    UNCHANGED_THRESHOLD,
    VISION_KEEPALIVE,
    VISION_TIMEOUT,
    WARM_UP,
    TimelineSettings,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.conftest import suggested_values
from tests.ollama_emulator import OllamaEmulator

ANSWER: dict[str, dict[str, Any]] = {
    "prompts": {
        DEFAULT_PROMPT.key: "Count the cats.",
        DEFAULT_TEXT_PROMPT.key: "Shout: {description}",
    },
    "keep_alive": {
        VISION_KEEPALIVE.key: 120.0,
        TEXT_KEEPALIVE.key: 0.0,
        WARM_UP.key: False,
    },
    "time_limits": {
        FETCH_TIMEOUT.key: 10.0,
        VISION_TIMEOUT.key: 60.0,
        TEXT_TIMEOUT.key: 30.0,
    },
    "queue": {CONCURRENCY.key: 2.0, QUEUE_SIZE.key: 5.0},
    "images": {
        MAX_IMAGE_EDGE.key: 512.0,
        MAX_IMAGE_MB.key: 2.0,
        SKIP_UNCHANGED.key: True,
        UNCHANGED_THRESHOLD.key: 8.0,
    },
    "videos": {MAX_VIDEO_MB.key: 50.0, MAX_CLIP_SECONDS.key: 30.0},
    "timeline": {
        TIMELINE_RETENTION_DAYS.key: 30.0,
        TIMELINE_SNAPSHOTS.key: False,
        TIMELINE_MAX_SNAPSHOT_MB.key: 50.0,
    },
    "image_sensors": {REMOVE_IMAGE_SENSORS_AFTER_DAYS.key: 30.0},
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
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["name"] == "Front door"
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
    assert isinstance(setup_entry.options[CONCURRENCY.key], int)
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
    assert settings.skip_unchanged is True
    assert settings.unchanged_threshold == 8


async def test_stored_values_are_shown_in_their_sections(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """The form starts from the stored (flat) values."""
    entry = make_entry(queue_size=7)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested_values(result, "queue") == {CONCURRENCY.key: 1, QUEUE_SIZE.key: 7}


async def test_numbers_out_of_range_get_our_message(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """A bad number is named above its section; nothing is saved."""
    entry = make_entry()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    answer = {
        **ANSWER,
        "queue": {CONCURRENCY.key: 0.0, QUEUE_SIZE.key: 5.5},
        "images": {**ANSWER["images"], MAX_IMAGE_EDGE.key: 9000.0},
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
    hidden = {option.key for option in OPTIONS if option.text_model}
    shown = {key for keys in _fields(result).values() for key in keys}
    assert hidden == {TEXT_KEEPALIVE.key, DEFAULT_TEXT_PROMPT.key, TEXT_TIMEOUT.key}
    assert not hidden & shown
    answer = {
        section: {k: v for k, v in values.items() if k not in hidden}
        for section, values in ANSWER.items()
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answer
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[TEXT_TIMEOUT.key] == 99
    assert entry.options[QUEUE_SIZE.key] == 5


async def test_prompts_show_the_built_in_words_and_store_only_the_users(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """A setup without prompts of its own shows the built-in ones; saved as shown
    (or emptied) they store nothing, so the built-in prompts, in Home
    Assistant's language, keep applying; words of the user's own are stored."""
    entry = make_entry()
    assert DEFAULT_PROMPT.key not in entry.options
    result = await hass.config_entries.options.async_init(entry.entry_id)
    shown = suggested_values(result, "prompts")
    assert shown == {
        DEFAULT_PROMPT.key: DEFAULT_PROMPT.default,
        DEFAULT_TEXT_PROMPT.key: DEFAULT_TEXT_PROMPT.default,
    }
    # Saved as shown (trailing whitespace aside): nothing stored.
    answer = {
        **ANSWER,
        "prompts": {
            DEFAULT_PROMPT.key: DEFAULT_PROMPT.default + "\n",
            DEFAULT_TEXT_PROMPT.key: DEFAULT_TEXT_PROMPT.default,
        },
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answer
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert DEFAULT_PROMPT.key not in entry.options
    assert DEFAULT_TEXT_PROMPT.key not in entry.options

    # The user's own words are stored ...
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**ANSWER, "prompts": {DEFAULT_PROMPT.key: "Count cats."}}
    )
    assert entry.options[DEFAULT_PROMPT.key] == "Count cats."
    assert DEFAULT_TEXT_PROMPT.key not in entry.options
    # ... and shown next time; an emptied box (left out of the answer) goes back
    # to the built-in prompt.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested_values(result, "prompts")[DEFAULT_PROMPT.key] == "Count cats."
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**ANSWER, "prompts": {DEFAULT_TEXT_PROMPT.key: " "}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert DEFAULT_PROMPT.key not in entry.options
    assert DEFAULT_TEXT_PROMPT.key not in entry.options
