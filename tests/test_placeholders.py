"""Strings that show the {description} marker get it as a placeholder value.

The frontend formats translations as ICU messages: a brace pair without a value
breaks the string, and quoting it is what hassfest refuses.
"""

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ollama_vision.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.service import async_get_all_descriptions
from tests.test_translations import EN

MARKER = {"description": "{description}"}


def test_the_strings_use_the_placeholder() -> None:
    """The two strings that mention the marker, in English (the others follow)."""
    options = EN["options"]["step"]["init"]["sections"]["prompts"]["data_description"]
    assert "{description}" in options["default_text_prompt"]
    field = EN["services"]["analyze_image"]["fields"]["text_prompt"]
    assert "{description}" in field["description"]


async def test_options_form_supplies_it(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """The options form passes the marker, so the help text shows it literally."""
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["description_placeholders"] == {**MARKER, "name": "Front door"}


async def test_action_description_supplies_it(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """The action's description carries the marker for its field help."""
    descriptions = await async_get_all_descriptions(hass)
    assert descriptions[DOMAIN]["analyze_image"]["description_placeholders"] == MARKER
