"""The Ollama client against the emulator's odd cases, over real HTTP.

Without Home Assistant: the client takes any aiohttp session (see test_layout).
"""

from collections.abc import Sequence
from typing import Any

import aiohttp
import pytest

from custom_components.ollama_vision.ollama import client as client_module
from custom_components.ollama_vision.ollama.client import (
    OllamaAuthError,
    OllamaClient,
    OllamaConnectionError,
    OllamaModelNotFoundError,
    OllamaResponseError,
    PullProgress,
)
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator


@pytest.fixture
async def client(
    client_session: aiohttp.ClientSession, ollama_emulator: OllamaEmulator
) -> OllamaClient:
    """A client pointed at the emulator."""
    return OllamaClient(client_session, ollama_emulator.url, "key")


async def test_generate_reads_the_stream(
    client: OllamaClient, ollama_emulator: OllamaEmulator
) -> None:
    """The streamed chunks become one answer."""
    answer = await client.async_generate(
        "llava",
        "What?",
        images=[make_jpeg(64, 32, colour=(0, 200, 0))],
        keep_alive="5m",
    )
    assert answer == "Image 1 is 64x32 pixels, mostly green."
    request = ollama_emulator.generate_requests()[0]
    assert request.stream is True
    assert request.keep_alive == "5m"
    assert request.headers["Authorization"] == "Bearer key"


async def test_error_line_mid_stream_is_a_failure(
    client: OllamaClient, ollama_emulator: OllamaEmulator
) -> None:
    """An error line after some chunks is not a short answer."""
    ollama_emulator.inject("error_mid_stream", message="out of memory")
    with pytest.raises(OllamaResponseError, match="out of memory"):
        await client.async_generate("llava", "What?")


async def test_dropped_stream_is_a_connection_error(
    client: OllamaClient, ollama_emulator: OllamaEmulator
) -> None:
    """A connection closed mid-answer is a connection error (worth a retry)."""
    ollama_emulator.inject("drop_mid_stream")
    with pytest.raises(OllamaConnectionError):
        await client.async_generate("llava", "What?")


async def test_server_errors_keep_their_words(
    client: OllamaClient, ollama_emulator: OllamaEmulator
) -> None:
    """Ollama's own error text reaches the user."""
    with pytest.raises(OllamaModelNotFoundError, match="model 'nope' not found"):
        await client.async_generate("nope", "What?")
    with pytest.raises(OllamaResponseError, match="does not support generate"):
        await client.async_generate("nomic-embed-text", "What?")
    with pytest.raises(OllamaModelNotFoundError, match="not found"):
        await client.async_model_info("nope")


async def test_old_server_without_capabilities(
    client: OllamaClient, ollama_emulator: OllamaEmulator
) -> None:
    """Before 0.6.4 vision shows only in the model's families."""
    ollama_emulator.add_model("oldvision:latest", ["completion", "vision"], legacy=True)
    ollama_emulator.add_model("oldtext:latest", ["completion"], legacy=True)
    assert (await client.async_model_info("oldvision:latest")).vision is True
    assert (await client.async_model_info("oldtext:latest")).vision is False


async def test_non_ollama_answers(
    client_session: aiohttp.ClientSession, image_server: ImageServer
) -> None:
    """A server that is not Ollama, or a proxy that refuses us, is reported as such."""
    client = OllamaClient(client_session, image_server.url("").rstrip("/"))
    with pytest.raises(OllamaResponseError, match="HTTP 404"):
        await client.async_version()
    image_server.add("/api/version", b"<html>hello</html>", content_type="text/html")
    with pytest.raises(OllamaResponseError, match="not JSON"):
        await client.async_version()
    image_server.add("/api/tags", b"[1, 2]", content_type="application/json")
    with pytest.raises(OllamaResponseError, match="not a JSON object"):
        await client.async_list_models()
    image_server.add("/api/version", b'{"error":"go away"}', status=403)
    with pytest.raises(OllamaAuthError, match="go away"):
        await client.async_version()


async def test_big_pictures_are_encoded_off_the_loop(
    client: OllamaClient,
    ollama_emulator: OllamaEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pictures past the threshold are encoded in the executor, and arrive whole."""
    from custom_components.ollama_vision.ollama import client as client_module

    threads: list[str] = []
    encode = client_module._request_body

    def spy(body: dict[str, Any], images: Sequence[bytes]) -> bytes:
        import threading

        threads.append(threading.current_thread().name)
        return encode(body, images)

    monkeypatch.setattr(client_module, "_request_body", spy)
    small = make_jpeg(64, 32, colour=(0, 200, 0))
    big = small + b"\0" * client_module.OFF_LOOP_BYTES  # JPEG decoders stop at EOI
    for picture in (small, big):
        answer = await client.async_generate("llava", "What?", images=[picture])
        assert answer == "Image 1 is 64x32 pixels, mostly green."
    assert [r.image_bytes for r in ollama_emulator.generate_requests()] == [
        [len(small)],
        [len(big)],
    ]
    assert threads[0] == "MainThread"
    assert threads[1] != "MainThread"


async def test_pull_reports_progress_until_installed(
    client: OllamaClient, ollama_emulator: OllamaEmulator
) -> None:
    """Progress grows with the bytes of the layers seen so far, ends at 1, and
    the model is then on the server."""
    steps = [step async for step in client.async_pull("gemma3:4b")]
    assert steps[0] == PullProgress("pulling manifest", None)
    assert steps[-1] == PullProgress("success", 1.0)
    fractions = [step.fraction for step in steps if step.fraction is not None]
    assert 0 < fractions[1] < 1
    assert all(0 <= fraction <= 1 for fraction in fractions)
    assert "gemma3:4b" in await client.async_list_models()


@pytest.mark.parametrize(
    ("model", "setup", "reason"),
    [
        (
            "mystery",
            {"registry_strict": True},
            "pull model manifest: file does not exist",
        ),
        ("gemma3:4b", {"pull_failure": "no space left"}, "no space left"),
    ],
    ids=["unknown-name", "broken-midway"],
)
async def test_pull_failure_keeps_ollamas_reason(
    client: OllamaClient,
    ollama_emulator: OllamaEmulator,
    model: str,
    setup: dict[str, object],
    reason: str,
) -> None:
    """A refused name or a download that breaks raises Ollama's own words."""
    for name, value in setup.items():
        setattr(ollama_emulator, name, value)
    seen: list[PullProgress] = []

    async def pull() -> None:
        async for step in client.async_pull(model):
            seen.append(step)

    with pytest.raises(OllamaResponseError) as raised:
        await pull()
    assert str(raised.value) == reason
    assert seen[0].status == "pulling manifest"
    assert not any(name.startswith(model) for name in await client.async_list_models())


async def test_pull_from_odd_servers(
    client_session: aiohttp.ClientSession,
    image_server: ImageServer,
    refused_address: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stream that ends without success, an endless line, a server not there."""
    client = OllamaClient(client_session, image_server.url("").rstrip("/"))
    image_server.add(
        "/api/pull", b'{"status":"pulling manifest"}\n', content_type="text/plain"
    )
    with pytest.raises(OllamaConnectionError, match="stopped before it was complete"):
        _ = [step async for step in client.async_pull("gemma3")]

    # No cap on the whole stream (a download is long), but on each line.
    monkeypatch.setattr(client_module, "MAX_ANSWER_BYTES", 1000)
    many_lines = b'{"status":"verifying sha256 digest"}\n' * 100
    image_server.add("/api/pull", many_lines + b'{"status":"success"}\n')
    assert len([step async for step in client.async_pull("gemma3")]) == 101
    image_server.add("/api/pull", b'{"status":"' + b"x" * 2000 + b'"}\n')
    with pytest.raises(OllamaResponseError, match="larger than"):
        _ = [step async for step in client.async_pull("gemma3")]

    nowhere = OllamaClient(client_session, f"http://{refused_address}")
    with pytest.raises(OllamaConnectionError):
        _ = [step async for step in nowhere.async_pull("gemma3")]
