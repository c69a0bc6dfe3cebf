"""The translations are complete and cover every key the code uses."""

import ast
import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from custom_components.ollama_vision.config_flow import KEEPALIVES
from custom_components.ollama_vision.pipeline import stages as analysis
from custom_components.ollama_vision.settings import OPTIONS, NumberOption
from custom_components.ollama_vision.sources.source import ImageErrorCode
from custom_components.ollama_vision.sources.video import VideoErrorCode

COMPONENT = Path(__file__).parent.parent / "custom_components" / "ollama_vision"
TRANSLATIONS = COMPONENT / "translations"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Entities that set their own name and use their translation key only for the icon.
ICON_ONLY_ENTITY_KEYS = {"sensor": {"image"}, "image": {"picture"}}


def _load(name: str) -> dict[str, Any]:
    translations = json.loads((TRANSLATIONS / name).read_text(encoding="utf-8"))
    assert isinstance(translations, dict), name
    return translations


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of a nested dict, by its dotted key path."""
    leaves: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            leaves |= _leaves(value, f"{path}.")
        else:
            leaves[path] = value
    return leaves


def _source(name: str) -> str:
    return (COMPONENT / name).read_text(encoding="utf-8")


EN = _load("en.json")
EN_LEAVES = _leaves(EN)


@pytest.mark.parametrize("language", ["nb", "pt"])
def test_same_keys_and_placeholders_as_english(language: str) -> None:
    """Same key paths as English, no empty strings, same {placeholders}."""
    leaves = _leaves(_load(f"{language}.json"))
    assert set(leaves) == set(EN_LEAVES)
    for path, text in leaves.items():
        assert isinstance(text, str), path
        assert text.strip(), path
        assert set(PLACEHOLDER.findall(text)) == set(
            PLACEHOLDER.findall(EN_LEAVES[path])
        ), path


def _exception_codes() -> set[str]:
    """Every exception translation key the code can raise."""
    codes = {code.value for code in ImageErrorCode}
    codes |= {code.value for code in VideoErrorCode}
    # analysis._stage turns client errors into f"{stage}_failed".
    stages = (analysis.STAGE_FETCH, analysis.STAGE_VISION, analysis.STAGE_TEXT)
    codes |= {f"{stage}_failed" for stage in stages}
    # ... and time limits of the model stages into f"{stage}_timeout".
    codes |= {
        f"{stage}_timeout" for stage in (analysis.STAGE_VISION, analysis.STAGE_TEXT)
    }
    for path in COMPONENT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            keywords = {kw.arg: kw.value for kw in node.keywords}
            key = keywords.get("translation_key")
            if "translation_domain" in keywords and isinstance(key, ast.Constant):
                assert isinstance(key.value, str), f"{path}:{node.lineno}"
                codes.add(key.value)
            if (
                isinstance(node.func, ast.Name)
                and node.func.id == "AnalysisError"
                and isinstance(node.args[0], ast.Constant)
                # With its own message key, the code is not a message.
                and "translation_key" not in keywords
            ):
                assert isinstance(node.args[0].value, str), f"{path}:{node.lineno}"
                codes.add(node.args[0].value)
    return codes


def test_exception_codes_are_translated() -> None:
    """Every code raised as a translated exception has a message."""
    codes = _exception_codes()
    assert {"queue_full", "unloaded", "no_image"} <= codes  # sanity
    assert codes - set(EN["exceptions"]) == set()


def test_exception_messages_are_all_translated_text() -> None:
    """No placeholder carries a code or other English words into a message."""
    for message in _leaves(EN["exceptions"]).values():
        assert "{stage}" not in message


def test_config_flow_errors_are_translated() -> None:
    """Every form error the config flow sets has a message."""
    code = _source("config_flow.py") + _source("flow/server_check.py")
    errors = set(re.findall(r'errors\[[^\]]+\] = "(\w+)"', code))
    # A failed download's error, keyed by the field that named the model.
    errors |= set(re.findall(r'\{download\.field: "(\w+)"\}', code))
    errors |= set(re.findall(r'ServerProblem\(\s*"(\w+)"', code))
    errors |= set(re.findall(r'return "(cannot_connect\w*)"', code))
    # A model that cannot do its role's job (role_problem).
    errors |= set(re.findall(r'else "(model_not_\w+)"', code))
    errors |= {keep_alive.range_error for keep_alive in KEEPALIVES}
    assert {
        "cannot_connect_dns",
        "cannot_connect_http",
        "invalid_auth",
        "download_failed",
        "model_not_vision",
        "model_not_text",
    } <= errors
    assert errors - set(EN["config"]["error"]) == set()


def test_option_sections_and_ranges_are_translated() -> None:
    """Each option has a label in its section; a range error names the range."""
    sections = EN["options"]["step"]["init"]["sections"]
    for option in OPTIONS:
        assert sections[option.section]["name"], option.section
        assert sections[option.section]["data"][option.key], option.key
        assert sections[option.section]["data_description"][option.key], option.key
        if isinstance(option, NumberOption):
            message = EN["options"]["error"][option.range_error]
            assert f"{option.minimum} " in message, option.key
            assert f"{option.maximum}." in message, option.key
    for keep_alive in KEEPALIVES:
        assert (
            EN["config"]["error"][keep_alive.range_error]
            == (EN["options"]["error"][keep_alive.range_error])
        )


def _named(entry: dict[str, Any]) -> bool:
    return all(entry.get(part) for part in ("name", "description"))


def test_action_fields_are_translated() -> None:
    """Every action and field in services.yaml has a name and description."""
    services = yaml.safe_load(_source("services.yaml"))
    for service, spec in services.items():
        translated = EN["services"].get(service, {})
        assert _named(translated), service
        for field in spec.get("fields", {}):
            assert _named(translated.get("fields", {}).get(field, {})), field


@pytest.mark.parametrize("platform", ["sensor", "binary_sensor", "image"])
def test_entity_names_are_translated(platform: str) -> None:
    """Every entity translation key has a name, or an icon if it names itself."""
    keys = set(re.findall(r'translation_key\s*=\s*"(\w+)"', _source(f"{platform}.py")))
    assert keys, platform
    icon_only = ICON_ONLY_ENTITY_KEYS.get(platform, set())
    icons = json.loads(_source("icons.json"))["entity"][platform]
    assert icon_only <= set(icons)
    for key in keys - icon_only:
        assert EN["entity"][platform].get(key, {}).get("name"), key


def test_image_sensor_attributes_are_translated() -> None:
    """Every attribute of an image sensor has a translated name."""
    from custom_components.ollama_vision.sensor import IMAGE_ATTRIBUTES

    names = EN["entity"]["sensor"]["image"]["state_attributes"]
    assert set(names) == set(IMAGE_ATTRIBUTES)
    assert all(names[key]["name"] for key in names)
