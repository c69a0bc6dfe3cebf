"""Bad images through the action: a clear error, one failure event, nothing sent to
Ollama, and the next job still works."""

from collections.abc import Callable
import io
from pathlib import Path

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ollama_vision.const import EVENT_IMAGE_ANALYSIS_FAILED
from custom_components.ollama_vision.settings import FETCH_TIMEOUT, MAX_IMAGE_MB
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from tests.conftest import analyze, assert_refused_alone
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator


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
        ("www/../secrets.yaml", "image_path_not_allowed", "not allowed"),
        ("www/escape.jpg", "image_path_not_allowed", "not allowed"),
        ("file:///etc/passwd", "image_unsupported_scheme", "file:///etc/passwd"),
        ("ftp://camera/snap.jpg", "image_unsupported_scheme", "ftp://camera/snap.jpg"),
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
    outside = config_with_secret / "outside.jpg"
    outside.write_bytes(make_jpeg(10, 10))
    (config_with_secret / "www" / "escape.jpg").symlink_to(outside)
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


@pytest.mark.parametrize(
    ("entity_id", "key"),
    [
        ("camera.nowhere", "image_entity_not_found"),
        ("light.kitchen", "image_entity_not_supported"),
    ],
)
async def test_bad_entities(
    hass: HomeAssistant, setup_entry: MockConfigEntry, entity_id: str, key: str
) -> None:
    """An unknown camera fails its job; a non-camera entity is refused up front."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)
    expected = (
        ServiceValidationError
        if key == "image_entity_not_supported"
        else HomeAssistantError
    )
    with pytest.raises(expected) as err:
        await analyze(hass, response=True, image_entity=entity_id, image_name="porch")
    assert err.value.translation_key == key
    assert entity_id in str(err.value)
    await hass.async_block_till_done()
    assert [e.data["error"] for e in failed] == (
        [] if key == "image_entity_not_supported" else [key]
    )
