"""services.yaml as the action form uses it: field order and "Fill example data".

In Tools → Actions (YAML mode), "Fill example data" takes every field that
has an `example`, parses the example's text as YAML (js-yaml's `load`) and puts
the result in the call, all fields at once. Each action's filled-in call has to
be one the action accepts.
"""

from datetime import UTC, date, datetime
import json
from pathlib import Path
import re
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import (
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
    SERVICE_ANALYZE_IMAGE,
    SERVICE_CLEAR_TIMELINE,
)
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.util.yaml import load_yaml_dict, parse_yaml
from tests.waiting import wait_for

SERVICES_YAML = (
    Path(__file__).parent.parent / "custom_components" / DOMAIN / "services.yaml"
)
SERVICES = list(load_yaml_dict(SERVICES_YAML))
# Fields no example can fill: clearing a timeline names its setup on purpose
# (see services.py), and only the user knows which.
NAMED_BY_THE_USER = {SERVICE_CLEAR_TIMELINE: (ATTR_CONFIG_ENTRY_ID,)}
# Home Assistant's loader (PyYAML) reads YAML 1.1, js-yaml 1.2. They read
# these differently (1.1: a boolean; a number in base 60), so no example may
# look like them; on the rest they agree.
YAML_11_ONLY = re.compile(
    r"(?i:y|n|yes|no|on|off)|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"
)


def _as_json(value: Any) -> str:
    """What JSON.stringify makes of js-yaml's timestamps (Dates; UTC without a zone)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        stamp = moment.astimezone(UTC).isoformat(timespec="milliseconds")
        return stamp.replace("+00:00", "Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00.000Z"
    raise TypeError(value)


def frontend_value(example: Any) -> Any:
    """An example as the frontend sends it: its text loaded as YAML, then JSON."""
    text = str(example)
    assert not YAML_11_ONLY.fullmatch(text), text
    return json.loads(json.dumps(parse_yaml(text), default=_as_json))


def fill_example_data(fields: dict[str, Any]) -> dict[str, Any]:
    """The frontend's "Fill example data": every field (sections' too) with an example."""
    data: dict[str, Any] = {}
    for key, field in fields.items():
        if "fields" in field:
            data |= fill_example_data(field["fields"])
        elif field.get("example"):
            data[key] = frontend_value(field["example"])
    return data


async def fields_of(hass: HomeAssistant, service: str) -> dict[str, Any]:
    """The action's fields as Home Assistant describes them to the frontend."""
    descriptions = await async_get_all_descriptions(hass)
    fields: dict[str, Any] = descriptions[DOMAIN][service]["fields"]
    return fields


# The queued job tries the example's camera address; the test run refuses it.
@pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")
@pytest.mark.parametrize("service", SERVICES)
async def test_filled_in_examples_make_a_valid_call(
    hass: HomeAssistant, setup_entry: MockConfigEntry, service: str
) -> None:
    """The schema and the checks before queueing accept every action's examples together."""
    data = fill_example_data(await fields_of(hass, service))
    assert data, "no examples to fill in"
    for key in NAMED_BY_THE_USER.get(service, ()):
        data[key] = setup_entry.entry_id
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)

    # Raises for anything the schema or a check refuses.
    await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        # An action that only answers is called with a response variable.
        return_response=hass.services.supports_response(DOMAIN, service)
        is SupportsResponse.ONLY,
    )

    if service == SERVICE_ANALYZE_IMAGE:
        # Queued, so past every check. A test may reach 127.0.0.1 only, not the
        # examples' addresses: the job fails then. Wait for it to end.
        await wait_for(lambda: bool(failed))
        assert failed[0].data["image_name"] == data["image_name"]


@pytest.mark.parametrize("service", SERVICES)
def test_examples_are_not_read_as_something_else(service: str) -> None:
    """Text fields' examples stay text once parsed (a ": " makes a mapping of one)."""
    fields = load_yaml_dict(SERVICES_YAML)[service]["fields"]
    for key, field in fields.items():
        if "example" in field and "text" in field.get("selector", {}):
            assert isinstance(frontend_value(field["example"]), str), key


@pytest.mark.parametrize("service", SERVICES)
async def test_required_fields_come_first(
    hass: HomeAssistant, setup_entry: MockConfigEntry, service: str
) -> None:
    """The form lists fields in services.yaml's order: what must be filled in, first."""
    required = [
        field.get("required", False)
        for field in (await fields_of(hass, service)).values()
    ]
    assert required == sorted(required, reverse=True)


async def test_image_name_is_the_first_field(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """The one required field of analyze_image opens its form."""
    assert next(iter(await fields_of(hass, SERVICE_ANALYZE_IMAGE))) == "image_name"
