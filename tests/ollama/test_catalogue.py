"""A server's model catalogue, and the models several servers share."""

import aiohttp

from custom_components.ollama_vision.ollama.catalogue import (
    async_fetch_catalogue,
    shared_catalogue,
)
from custom_components.ollama_vision.ollama.client import OllamaClient
from tests.ollama_emulator import OllamaEmulator


async def test_catalogue_sorts_models_by_what_they_can_do(
    client_session: aiohttp.ClientSession, ollama_emulator: OllamaEmulator
) -> None:
    """Vision models see pictures; text models complete text; embeddings neither."""
    catalogue = await async_fetch_catalogue(
        OllamaClient(client_session, ollama_emulator.url)
    )
    assert "moondream:latest" in catalogue.vision_models
    assert "bakllava:latest" in catalogue.vision_models  # a pre-0.6.4 server's answer
    assert "llama3.1:latest" in catalogue.text_models
    assert "llama3.1:latest" not in catalogue.vision_models
    assert "nomic-embed-text:latest" not in catalogue.text_models


async def test_shared_catalogue_keeps_what_every_server_has(
    client_session: aiohttp.ClientSession, ollama_emulator: OllamaEmulator
) -> None:
    """A model only one of two servers has is left out."""
    client = OllamaClient(client_session, ollama_emulator.url)
    before = await async_fetch_catalogue(client)
    ollama_emulator.remove_model("llava")
    after = await async_fetch_catalogue(client)
    shared = shared_catalogue([before, after])
    assert "llava:latest" not in shared.info
    assert shared.info.keys() == after.info.keys()
