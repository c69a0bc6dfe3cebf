"""The models the emulator knows: what /api/tags, /api/show and /api/pull report.

Also the emulated registry that /api/pull draws from. A name in REGISTRY pulls with
its real capabilities; any other name pulls as a plain text model (completion only),
unless the emulator is told to be strict, where it fails like an unknown registry name.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
import hashlib
from typing import Any

VISION = "vision"
COMPLETION = "completion"
EMBEDDING = "embedding"
THINKING = "thinking"
TOOLS = "tools"
INSERT = "insert"

_REGISTRY_PREFIXES = ("registry.ollama.ai/library/", "registry.ollama.ai/", "library/")


def canonical_name(name: str) -> str:
    """The key a model is stored under: `llava`, `LLaVA`, `library/llava` -> `llava:latest`."""
    key = name.strip().lower().split("@", 1)[0]
    for prefix in _REGISTRY_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    return with_tag(key)


def with_tag(name: str) -> str:
    """`name` with `:latest` added when it carries no tag (case kept, for messages)."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


@dataclass(frozen=True)
class ModelSpec:
    """One installed model. `legacy` mimics a server older than 0.6.4: /api/show
    then has no `capabilities`, and vision shows only through `families` (clip)."""

    name: str
    capabilities: tuple[str, ...] = (COMPLETION,)
    family: str = "llama"
    families: tuple[str, ...] = ("llama",)
    parameter_size: str = "8.0B"
    quantization_level: str = "Q4_K_M"
    size: int = 4_920_753_328
    context_length: int = 4096
    image_tokens: int = 576
    """Prompt tokens per picture (fixed-resolution encoders)."""
    dynamic_resolution: bool = False
    """Tokens grow with the picture: one per 28x28 patch (Qwen2.5-VL)."""
    legacy: bool = False
    digest: str = field(default="")

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", _digest(self.name))

    def supports(self, capability: str) -> bool:
        return capability in self.capabilities

    def tokens_for_image(self, width: int, height: int) -> int:
        if self.dynamic_resolution:
            return max(1, round(width / 28) * round(height / 28))
        return self.image_tokens

    def details(self) -> dict[str, object]:
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": list(self.families),
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization_level,
        }


def make_spec(
    name: str, capabilities: Iterable[str] = (COMPLETION,), **details: Any
) -> ModelSpec:
    """A spec with sensible details for what the capabilities say."""
    capabilities = tuple(capabilities)
    if VISION in capabilities and "families" not in details:
        details["families"] = (str(details.get("family", "llama")), "clip")
    return ModelSpec(name=canonical_name(name), capabilities=capabilities, **details)


def default_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            "moondream:latest",
            (COMPLETION, VISION),
            family="phi2",
            families=("phi2", "clip"),
            parameter_size="1B",
            quantization_level="Q4_0",
            size=1_738_451_197,
            context_length=2048,
            image_tokens=729,
        ),
        ModelSpec(
            "llava:latest",
            (COMPLETION, VISION),
            families=("llama", "clip"),
            parameter_size="7B",
            quantization_level="Q4_0",
            size=4_733_363_377,
        ),
        ModelSpec(
            "llama3.1:latest",
            (COMPLETION, TOOLS),
            size=4_920_753_328,
            context_length=131_072,
        ),
        ModelSpec(
            "qwen2.5vl:latest",
            (COMPLETION, VISION),
            family="qwen25vl",
            families=("qwen25vl",),
            parameter_size="8.3B",
            size=5_969_245_856,
            context_length=128_000,
            dynamic_resolution=True,
        ),
        ModelSpec(
            "nomic-embed-text:latest",
            (EMBEDDING,),
            family="nomic-bert",
            families=("nomic-bert",),
            parameter_size="137M",
            quantization_level="F16",
            size=274_302_450,
            context_length=2048,
        ),
        ModelSpec(
            "bakllava:latest",
            (COMPLETION, VISION),
            families=("llama", "clip"),
            parameter_size="7B",
            quantization_level="Q4_0",
            size=4_733_351_307,
            legacy=True,
        ),
    ]


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        *default_models(),
        make_spec("llava:13b", (COMPLETION, VISION), parameter_size="13B"),
        make_spec("gemma3:4b", (COMPLETION, VISION), family="gemma3"),
        make_spec(
            "llama3.2-vision:latest",
            (COMPLETION, VISION),
            family="mllama",
            families=("mllama",),
            parameter_size="10.7B",
        ),
        make_spec("minicpm-v:latest", (COMPLETION, VISION), family="qwen2"),
        make_spec("llama3.2:latest", (COMPLETION, TOOLS), parameter_size="3.2B"),
        make_spec("qwen3:latest", (COMPLETION, TOOLS, THINKING), family="qwen3"),
    ]
}
