"""Bad images through the action: a clear error, one failure event (none when the
call is refused before queueing), nothing sent to Ollama, and the next job still
works."""

import asyncio
from collections.abc import Callable
import io
from pathlib import Path
from typing import Any, override

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_capture_events,
    mock_integration,
    mock_platform,
)

from custom_components.ollama_vision.const import EVENT_IMAGE_ANALYSIS_FAILED
from custom_components.ollama_vision.settings import FETCH_TIMEOUT, MAX_IMAGE_MB
from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from tests.conftest import analyze, assert_refused_alone
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.picture_entities import platform
from tests.sources.refusals import assert_refused_before_queueing
from tests.waiting import wait_for


def _bomb() -> bytes:
    """A small PNG that claims an enormous pixel count."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")
    return out.getvalue()


def _serve_bad_images(server: ImageServer) -> None:
    jpeg = make_jpeg(800, 600, colour=(10, 200, 10))
    server.add("/403.jpg", b"no", content_type="text/plain", status=403)
    server.add("/500.jpg", b"oops", content_type="text/plain", status=500)
    server.add_redirect("/loop-a.jpg", "/loop-b.jpg")
    server.add_redirect("/loop-b.jpg", "/loop-a.jpg")
    server.add_stall("/stall.jpg", seconds=3600)
    server.add_endless("/endless.jpg")
    server.add("/big.jpg", jpeg + b"\0" * (2 * 1024 * 1024))
    server.add(
        "/page.jpg", b"<html><body>Login</body></html>", content_type="image/jpeg"
    )
    server.add("/empty.jpg", b"")
    server.add("/truncated.jpg", jpeg[: len(jpeg) // 2])
    server.add("/bomb.png", _bomb(), content_type="image/png")


@pytest.mark.parametrize(
    ("source", "code", "words"),
    [
        ("/404.jpg", "image_fetch_failed", "404"),
        ("/403.jpg", "image_fetch_failed", "403"),
        ("/500.jpg", "image_fetch_failed", "500"),
        ("/loop-a.jpg", "image_fetch_failed", "redirect"),
        ("/stall.jpg", "image_fetch_timeout", "took too long"),
        ("/endless.jpg", "image_too_large", "1 MB"),
        ("/big.jpg", "image_too_large", "1 MB"),
        ("/page.jpg", "image_not_an_image", "not a usable image"),
        ("/empty.jpg", "image_not_an_image", "not a usable image"),
        ("/truncated.jpg", "image_not_an_image", "not a usable image"),
        ("/bomb.png", "image_too_many_pixels", "pixels"),
    ],
)
async def test_bad_image_refused_and_next_job_works(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    config_with_secret: Path,
    source: str,
    code: str,
    words: str,
) -> None:
    """Every bad source fails its job only, with its own code and message."""
    entry = make_entry(**{MAX_IMAGE_MB.key: 1, FETCH_TIMEOUT.key: 1})
    assert await hass.config_entries.async_setup(entry.entry_id)
    _serve_bad_images(image_server)
    image_server.add("/good.jpg", make_jpeg(200, 100, colour=(240, 240, 20)))
    url = image_server.url(source) if source.startswith("/") else source

    _, result = await assert_refused_alone(
        hass,
        ollama_emulator,
        code=code,
        words=words,
        bad={"image_url": url},
        good={"image_url": image_server.url("/good.jpg")},
    )
    assert result["description"] == "Image 1 is 200x100 pixels, mostly yellow."


MEDIA = "media-source://camera/camera.nowhere"


@pytest.mark.parametrize(
    ("bad", "code", "words"),
    [
        ({"image_entity": "camera.nowhere"}, "image_entity_not_found", "not found"),
        ({"image_entity": "light.kitchen"}, "image_entity_not_supported", "light"),
        (
            {"image_url": "/api/camera_proxy/camera.nowhere"},
            "image_fetch_failed",
            "there is no camera camera.nowhere",
        ),
        (
            {
                "media": [
                    {"media_content_id": MEDIA, "media_content_type": "image/jpeg"}
                ]
            },
            "image_media_failed",
            f"Could not get media {MEDIA}: there is no camera camera.nowhere",
        ),
        ({"image_url": "www/missing.jpg"}, "image_file_not_found", "does not exist"),
        ({"image_url": "www/../secrets.yaml"}, "image_path_not_allowed", "allowed"),
        ({"image_url": "local/../secrets.yaml"}, "image_path_not_allowed", "allowed"),
        ({"image_url": "www/escape.jpg"}, "image_path_not_allowed", "not allowed"),
        ({"image_url": "file:///etc/passwd"}, "image_unsupported_scheme", "file:"),
        ({"image_url": "ftp://camera/snap.jpg"}, "image_unsupported_scheme", "ftp:"),
        ({"image_url": "/api/../auth/token"}, "image_path_invalid", "under /api/"),
        ({"image_url": "http://[::1/x.jpg"}, "image_fetch_failed", "not a valid URL"),
        (
            {"image_url": "www/a\x00b.jpg"},
            "image_fetch_failed",
            "not a valid file path",
        ),
        (
            {"image_url": "http://camera.local/x.jpg", "duration": 5},
            "duration_without_entity",
            "give at least one image_entity",
        ),
        ({"frigate_event_id": "a/b"}, "frigate_event_id_invalid", "a/b"),
        (
            {"image_entity": "camera.front_door", "image_url": "www/missing.jpg"},
            "image_file_not_found",
            "www/missing.jpg",
        ),
    ],
)
async def test_sources_that_cannot_work_are_refused_before_queueing(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    config_with_secret: Path,
    bad: dict[str, Any],
    code: str,
    words: str,
) -> None:
    """A missing entity or file, a file outside the allowed folders, a scheme or
    path that cannot be fetched: the call itself fails, with a response or
    without, and nothing is queued."""
    outside = config_with_secret / "outside.jpg"
    outside.write_bytes(make_jpeg(10, 10))
    (config_with_secret / "www" / "escape.jpg").symlink_to(outside)
    hass.states.async_set("light.kitchen", "on")
    hass.states.async_set("camera.front_door", "idle")
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    image_server.add("/good.jpg", make_jpeg(200, 100, colour=(240, 240, 20)))

    result = await assert_refused_before_queueing(
        hass,
        entry,
        ollama_emulator,
        code=code,
        words=words,
        bad=bad,
        good={"image_url": image_server.url("/good.jpg")},
    )
    assert result["description"] == "Image 1 is 200x100 pixels, mostly yellow."


class GatedCamera(Camera):
    """A camera whose picture waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self._attr_name = "Gate"
        self.asked = asyncio.Event()
        self.release = asyncio.Event()

    @override
    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        self.asked.set()
        await self.release.wait()
        return make_jpeg(64, 48)


async def test_file_deleted_while_the_job_waits_fails_the_job(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    ollama_emulator: OllamaEmulator,
    config_with_secret: Path,
) -> None:
    """The call was accepted (the file was there); the fetch finds it gone and
    the job fails with its event, as a job does."""
    gate = GatedCamera()
    mock_integration(hass, MockModule("test"))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(async_setup_platform=platform(lambda _: [gate])),
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    picture = config_with_secret / "www" / "door.jpg"
    picture.write_bytes(make_jpeg(64, 48))
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)

    # The only worker waits for the gate's picture.
    busy = hass.async_create_task(
        analyze(hass, response=True, image_entity="camera.gate", image_name="gate")
    )
    async with asyncio.timeout(5):
        await gate.asked.wait()
    assert await analyze(hass, image_url="www/door.jpg", image_name="door") is None
    picture.unlink()
    gate.release.set()
    assert (await busy)["image_name"] == "gate"

    await wait_for(lambda: bool(failed))
    assert [(e.data["image_name"], e.data["error"]) for e in failed] == [
        ("door", "image_file_not_found")
    ]
    assert len(ollama_emulator.generate_requests()) == 1
