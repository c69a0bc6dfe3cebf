"""config/configuration.yaml as scripts/develop and the end-to-end tests prepare it."""

from pathlib import Path
import shutil

import pytest

from homeassistant import config as conf_util, core_config
from homeassistant.core import HomeAssistant
from tests.e2e.ha_config_dir import REPO_ROOT, media_dir, prepare

INTEGRATION_LOGGER = "custom_components.ollama_vision"


@pytest.fixture
def prepared(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A copy of the development configuration, prepared as for an end-to-end run."""
    shutil.copy(REPO_ROOT / "config" / "configuration.yaml", tmp_path)
    prepare(tmp_path, 8131, install=False)
    hass.config.config_dir = str(tmp_path)
    return tmp_path


async def test_media_stays_in_the_config_folder(
    hass: HomeAssistant, prepared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """My media is the config folder's own, also where Home Assistant would take /media.

    Home Assistant's default in a container is the machine's /media, shared by every
    run on the machine; the prepared configuration names the folder instead.
    """
    monkeypatch.setattr(core_config, "is_docker_env", lambda: True)
    config = await conf_util.async_hass_config_yaml(hass)
    await core_config.async_process_ha_core_config(hass, config["homeassistant"])

    assert hass.config.media_dirs == {"local": str(media_dir(prepared))}
    assert media_dir(prepared).is_dir()
    assert media_dir(prepared).is_relative_to(prepared)


async def test_preparing_again_follows_a_moved_folder(
    hass: HomeAssistant, prepared: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The absolute path is written at every preparation, so a moved config keeps working."""
    moved = tmp_path_factory.mktemp("moved") / "config"
    shutil.copytree(prepared, moved, symlinks=True)
    prepare(moved, 8131, install=False)
    hass.config.config_dir = str(moved)
    config = await conf_util.async_hass_config_yaml(hass)
    await core_config.async_process_ha_core_config(hass, config["homeassistant"])

    assert hass.config.media_dirs == {"local": str(media_dir(moved))}


async def test_console_quiet_unless_asked(
    hass: HomeAssistant, prepared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The integration logs at info (no line per poll); an environment variable asks for more."""
    monkeypatch.delenv("OLLAMA_VISION_LOG_LEVEL", raising=False)
    config = await conf_util.async_hass_config_yaml(hass)
    assert config["logger"]["logs"][INTEGRATION_LOGGER] == "info"

    monkeypatch.setenv("OLLAMA_VISION_LOG_LEVEL", "debug")
    config = await conf_util.async_hass_config_yaml(hass)
    assert config["logger"]["logs"][INTEGRATION_LOGGER] == "debug"
