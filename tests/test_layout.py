"""The shape of the integration: what imports what, and the map of it."""

import ast
from pathlib import Path
import re
import subprocess
import sys

import pytest

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "custom_components" / "ollama_vision"
# Packages that are a library in all but name: no Home Assistant in them.
LIBRARIES = ("ollama", "media")
# Home Assistant looks for these at the top, or they face it; the rest lives in
# sub-packages. About twenty at most keeps the top readable.
MAX_TOP_LEVEL_MODULES = 20


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Each import of a module as (relative level, module name)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


@pytest.mark.parametrize("package", LIBRARIES)
def test_libraries_import_nothing_of_home_assistant(package: str) -> None:
    """No `homeassistant` import, and nothing from outside the package."""
    problems = [
        f"{path.relative_to(INTEGRATION)}: {'.' * level}{module}"
        for path in sorted((INTEGRATION / package).rglob("*.py"))
        for level, module in imports_of(path)
        if module.split(".")[0] == "homeassistant"
        or level > 1
        or (level == 0 and module.startswith("custom_components"))
    ]
    assert problems == []


def test_libraries_work_without_home_assistant() -> None:
    """Their tests pass with every `homeassistant` import failing."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--noconftest",
            "-p",
            "no:homeassistant",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.ha_free",
            "-p",
            "tests.servers",
            "-q",
            *(f"tests/{package}" for package in LIBRARIES),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


def test_top_level_stays_small() -> None:
    """Only what Home Assistant looks for, or what faces it, is at the top."""
    modules = sorted(path.name for path in INTEGRATION.glob("*.py"))
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules


def mapped_modules() -> set[str]:
    """The modules ARCHITECTURE.md's "Every module" list names, as paths."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    listing = text.split("## Every module", 1)[1].split("\n## ", 1)[0]
    package = ""
    named: set[str] = set()
    for line in listing.splitlines():
        if heading := re.fullmatch(r"`(\w+)/`:", line.strip()):
            package = heading.group(1) + "/"
        elif line.strip() == "Top level:":
            package = ""
        elif line.startswith("- "):
            names = line[2:].split(":", 1)[0]
            named |= {package + name for name in re.findall(r"`(\w+\.py)`", names)}
    return named


def test_architecture_maps_every_module() -> None:
    """The map of the code names each module where it lives, and nothing else."""
    modules = {
        path.relative_to(INTEGRATION).as_posix()
        for path in INTEGRATION.rglob("*.py")
        if path.parent == INTEGRATION or path.name != "__init__.py"
    }
    assert mapped_modules() == modules
