"""The image server, and both server fixtures inside a Home Assistant test."""

import asyncio
from collections.abc import AsyncIterator, Callable
import io
import time

import aiohttp
from PIL import Image
import pytest

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from tests.image_server import ImageServer, b64, make_jpeg, make_png
from tests.ollama_emulator import OllamaEmulator


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def test_fixtures_work_with_hass(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator, image_server: ImageServer
) -> None:
    image_server.add("/door.jpg", make_jpeg(32, 24, (0, 0, 255)))
    session = async_get_clientsession(hass)
    async with session.get(image_server.url("/door.jpg")) as response:
        assert response.status == 200
        picture = await response.read()
    async with session.post(
        f"{ollama_emulator.url}/api/generate",
        json={
            "model": "llava",
            "prompt": "x",
            "images": [b64(picture)],
            "stream": False,
        },
    ) as response:
        answer = (await response.json())["response"]
    assert answer == "Image 1 is 32x24 pixels, mostly blue."


@pytest.mark.parametrize(("maker", "fmt"), [(make_jpeg, "JPEG"), (make_png, "PNG")])
def test_picture_factories(
    maker: Callable[[int, int, tuple[int, int, int]], bytes], fmt: str
) -> None:
    with Image.open(io.BytesIO(maker(30, 20, (0, 160, 0)))) as image:
        assert (image.format, image.size) == (fmt, (30, 20))
        assert image.convert("RGB").getpixel((5, 5)) == pytest.approx(
            (0, 160, 0), abs=3
        )


async def test_serves_added_paths_and_logs_requests(
    image_server: ImageServer, session: aiohttp.ClientSession
) -> None:
    body = make_png(4, 4)
    image_server.add("/a.png", body, "image/png", headers={"Cache-Control": "no-store"})
    async with session.get(
        image_server.url("/a.png"), headers={"X-Test": "1"}
    ) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert response.headers["Cache-Control"] == "no-store"
        assert await response.read() == body
    async with session.get(image_server.url("/missing.jpg")) as response:
        assert response.status == 404
    assert [(r.method, r.path) for r in image_server.requests] == [
        ("GET", "/a.png"),
        ("GET", "/missing.jpg"),
    ]
    assert image_server.requests[0].headers["X-Test"] == "1"


async def test_status_and_content_type_as_given(
    image_server: ImageServer, session: aiohttp.ClientSession
) -> None:
    image_server.add("/page", b"<html></html>", "text/html", status=500)
    async with session.get(image_server.url("/page")) as response:
        assert (response.status, response.content_type) == (500, "text/html")


async def test_redirects_and_loops(
    image_server: ImageServer, session: aiohttp.ClientSession
) -> None:
    image_server.add("/b.jpg", b"jpeg")
    image_server.add_redirect("/a.jpg", "/b.jpg")
    async with session.get(image_server.url("/a.jpg")) as response:
        assert await response.read() == b"jpeg"
        assert response.history[0].status == 302
    image_server.add_redirect("/loop1", "/loop2")
    image_server.add_redirect("/loop2", "/loop1")
    with pytest.raises(aiohttp.TooManyRedirects):
        async with session.get(image_server.url("/loop1"), max_redirects=4):
            pass


async def test_stall_never_answers_in_time_and_stops_promptly(
    image_server: ImageServer, session: aiohttp.ClientSession
) -> None:
    image_server.add_stall("/slow.jpg")
    with pytest.raises(asyncio.TimeoutError):
        async with session.get(
            image_server.url("/slow.jpg"), timeout=aiohttp.ClientTimeout(total=0.1)
        ):
            pass
    pending = asyncio.create_task(session.get(image_server.url("/slow.jpg")))
    await image_server.wait_for_requests(2)
    started = time.monotonic()
    await image_server.stop()
    assert time.monotonic() - started < 1
    # aiohttp retries an idempotent GET once, so refused may follow disconnected.
    with pytest.raises(aiohttp.ClientConnectionError):
        await pending


async def test_endless_body_goes_on_until_the_client_leaves(
    image_server: ImageServer, session: aiohttp.ClientSession
) -> None:
    image_server.add_endless("/endless.jpg")
    image_server.add("/after.jpg", b"ok")
    async with session.get(image_server.url("/endless.jpg")) as response:
        assert response.content_type == "image/jpeg"
        received = 0
        while received < 2_000_000:
            received += len(await response.content.readany())
    # The server is still healthy once the client gave up.
    async with session.get(image_server.url("/after.jpg")) as response:
        assert await response.read() == b"ok"


async def test_user_agent_required(
    image_server: ImageServer, session: aiohttp.ClientSession
) -> None:
    image_server.add_require_user_agent("/ua.jpg", b"jpeg")
    async with session.get(
        image_server.url("/ua.jpg"), skip_auto_headers=["User-Agent"]
    ) as response:
        assert response.status == 403
    async with session.get(image_server.url("/ua.jpg")) as response:
        assert (response.status, await response.read()) == (200, b"jpeg")


async def test_restart_keeps_the_port(
    image_server: ImageServer, session: aiohttp.ClientSession
) -> None:
    image_server.add("/x", b"x")
    port = image_server.port
    await image_server.stop()
    await image_server.start()
    assert image_server.port == port
    async with session.get(image_server.url("/x")) as response:
        assert await response.read() == b"x"
