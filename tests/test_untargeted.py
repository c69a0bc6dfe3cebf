"""Two setups and an action that names neither: the first answers, visibly."""

from collections.abc import Callable

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import (
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.issues import ISSUE_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from tests.conftest import analyze
from tests.image_server import ImageServer
from tests.test_translations import EN
from tests.waiting import wait_for


async def _two_setups(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> tuple[MockConfigEntry, MockConfigEntry]:
    first = make_entry("Front door")
    second = make_entry("Garden", text=False)
    assert await hass.config_entries.async_setup(first.entry_id)
    await hass.async_block_till_done()
    return first, second


async def test_issue_names_the_setup_and_the_automation(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An automation's untargeted call raises one issue naming it and the setup."""
    first, _ = await _two_setups(hass, make_entry)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "doorbell",
                "alias": "Doorbell",
                "triggers": {"trigger": "event", "event_type": "doorbell_rang"},
                "actions": {
                    "action": f"{DOMAIN}.analyze_image",
                    "data": {"image_url": door_jpeg, "image_name": "porch"},
                },
            }
        },
    )
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    hass.bus.async_fire("doorbell_rang")
    await wait_for(lambda: len(events) == 1)

    assert events[0].data["setup"] == "Front door"
    assert events[0].data["config_entry_id"] == first.entry_id
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "untargeted_call_by_caller"
    assert issue.translation_placeholders == {
        "setup": "Front door",
        "count": "2",
        "caller": "Doorbell (automation.doorbell)",
    }
    assert "{caller}" in EN["issues"][issue.translation_key]["description"]


async def test_issue_raised_once_and_cleared_by_a_targeted_call(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    image_server: ImageServer,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Without a known caller the issue names the setup; naming a setup clears it."""
    first, second = await _two_setups(hass, make_entry)
    failures = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)

    await analyze(hass, image_url=image_server.url("/missing.jpg"), image_name="porch")
    await wait_for(lambda: len(failures) == 1)
    assert failures[0].data["setup"] == "Front door"
    assert failures[0].data["config_entry_id"] == first.entry_id
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.translation_key == "untargeted_call"
    assert issue.translation_placeholders == {"setup": "Front door", "count": "2"}
    assert EN["issues"][issue.translation_key]["title"]

    # Raised once: later untargeted calls leave it as it is.
    issue_registry.async_ignore(DOMAIN, ISSUE_ID, True)
    await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.dismissed_version

    result = await analyze(
        hass,
        response=True,
        image_url=door_jpeg,
        image_name="porch",
        config_entry_id=second.entry_id,
    )
    assert result["setup"] == "Garden"
    assert issue_registry.async_get_issue(DOMAIN, ISSUE_ID) is None


async def test_no_issue_with_one_setup(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    door_jpeg: str,
    issue_registry: ir.IssueRegistry,
) -> None:
    """With one setup there is nothing to choose."""
    result = await analyze(hass, response=True, image_url=door_jpeg, image_name="porch")
    assert result["setup"] == "Front door"
    assert issue_registry.async_get_issue(DOMAIN, ISSUE_ID) is None


async def test_issue_names_the_calling_script(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A script's run carries its own context into the call, so it is named too."""
    await _two_setups(hass, make_entry)
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "describe": {
                    "alias": "Describe the porch",
                    "sequence": [
                        {
                            "action": f"{DOMAIN}.analyze_image",
                            "data": {"image_url": door_jpeg, "image_name": "porch"},
                        }
                    ],
                }
            }
        },
    )
    await hass.services.async_call("script", "describe", blocking=True)

    issue = issue_registry.async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["caller"] == (
        "Describe the porch (script.describe)"
    )
