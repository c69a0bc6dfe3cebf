"""Shared test fixtures: the integration set up against the Ollama emulator."""

from collections.abc import Awaitable, Callable, Iterator
import logging
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import PropertyMock, patch

from hypothesis import HealthCheck, settings
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    get_test_config_dir,
)

from custom_components.ollama_vision.const import (
    CONF_TEXT_HOST,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DOMAIN,
    EVENT_IMAGE_ANALYSIS_FAILED,
)
from custom_components.ollama_vision.ollama import pool as server_pool
from custom_components.ollama_vision.pipeline import stages as analysis
from custom_components.ollama_vision.settings import DEFAULT_OPTIONS
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from tests.image_server import ImageServer
from tests.ollama_emulator import OllamaEmulator

pytest_plugins = ["tests.servers"]

# Property-based tests: the same examples on every run, so a run fails only for a
# change; `--hypothesis-profile=search` draws new, and more, examples to look for
# bugs. One `hass` serves all examples of a test (its fixtures are function-scoped),
# so each example resets what it uses.
_PROPERTY_SETTINGS = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "ollama_vision", _PROPERTY_SETTINGS, max_examples=20, derandomize=True
)
settings.register_profile("search", _PROPERTY_SETTINGS, max_examples=300)
settings.load_profile("ollama_vision")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components in every test."""


@pytest.fixture
async def hass(hass: HomeAssistant) -> HomeAssistant:
    """Home Assistant with its core integration set up first, as it always is.

    Our ai_task platform needs conversation, which reads the exposed-entity
    settings that the `homeassistant` integration keeps.
    """
    assert await async_setup_component(hass, "homeassistant", {})
    return hass


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Register every entity enabled, also those that ship disabled (as core's tests do)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the retry schedule's shape but not its seconds."""
    monkeypatch.setattr(analysis, "RETRY_DELAYS", (0.01, 0.01, 0.01))
    monkeypatch.setattr(server_pool, "PROBE_FIRST_DELAY", 0.02)
    monkeypatch.setattr(server_pool, "PROBE_MAX_DELAY", 0.1)


def entry_data(
    emulator: OllamaEmulator, name: str = "Front door", *, text: bool = True
) -> dict[str, Any]:
    """Config entry data for a setup on the emulator."""
    data: dict[str, Any] = {
        CONF_NAME: name,
        CONF_VISION_HOST: emulator.url,
        CONF_VISION_MODEL: "moondream:latest",
        CONF_TEXT_MODEL_ENABLED: text,
    }
    if text:
        data[CONF_TEXT_HOST] = emulator.url
        data[CONF_TEXT_MODEL] = "llama3.1:latest"
    return data


def plugin_config_dir(*parts: str) -> str:
    """The test plugin's shared config folder (or a path in it)."""
    # The plugin's function has no annotations.
    folder: str = get_test_config_dir(*parts)  # type: ignore[no-untyped-call]
    return folder


@pytest.fixture
def hass_config_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the test plugin's config folder per test: timelines go there.

    Beside tmp_path, not in it, so tests keep tmp_path for themselves.
    """
    config_dir = tmp_path_factory.mktemp("config")
    shutil.copytree(
        plugin_config_dir(),
        config_dir,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("media", "__pycache__"),
    )
    return str(config_dir)


def private_media_folder(hass: HomeAssistant) -> None:
    """Snapshots go to the test's own config folder.

    The test plugin points "local" at a folder every test run shares.
    """
    if hass.config.media_dirs == {"local": plugin_config_dir("media")}:
        hass.config.media_dirs = {"local": hass.config.path("media")}


@pytest.fixture
def make_entry(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator
) -> Callable[..., MockConfigEntry]:
    """Build and add a config entry; options override the defaults."""
    private_media_folder(hass)

    def make(
        name: str = "Front door", *, text: bool = True, **options: Any
    ) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=name,
            unique_id=name.lower().replace(" ", "_"),
            data=entry_data(ollama_emulator, name, text=text),
            options={**DEFAULT_OPTIONS, **options},
        )
        entry.add_to_hass(hass)
        return entry

    return make


@pytest.fixture
def load_entry(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry]
) -> Callable[..., Awaitable[MockConfigEntry]]:
    """Build, add and load a config entry (make_entry's arguments)."""

    async def load(*args: Any, **kwargs: Any) -> MockConfigEntry:
        entry = make_entry(*args, **kwargs)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return load


@pytest.fixture
async def setup_entry(
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
) -> MockConfigEntry:
    """One loaded setup, "Front door", with a text model."""
    return await load_entry()


@pytest.fixture
def door_jpeg(image_server: ImageServer) -> str:
    """A 640x480 red JPEG on the image server; returns its URL."""
    from tests.image_server import make_jpeg

    image_server.add("/door.jpg", make_jpeg(640, 480, colour=(200, 30, 30)))
    return image_server.url("/door.jpg")


# Home Assistant's camera integration logs this once per process on a machine
# without libturbojpeg, in whichever test first takes a snapshot: not ours.
ENVIRONMENT_LOGGERS = ("homeassistant.components.camera.img_util",)


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every ERROR (or worse) message logged during the test, from anyone but
    Home Assistant's notes about this machine."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name not in ENVIRONMENT_LOGGERS
    ]


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    """The entity's state; failing the test when it has none."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state


def json_object(value: object) -> dict[str, Any]:
    """A JSON object (an action's response, a download), for a test to read;
    failing the test when it is something else."""
    assert isinstance(value, dict), f"not a JSON object: {value!r}"
    return value


def suggested_values(form: ConfigFlowResult, section: str) -> dict[str, Any]:
    """What a form's section starts from, by option key."""
    schema = form.get("data_schema")
    assert schema is not None, "the flow shows no form"
    return {
        str(key): key.description["suggested_value"]
        for key in schema.schema[section].schema.schema
    }


async def analyze(hass: HomeAssistant, *, response: bool = False, **data: Any) -> Any:
    """Call the action as an automation would."""
    return await hass.services.async_call(
        DOMAIN, "analyze_image", data, blocking=True, return_response=response
    )


SECRET = "hunter2"


@pytest.fixture
def config_with_secret(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config folder with secrets.yaml beside `www`, the one folder files may come from."""
    (tmp_path / "www").mkdir()
    (tmp_path / "secrets.yaml").write_text(f"password: {SECRET}\n")
    hass.config.config_dir = str(tmp_path)
    hass.config.allowlist_external_dirs = {str(tmp_path / "www")}
    return tmp_path


async def assert_refused_alone(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    *,
    code: str,
    words: str,
    bad: dict[str, Any],
    good: dict[str, Any],
) -> tuple[list[Event[dict[str, Any]]], Any]:
    """A call with `bad` fails with `code` (its message saying `words`), fires one
    failure event that tells no secret, sends nothing to the model; then a call
    with `good` succeeds. Returns the failure events and the good call's answer.
    """
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    with pytest.raises(HomeAssistantError) as err:
        await analyze(hass, response=True, image_name="porch", **bad)
    assert err.value.translation_key == code
    assert words.lower() in str(err.value).lower()
    await hass.async_block_till_done()
    assert [e.data["error"] for e in failed] == [code]
    assert failed[0].data["stage"] == "image_fetch"
    assert SECRET not in str(failed[0].data)
    assert ollama_emulator.generate_requests() == []
    return failed, await analyze(hass, response=True, image_name="porch", **good)
