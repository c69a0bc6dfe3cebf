"""A pytest plugin: the integration's library packages with Home Assistant out of reach.

`ollama/` and `media/` must work without Home Assistant (a core reviewer would
want them in a library). Loaded with `-p tests.ha_free --noconftest`, this makes
every `import homeassistant...` fail, and lets `custom_components.ollama_vision.X`
be imported without running the integration's own `__init__.py` (which is Home
Assistant's entry point, and imports it). tests/test_layout.py runs tests/ollama
and tests/media this way; they run in the ordinary suite as well.
"""

from pathlib import Path
import sys
import types

ROOT = Path(__file__).resolve().parents[1]
BLOCKED = "homeassistant"


def _package(name: str, folder: Path) -> types.ModuleType:
    """A package whose submodules load from `folder`, with no `__init__` run."""
    module = types.ModuleType(name)
    module.__path__ = [str(folder)]
    return module


# None in sys.modules makes the import system raise ImportError for the name
# and everything under it (typeshed's sys.modules admits modules only).
sys.modules[BLOCKED] = None  # type: ignore[assignment]
sys.modules["custom_components"] = _package(
    "custom_components", ROOT / "custom_components"
)
sys.modules["custom_components.ollama_vision"] = _package(
    "custom_components.ollama_vision", ROOT / "custom_components" / "ollama_vision"
)
