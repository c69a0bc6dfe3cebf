"""The options form: each option's section, selector and range, in one table.

Options are stored flat (`entry.options["concurrency"]`); only the form groups them.
A new option is one `OptionField` appended to `OPTION_FIELDS`, plus its strings
(`options.step.init.sections.<section>.data.<key>`, and `<key>_range` under
`options.error` when it has a range).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import probatio as vol

from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    Selector,
    TextSelector,
    TextSelectorConfig,
)

from ..const import (
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

MULTILINE = TextSelector(TextSelectorConfig(multiline=True))


def number_box(unit: str | None = None) -> NumberSelector:
    """A whole-number box; the range is checked by the flow, in our own words."""
    return NumberSelector(
        NumberSelectorConfig(
            step=1,
            mode=NumberSelectorMode.BOX,
            **({"unit_of_measurement": unit} if unit else {}),
        )
    )


@dataclass(frozen=True, slots=True)
class OptionField:
    """One option on the form."""

    key: str
    section: str
    selector: Selector[Any]
    minimum: int | None = None
    maximum: int | None = None
    text_model: bool = False
    """Shown only when the setup has a text model."""

    @property
    def range_error(self) -> str:
        """The error key for a number outside the range."""
        return f"{self.key}_range"

    def in_range(self, value: Any) -> bool:
        """Whether a number is whole and inside the range (text has none)."""
        if self.minimum is None or self.maximum is None:
            return True
        return float(value).is_integer() and self.minimum <= value <= self.maximum


OPTION_FIELDS: list[OptionField] = [
    OptionField(CONF_DEFAULT_PROMPT, "prompts", MULTILINE),
    OptionField(CONF_DEFAULT_TEXT_PROMPT, "prompts", MULTILINE, text_model=True),
    # Seconds a server keeps a model loaded after a request; -1 keeps it loaded.
    OptionField(CONF_VISION_KEEPALIVE, "keep_alive", number_box("s"), -1, 604800),
    OptionField(
        CONF_TEXT_KEEPALIVE, "keep_alive", number_box("s"), -1, 604800, text_model=True
    ),
    OptionField(CONF_WARM_UP, "keep_alive", BooleanSelector()),
    OptionField(CONF_FETCH_TIMEOUT, "time_limits", number_box("s"), 1, 600),
    OptionField(CONF_VISION_TIMEOUT, "time_limits", number_box("s"), 5, 3600),
    OptionField(
        CONF_TEXT_TIMEOUT, "time_limits", number_box("s"), 5, 3600, text_model=True
    ),
    OptionField(CONF_CONCURRENCY, "queue", number_box(), 1, 16),
    OptionField(CONF_QUEUE_SIZE, "queue", number_box(), 1, 1000),
    OptionField(CONF_MAX_IMAGE_EDGE, "images", number_box("px"), 0, 8192),
    OptionField(CONF_MAX_IMAGE_BYTES, "images", number_box("MB"), 1, 200),
    OptionField(CONF_MAX_VIDEO_BYTES, "videos", number_box("MB"), 1, 2000),
    OptionField(CONF_MAX_CLIP_SECONDS, "videos", number_box("s"), 1, 3600),
    OptionField(CONF_TIMELINE_RETENTION_DAYS, "timeline", number_box("d"), 0, 3650),
    OptionField(CONF_TIMELINE_SNAPSHOTS, "timeline", BooleanSelector()),
    OptionField(CONF_TIMELINE_MAX_SNAPSHOT_MB, "timeline", number_box("MB"), 0, 100000),
    # Days without an analysis before an image sensor is removed; 0 keeps them.
    OptionField(
        CONF_REMOVE_IMAGE_SENSORS_AFTER, "image_sensors", number_box("d"), 0, 3650
    ),
]


def option_field(key: str) -> OptionField:
    """The table's entry for an option."""
    return next(field for field in OPTION_FIELDS if field.key == key)


def shown_fields(*, text_model: bool) -> list[OptionField]:
    """The fields of a setup, without the text model's when it has none."""
    return [f for f in OPTION_FIELDS if text_model or not f.text_model]


def sectioned_schema(fields: list[OptionField]) -> vol.Schema:
    """One collapsible section per group, in the order the table first names them."""
    groups: dict[str, dict[vol.Marker, Any]] = {}
    for field in fields:
        groups.setdefault(field.section, {})[vol.Required(field.key)] = field.selector
    return vol.Schema(
        {
            vol.Required(name): section(vol.Schema(group), {"collapsed": True})
            for name, group in groups.items()
        }
    )


def nest(fields: list[OptionField], flat: Mapping[str, Any]) -> dict[str, Any]:
    """Stored (flat) values, grouped as the form shows them."""
    nested: dict[str, dict[str, Any]] = {}
    for field in fields:
        nested.setdefault(field.section, {})[field.key] = flat.get(field.key)
    return nested


def flatten(
    fields: list[OptionField], nested: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's answer as flat options, and range errors keyed by section."""
    flat: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        value = nested[field.section][field.key]
        if not field.in_range(value):
            # The form shows one message per section, above it.
            errors.setdefault(field.section, field.range_error)
        else:
            flat[field.key] = value if field.minimum is None else int(value)
    return flat, errors
