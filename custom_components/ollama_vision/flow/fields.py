"""The options form, drawn from the option table in settings.py.

Options are stored flat (`entry.options["concurrency"]`); only the form groups
them, one collapsible section per `Option.section`. Each kind of option has its
selector: a number box with the option's unit, a switch, or a box of several
lines for a text.
"""

from collections.abc import Iterable, Mapping
from typing import Any, assert_never

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

from ..settings import OPTIONS, AnyOption, NumberOption, SwitchOption, TextOption


def option_selector(option: AnyOption) -> Selector[Any]:
    """How the form asks for an option."""
    match option:
        case NumberOption():
            # Whole numbers; the range is checked by the flow, in our own words.
            return NumberSelector(
                NumberSelectorConfig(
                    step=1,
                    mode=NumberSelectorMode.BOX,
                    **({"unit_of_measurement": option.unit} if option.unit else {}),
                )
            )
        case SwitchOption():
            return BooleanSelector()
        case TextOption():
            return TextSelector(TextSelectorConfig(multiline=True))
        case _:  # pragma: no cover - mypy checks every kind is handled
            assert_never(option)


def shown_options(*, text_model: bool) -> list[AnyOption]:
    """The options of a setup, without the text model's when it has none."""
    return [option for option in OPTIONS if text_model or not option.text_model]


def sectioned_schema(options: Iterable[AnyOption]) -> vol.Schema:
    """One collapsible section per group, in the order the table first names them."""
    groups: dict[str, dict[vol.Marker, Any]] = {}
    for option in options:
        # An emptied prompt box means the built-in prompt: it may be left out.
        marker = vol.Optional if isinstance(option, TextOption) else vol.Required
        groups.setdefault(option.section, {})[marker(option.key)] = option_selector(
            option
        )
    return vol.Schema(
        {
            vol.Required(name): section(vol.Schema(group), {"collapsed": True})
            for name, group in groups.items()
        }
    )


def nest(options: Iterable[AnyOption], flat: Mapping[str, Any]) -> dict[str, Any]:
    """Stored (flat) values, grouped as the form shows them; defaults where unset
    (a prompt box shows the built-in prompt's words until the user writes others)."""
    nested: dict[str, dict[str, Any]] = {}
    for option in options:
        nested.setdefault(option.section, {})[option.key] = flat.get(
            option.key, option.default
        )
    return nested


def flatten(
    options: Iterable[AnyOption], nested: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's answer as flat options, and range errors keyed by section.

    A prompt is kept only when it is the user's own: an emptied box, or the
    built-in prompt's words left as they were, store nothing (the built-in
    prompt applies, in Home Assistant's language).
    """
    flat: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for option in options:
        value = nested[option.section].get(option.key)
        if isinstance(option, TextOption):
            if (own := option.own_text(value)) is not None:
                flat[option.key] = own
            continue
        if isinstance(option, NumberOption):
            if not option.fits(value):
                # The form shows one message per section, above it.
                errors.setdefault(option.section, option.range_error)
                continue
            value = option.stored(value)
        flat[option.key] = value
    return flat, errors
