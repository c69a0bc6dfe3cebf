"""Bad videos through the action: a clear error, one failure event (none when the
call is refused before queueing), nothing sent to Ollama, and the next job still
works."""

from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.ollama_vision.settings import (
    FETCH_TIMEOUT,
    MAX_CLIP_SECONDS,
    MAX_VIDEO_MB,
)
from homeassistant.core import HomeAssistant
from tests.clips_factory import (
    make_audio_only_clip,
    make_clip,
    make_frameless_clip,
)
from tests.conftest import assert_refused_alone
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.sources.refusals import assert_refused_before_queueing

SIX_SECONDS = make_clip([((230, 20, 20), 3), ((20, 20, 230), 3)])


def _serve_bad_videos(server: ImageServer) -> None:
    server.add("/text.mp4", b"just some text", content_type="video/mp4")
    server.add(
        "/page.mp4", b"<html><body>Login</body></html>", content_type="video/mp4"
    )
    server.add("/empty.mp4", b"", content_type="video/mp4")
    server.add("/picture.mp4", make_jpeg(64, 64), content_type="video/mp4")
    server.add("/truncated.mp4", SIX_SECONDS[: len(SIX_SECONDS) // 2])
    server.add("/audio.mp4", make_audio_only_clip())
    server.add("/frameless.avi", make_frameless_clip())
    server.add("/long.mp4", SIX_SECONDS)
    server.add("/big.mp4", SIX_SECONDS + b"\0" * (1024 * 1024))
    server.add("/500.mp4", b"oops", content_type="text/plain", status=500)
    server.add_stall("/stall.mp4", seconds=3600)
    server.add_endless("/endless.mp4", content_type="video/mp4")


@pytest.mark.parametrize(
    ("source", "code", "words"),
    [
        ("/text.mp4", "video_unreadable", "not a readable video"),
        ("/page.mp4", "video_unreadable", "not a readable video"),
        ("/empty.mp4", "video_unreadable", "not a readable video"),
        ("/picture.mp4", "video_unreadable", "not a readable video"),
        ("/truncated.mp4", "video_unreadable", "not a readable video"),
        ("/audio.mp4", "video_no_frames", "no video stream"),
        ("/frameless.avi", "video_no_frames", "no frame could be decoded"),
        ("/long.mp4", "video_too_long", "longer than the 5 second limit"),
        ("/big.mp4", "video_too_large", "1 MB"),
        ("/endless.mp4", "video_too_large", "1 MB"),
        ("/404.mp4", "video_fetch_failed", "HTTP 404"),
        ("/500.mp4", "video_fetch_failed", "HTTP 500"),
        ("/stall.mp4", "video_fetch_timeout", "took too long"),
    ],
)
async def test_bad_video_refused_and_next_job_works(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    config_with_secret: Path,
    source: str,
    code: str,
    words: str,
) -> None:
    """Every bad video fails its job only, with its own code and message."""
    entry = make_entry(
        **{
            MAX_VIDEO_MB.key: 1,
            MAX_CLIP_SECONDS.key: 5,
            FETCH_TIMEOUT.key: 1,
        }
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    _serve_bad_videos(image_server)
    image_server.add("/good.mp4", make_clip([((240, 240, 20), 1)]))
    url = image_server.url(source) if source.startswith("/") else source

    failed, result = await assert_refused_alone(
        hass,
        ollama_emulator,
        code=code,
        words=words,
        bad={"video": url},
        good={"video": image_server.url("/good.mp4")},
    )
    assert failed[0].data["image_sources"] == [url]
    assert result["description"] == "Image 1 is 320x180 pixels, mostly yellow."


@pytest.mark.parametrize(
    ("source", "code", "words"),
    [
        ("www/../secrets.yaml", "image_path_not_allowed", "not allowed"),
        ("www/missing.mp4", "image_file_not_found", "does not exist"),
        ("/local/missing.mp4", "image_file_not_found", "does not exist"),
        ("ftp://camera/clip.mp4", "image_unsupported_scheme", "ftp://camera"),
        (
            "/api/camera_proxy/camera.nowhere",
            "video_fetch_failed",
            "Could not fetch video /api/camera_proxy/camera.nowhere:"
            " there is no camera camera.nowhere",
        ),
        (
            "media-source://camera/camera.nowhere",
            "image_media_failed",
            "there is no camera camera.nowhere",
        ),
    ],
)
async def test_videos_that_cannot_work_are_refused_before_queueing(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    config_with_secret: Path,
    source: str,
    code: str,
    words: str,
) -> None:
    """A video that cannot be had fails the call itself, as an image does."""
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    image_server.add("/good.mp4", make_clip([((240, 240, 20), 1)]))

    result = await assert_refused_before_queueing(
        hass,
        entry,
        ollama_emulator,
        code=code,
        words=words,
        bad={"video": source},
        good={"video": image_server.url("/good.mp4")},
    )
    assert result["description"] == "Image 1 is 320x180 pixels, mostly yellow."
