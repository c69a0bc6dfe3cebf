"""The manifest's requirements install beside the Home Assistant they run in.

Home Assistant installs a custom integration's requirements against its own
package_constraints.txt: an exact pin that differs from Home Assistant's pin
(after it bumps `av` or `numpy`, say) is refused, and the integration does not
load. So requirements are ranges that take Home Assistant's versions, and only
what Home Assistant does not install itself is listed.
"""

import ast
from importlib import metadata
import json
from pathlib import Path
import sys

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
import pytest

import homeassistant

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "ollama_vision"
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
REQUIREMENTS = [Requirement(line) for line in MANIFEST["requirements"]]


def _constraints() -> dict[NormalizedName, str]:
    """Home Assistant's pins: `name==version`, one a line."""
    path = Path(homeassistant.__file__).parent / "package_constraints.txt"
    pins: dict[NormalizedName, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            pins[canonicalize_name(name)] = version.split(";")[0].strip()
    return pins


def _requires(distribution: str) -> set[NormalizedName]:
    """The distributions `distribution` requires, on this machine, without extras."""
    names: set[NormalizedName] = set()
    for line in metadata.requires(distribution) or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.add(canonicalize_name(requirement.name))
    return names


def _installed_with_home_assistant() -> set[NormalizedName]:
    """Home Assistant and everything installing it brings, all the way down."""
    found: set[NormalizedName] = set()
    waiting = {canonicalize_name("homeassistant")}
    while waiting:
        name = waiting.pop()
        found.add(name)
        try:
            waiting |= _requires(name) - found
        except metadata.PackageNotFoundError:  # a marker for another platform
            continue
    return found


def _imported_top_level_modules() -> set[str]:
    """The top-level modules the integration's code imports, standard library aside."""
    modules: set[str] = set()
    for path in INTEGRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names)


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=str)
def test_requirements_are_ranges_that_take_home_assistants_pins(
    requirement: Requirement,
) -> None:
    """No exact pin; Home Assistant's own version (and the installed one) fits."""
    assert not any(spec.operator in ("==", "===") for spec in requirement.specifier)
    assert any(spec.operator == ">=" for spec in requirement.specifier)
    pinned = _constraints()[canonicalize_name(requirement.name)]
    assert requirement.specifier.contains(pinned), (requirement, pinned)
    installed = metadata.version(requirement.name)
    assert requirement.specifier.contains(installed), (requirement, installed)


def test_every_import_is_required_by_us_or_home_assistant() -> None:
    """Each third-party import comes from a requirement or from Home Assistant;
    what Home Assistant requires itself (Pillow, aiohttp, orjson) is not listed."""
    ours = {canonicalize_name(requirement.name) for requirement in REQUIREMENTS}
    home_assistant = _installed_with_home_assistant()
    assert not ours & _requires("homeassistant")
    distributions = metadata.packages_distributions()
    unexplained = {
        module: distributions.get(module)
        for module in _imported_top_level_modules()
        if not {canonicalize_name(name) for name in distributions.get(module, [])}
        & (ours | home_assistant)
    }
    assert unexplained == {}
    assert canonicalize_name("pillow") in _requires("homeassistant")
