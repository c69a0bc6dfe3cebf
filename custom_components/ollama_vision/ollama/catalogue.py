"""A server's model catalogue: which models it has, and what each can do."""

import asyncio
from dataclasses import dataclass
import logging

from .client import ModelInfo, OllamaClient

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What each of a server's models can do (models whose details failed are left out)."""

    info: dict[str, ModelInfo]

    @property
    def vision_models(self) -> list[str]:
        """The models that can see images."""
        return [name for name, info in self.info.items() if info.vision]

    @property
    def text_models(self) -> list[str]:
        """The models that can complete text."""
        return [name for name, info in self.info.items() if info.completion]


async def async_fetch_catalogue(client: OllamaClient) -> Catalogue:
    """List the server's models and ask for each one's capabilities at once."""
    names = await client.async_list_models()
    answers = await asyncio.gather(
        *(client.async_model_info(name) for name in names), return_exceptions=True
    )
    info: dict[str, ModelInfo] = {}
    for name, answer in zip(names, answers, strict=True):
        if isinstance(answer, ModelInfo):
            info[name] = answer
        elif isinstance(answer, Exception):
            # A typed name is still checked on its own when chosen.
            _LOGGER.debug("No details for model %s: %s", name, answer)
        else:  # pragma: no cover - a cancellation or exit is not ours to keep
            raise answer
    return Catalogue(info=info)


def shared_catalogue(catalogues: list[Catalogue]) -> Catalogue:
    """The models every server of a role has: only those can take any job."""
    first, others = catalogues[0].info, catalogues[1:]
    return Catalogue(
        {
            name: info
            for name, info in first.items()
            if all(name in other.info for other in others)
        }
    )
