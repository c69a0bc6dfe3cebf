"""Every module of the package imports (without Home Assistant in tests/ha_free.py)."""

import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components/ollama_vision"


@pytest.mark.parametrize(
    "module",
    [
        f"{package}.{path.stem}"
        for package in ("ollama", "media")
        for path in sorted((PACKAGE / package).glob("*.py"))
    ],
)
def test_module_imports(module: str) -> None:
    importlib.import_module(f"custom_components.ollama_vision.{module}")
