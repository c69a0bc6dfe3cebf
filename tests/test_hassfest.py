"""scripts/hassfest.py (what scripts/test runs for hassfest) passes us and catches what hassfest refuses."""

from collections.abc import Callable
import importlib.util
import json
from pathlib import Path
import shutil
from types import ModuleType
from typing import Any

from PIL import Image
import pytest

REPO = Path(__file__).parent.parent
INTEGRATION = REPO / "custom_components" / "ollama_vision"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "local_hassfest", REPO / "scripts" / "hassfest.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hassfest = _load_script()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the repository's integration, LICENSE and hacs.json."""
    integration = tmp_path / "custom_components" / "ollama_vision"
    shutil.copytree(
        INTEGRATION, integration, ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("LICENSE", "hacs.json"):
        shutil.copy(REPO / name, tmp_path / name)
    return integration


def _edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_the_integration_passes() -> None:
    """The repository as it is: no problems, exit status 0."""
    assert hassfest.validate(INTEGRATION) == []
    assert hassfest.main(["--integration-path", str(INTEGRATION)]) == 0


# The five strings the GitHub hassfest job refused, at the keys they were under.
BAD_STRINGS = [
    (
        ("config", "step", "user", "data_description", "name"),
        "Also the first part of every image sensor's entity ID (sensor.'<name>'_'<image name>').",
        "HTML",
    ),
    (
        # Once vision_model_not_found (such names are now downloaded): any
        # error string is checked the same way.
        ("config", "error", "download_failed"),
        "Pull it first (ollama pull '<model>') or pick one from the list.",
        "HTML",
    ),
    (
        # Now in the options form's prompts section.
        (
            "options",
            "step",
            "init",
            "sections",
            "prompts",
            "data_description",
            "default_text_prompt",
        ),
        "'{description}' is replaced by the vision model's description.",
        "single quotes",
    ),
    (
        ("services", "analyze_image", "fields", "image_name", "description"),
        "Names the result: the sensor sensor.'<setup name>'_'<image name>' holds it.",
        "HTML",
    ),
    (
        ("services", "analyze_image", "fields", "text_prompt", "description"),
        "What to ask the text model; '{description}' is replaced.",
        "single quotes",
    ),
]


@pytest.mark.parametrize("language", ["en", "nb", "pt"])
@pytest.mark.parametrize(("keys", "text", "reason"), BAD_STRINGS)
def test_refuses_the_strings_hassfest_refused(
    copy: Path, language: str, keys: tuple[str, ...], text: str, reason: str
) -> None:
    """Each of the five old strings, in any language, fails the run."""

    def put(strings: dict[str, Any]) -> None:
        node = strings
        for key in keys[:-1]:
            node = node[key]
        assert keys[-1] in node
        node[keys[-1]] = text

    _edit_json(copy / "translations" / f"{language}.json", put)
    problems = hassfest.validate(copy)
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        f"[translations] Invalid translations/{language}.json"
    )
    assert reason in problems[0]
    assert hassfest.main(["--integration-path", str(copy)]) == 1


def _set_string(keys: tuple[str, ...], text: str) -> Callable[[Path], None]:
    def change(integration: Path) -> None:
        def put(strings: dict[str, Any]) -> None:
            node = strings
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = text

        _edit_json(integration / "translations" / "en.json", put)

    return change


def _manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return lambda integration: _edit_json(integration / "manifest.json", change)


def _unsorted(manifest: dict[str, Any]) -> None:
    version = manifest.pop("domain")
    manifest["domain"] = version


def _replace_text(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(integration: Path) -> None:
        path = integration / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return change


def _small_icon(integration: Path) -> None:
    Image.new("RGBA", (200, 200)).save(integration / "brand" / "dark_icon@2x.png")


def _no_license(integration: Path) -> None:
    (integration.parent.parent / "LICENSE").unlink()


def _no_config_flow(integration: Path) -> None:
    (integration / "config_flow.py").unlink()


def _undeclared_import(integration: Path) -> None:
    with (integration / "const.py").open("a", encoding="utf-8") as module:
        module.write("\nfrom homeassistant.components.mqtt import async_publish\n")


@pytest.mark.parametrize(
    ("change", "check", "words"),
    [
        (_manifest(_unsorted), "manifest", "not sorted"),
        (_manifest(lambda m: m.pop("version")), "manifest", "version"),
        (_manifest(lambda m: m.pop("iot_class")), "manifest", "iot_class"),
        (_manifest(lambda m: m.update(domain="camera")), "manifest", "folder name"),
        (_no_config_flow, "config_flow", "no config_flow.py"),
        (_undeclared_import, "dependencies", "uses mqtt"),
        (
            _replace_text("__init__.py", "CONFIG_SCHEMA = ", "_SCHEMA = "),
            "config_schema",
            "CONFIG_SCHEMA",
        ),
        (
            _replace_text("icons.json", '"mdi:image-search"', '"image-search"'),
            "icons",
            "mdi:",
        ),
        (
            _replace_text("icons.json", '"analyze_image": {', '"analyse_image": {'),
            "services",
            "analyze_image has no icon",
        ),
        (
            _replace_text("services.yaml", "selector:", "selector:\n      nonsense:"),
            "services",
            "services.yaml",
        ),
        (
            _set_string(("config", "step", "user", "data_description", "nope"), "x"),
            "translations",
            "data_description without data",
        ),
        (
            _set_string(("config", "abort", "x"), "See https://ollama.com/library"),
            "translations",
            "URLs",
        ),
        (
            _set_string(("config", "abort", "x"), "Bad {0}"),
            "translations",
            "identifier",
        ),
        (_set_string(("config", "abort", "x"), " padded"), "translations", "spaces"),
        (
            _set_string(("entity", "sensor", "jobs_waiting", "state", "a"), "{n} jobs"),
            "translations",
            "placeholders",
        ),
        (
            _replace_text(
                "quality_scale.yaml",
                "  strict-typing:\n    status: done\n    comment: >-\n      mypy",
                "      mypy",
            ),
            "quality_scale",
            "strict-typing",
        ),
        (
            _replace_text(
                "quality_scale.yaml",
                "    status: exempt\n    comment: >-\n      No hardware",
                "    status: exempt\n    note: >-\n      No hardware",
            ),
            "quality_scale",
            "docs-supported-devices",
        ),
        (_small_icon, "brand", "dark_icon@2x.png is (200, 200)"),
        (_no_license, "hacs", "LICENSE"),
    ],
)
def test_catches_what_each_check_is_for(
    copy: Path, change: Callable[[Path], None], check: str, words: str
) -> None:
    """One broken thing gives a problem from the check that covers it."""
    change(copy)
    problems = hassfest.validate(copy)
    assert problems, "nothing found"
    assert any(p.startswith(f"[{check}]") and words in p for p in problems), problems
