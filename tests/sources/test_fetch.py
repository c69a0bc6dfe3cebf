"""Getting images in: every source, every refusal, and the preparation for the model."""

import asyncio
from collections.abc import AsyncIterator, Iterator
import io
from pathlib import Path
import struct
import threading
from typing import Any, override
import zlib

from aiohttp import web
from PIL import ExifTags, Image, ImageFile, JpegImagePlugin
import pytest
from pytest_homeassistant_custom_component.common import (
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

from custom_components.ollama_vision.const import DOMAIN
from custom_components.ollama_vision.media import picture_hash
from custom_components.ollama_vision.sources import still
from custom_components.ollama_vision.sources.fetch import _local_host
from custom_components.ollama_vision.sources.locate import locate
from custom_components.ollama_vision.sources.source import (
    ImageError,
    ImageLimits,
    ImageSource,
    ImageSourceKind,
    PreparedImage,
    public_image_url,
)
from custom_components.ollama_vision.sources.still import async_get_images
from homeassistant.components.image import ImageEntity
from homeassistant.components.media_source import (
    MediaSource,
    MediaSourceItem,
    PlayMedia,
)
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.http import current_request
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from tests.image_server import ImageServer, make_jpeg, make_png
from tests.picture_entities import (
    SECRET_JPEG,
    SECRET_PATH,
    SecretImageView,
    StillCamera,
    platform,
)
from tests.sources.http_server import async_setup_http, ephemeral_http_port

URL = ImageSourceKind.URL
ENTITY = ImageSourceKind.ENTITY
MEDIA = ImageSourceKind.MEDIA
MIB = 1024 * 1024
RED = (220, 20, 20)
BLUE = (20, 20, 220)
FRONT_DOOR_JPEG = make_jpeg(800, 600, colour=RED)


# --- helpers -----------------------------------------------------------------


async def get_one(
    hass: HomeAssistant, kind: ImageSourceKind, value: str, **limits: Any
) -> PreparedImage:
    """Fetch and prepare one source."""
    [image] = await async_get_images(
        hass, [ImageSource(kind, value)], ImageLimits(**limits)
    )
    return image


async def refusal(
    hass: HomeAssistant, kind: ImageSourceKind, value: str, **limits: Any
) -> ImageError:
    """Return the ImageError one source is refused with."""
    with pytest.raises(ImageError) as info:
        await async_get_images(hass, [ImageSource(kind, value)], ImageLimits(**limits))
    error = info.value
    assert error.translation_domain == DOMAIN
    assert error.translation_key == error.code
    assert error.translation_placeholders is not None
    assert error.translation_placeholders["source"] == value
    return error


def decode(data: bytes) -> Image.Image:
    """Open JPEG data, checking it is a JPEG."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    return image


def near(colour: object, expected: tuple[int, int, int]) -> bool:
    """Whether a decoded RGB pixel is the expected colour, give or take JPEG noise."""
    assert isinstance(colour, tuple)
    return all(abs(a - b) <= 24 for a, b in zip(colour, expected, strict=True))


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    """Encode a Pillow image."""
    output = io.BytesIO()
    image.save(output, format=fmt, **options)
    return output.getvalue()


def two_colour_jpeg(width: int, height: int, orientation: int | None = None) -> bytes:
    """A JPEG with a red left half and a blue right half, optionally EXIF-rotated."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return encode(image, "JPEG", quality=95, exif=exif)


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression bomb's header)."""
    data = bytearray(make_png(1, 1))
    # IHDR: 8-byte signature, 4-byte length, b"IHDR", width, height, ..., CRC.
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def disable_http_server() -> Iterator[None]:
    """Let Home Assistant's HTTP server really listen (the plugin's fixture stops it),
    on a port the system chooses."""
    with ephemeral_http_port():
        yield


@pytest.fixture
def hass_config_dir(tmp_path: Path) -> str:
    """A fresh config folder with www/ and media/."""
    config = tmp_path / "config"
    (config / "www" / "snapshots").mkdir(parents=True)
    (config / "media" / "snapshots").mkdir(parents=True)
    return str(config)


@pytest.fixture
def config_dir(hass_config_dir: str) -> Path:
    """The config folder as a Path."""
    return Path(hass_config_dir)


@pytest.fixture(autouse=True)
async def core_config(hass: HomeAssistant, config_dir: Path) -> None:
    """Core configuration as a user without allowlist settings has it."""
    await async_process_ha_core_config(
        hass, {"media_dirs": {"local": str(config_dir / "media")}}
    )
    # Translated exception messages come from the cache, and only for loaded
    # integrations: mark ours loaded without setting it up (which would start
    # the http integration before a test configures it).
    await async_get_translations(hass, "en", "exceptions", {DOMAIN})
    hass.config.components.add(DOMAIN)


# Each time a test camera or image gives its picture: the HTTP request it was
# asked within (None: asked in-process, not through Home Assistant's server).
type AskedWithin = list[web.Request | None]


class WatchedCamera(StillCamera):
    """A camera with a fixed picture that notes where it is asked from."""

    def __init__(
        self, name: str, picture: bytes, asked: AskedWithin, *, on: bool = True
    ) -> None:
        super().__init__(name, picture, on=on)
        self._asked = asked

    @override
    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        self._asked.append(current_request.get())
        return await super().async_camera_image(width, height)


class StillImage(ImageEntity):
    """An image entity with a fixed picture (or none yet) that notes where it is
    asked from."""

    _attr_content_type = "image/png"

    def __init__(
        self,
        hass: HomeAssistant,
        name: str,
        picture: bytes | None,
        asked: AskedWithin,
    ) -> None:
        super().__init__(hass)
        self._attr_name = name
        self._picture = picture
        self._asked = asked

    @override
    async def async_image(self) -> bytes | None:
        self._asked.append(current_request.get())
        return self._picture


class UrlMediaSource(MediaSource):
    """Media items that resolve to the URLs a test puts in `urls`."""

    name = "Test URLs"

    def __init__(self, urls: dict[str, str]) -> None:
        super().__init__("test")
        self.urls = urls

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        return PlayMedia(self.urls[item.identifier or ""], "image/jpeg")


class UrlMediaPlatform:
    """The test integration's media_source platform."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls

    async def async_get_media_source(self, hass: HomeAssistant) -> MediaSource:
        return UrlMediaSource(self.urls)


@pytest.fixture
def media_urls() -> dict[str, str]:
    """What media-source://test/<key> resolves to."""
    return {}


@pytest.fixture
def asked_within() -> AskedWithin:
    """Where the test cameras and images were asked for their pictures from."""
    return []


@pytest.fixture
async def home_assistant_server(
    hass: HomeAssistant,
    socket_enabled: None,
    media_urls: dict[str, str],
    asked_within: AskedWithin,
) -> str:
    """Home Assistant's real HTTP server on loopback, with cameras, images and media.

    Returns the server's base URL; the hass fixture stops it.
    """
    base_url = await async_setup_http(hass)
    mock_integration(hass, MockModule("test"))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(
            async_setup_platform=platform(
                lambda _: [
                    WatchedCamera("Front door", FRONT_DOOR_JPEG, asked_within),
                    WatchedCamera("Garage", FRONT_DOOR_JPEG, asked_within, on=False),
                    WatchedCamera("Huge", b"\xff" * (2 * MIB), asked_within),
                ]
            )
        ),
    )
    mock_platform(
        hass,
        "test.image",
        MockPlatform(
            async_setup_platform=platform(
                lambda hass: [
                    StillImage(
                        hass, "Map", make_png(300, 200, colour=BLUE), asked_within
                    ),
                    StillImage(hass, "Empty", None, asked_within),
                ]
            )
        ),
    )
    # The plugin's `module` type is narrower than its use: the cache takes any
    # object with the platform's functions, here a media_source platform.
    mock_platform(
        hass,
        "test.media_source",
        UrlMediaPlatform(media_urls),  # type: ignore[arg-type]
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    assert await async_setup_component(hass, "image", {"image": {"platform": "test"}})
    assert await async_setup_component(hass, "media_source", {})
    hass.http.register_view(SecretImageView())
    await hass.async_block_till_done()
    await hass.http.start()  # Home Assistant starts it when the frontend is set up
    return base_url


# --- URLs --------------------------------------------------------------------


async def test_url_image_is_fetched_with_user_agent(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """An http URL gives the picture; the request names Home Assistant and us."""
    image_server.add_require_user_agent("/door.jpg", FRONT_DOOR_JPEG)
    image = await get_one(hass, URL, image_server.url("/door.jpg"))

    assert image.data == FRONT_DOOR_JPEG
    assert decode(image.data).size == (800, 600)
    assert image.source == ImageSource(URL, image_server.url("/door.jpg"))
    assert image_server.requests[-1].headers["User-Agent"] == (
        f"HomeAssistant/{HA_VERSION} ollama_vision"
    )


async def test_content_is_judged_by_bytes_not_content_type(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """A JPEG served as text is fine; a web page served as image/jpeg is not."""
    image_server.add("/mislabelled.txt", FRONT_DOOR_JPEG, content_type="text/plain")
    image_server.add("/page.jpg", b"<html><body>Login</body></html>")

    image = await get_one(hass, URL, image_server.url("/mislabelled.txt"))
    assert image.data == FRONT_DOOR_JPEG

    error = await refusal(hass, URL, image_server.url("/page.jpg"))
    assert error.code == "image_not_an_image"


@pytest.mark.parametrize("status", [403, 404, 500])
async def test_http_error_status_is_refused(
    hass: HomeAssistant, image_server: ImageServer, status: int
) -> None:
    """An error status is reported with its number."""
    image_server.add("/x.jpg", FRONT_DOOR_JPEG, status=status)
    url = image_server.url("/x.jpg")

    error = await refusal(hass, URL, url)

    assert error.code == "image_fetch_failed"
    assert str(error) == f"Could not fetch image {url}: HTTP {status}"


async def test_unreachable_host_is_refused(
    hass: HomeAssistant, refused_address: str
) -> None:
    """A connection error is a fetch failure."""
    url = f"http://{refused_address}/x.jpg"

    error = await refusal(hass, URL, url)

    assert error.code == "image_fetch_failed"
    assert "Cannot connect" in str(error)


async def test_five_redirects_are_followed_six_are_not(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """At most five redirects: a longer chain or a loop is a fetch failure."""
    image_server.add("/end.jpg", FRONT_DOOR_JPEG)
    for hop in range(1, 7):
        image_server.add_redirect(
            f"/hop{hop}", f"/hop{hop + 1}" if hop < 6 else "/end.jpg"
        )
    image_server.add_redirect("/loop", "/loop")

    image = await get_one(hass, URL, image_server.url("/hop2"))  # five redirects
    assert image.data == FRONT_DOOR_JPEG

    for start in ("/hop1", "/loop"):
        url = image_server.url(start)
        error = await refusal(hass, URL, url)
        assert error.code == "image_fetch_failed"
        assert str(error) == f"Could not fetch image {url}: more than 5 redirects"


async def test_stalled_server_times_out(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """A server that never answers is given up on after limits.timeout."""
    image_server.add_stall("/stall.jpg")
    url = image_server.url("/stall.jpg")

    async with asyncio.timeout(5):
        error = await refusal(hass, URL, url, timeout=0.3)

    assert error.code == "image_fetch_timeout"
    assert str(error) == f"Fetching image {url} took too long and was stopped"


async def test_body_over_the_cap_is_refused(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """More bytes than max_bytes: refused, with the limit in the message."""
    image_server.add("/big.jpg", b"\xff" * (MIB + 1))
    image_server.add("/exact.jpg", FRONT_DOOR_JPEG)
    url = image_server.url("/big.jpg")

    error = await refusal(hass, URL, url, max_bytes=MIB)
    assert error.code == "image_too_large"
    assert str(error) == f"Image {url} is larger than the 1 MB limit"

    exact = await get_one(
        hass, URL, image_server.url("/exact.jpg"), max_bytes=len(FRONT_DOOR_JPEG)
    )
    assert exact.data == FRONT_DOOR_JPEG


async def test_endless_body_is_cut_off(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """A body without end or length stops being read at the cap."""
    image_server.add_endless("/endless.jpg")

    async with asyncio.timeout(5):
        error = await refusal(
            hass, URL, image_server.url("/endless.jpg"), max_bytes=MIB, timeout=30
        )

    assert error.code == "image_too_large"


@pytest.fixture
async def lying_server(socket_enabled: None) -> AsyncIterator[str]:
    """A server announcing a 1 GB image, then sending nothing. Yields its URL."""
    writers: list[asyncio.StreamWriter] = []

    async def answer(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        await writer.drain()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/huge.jpg"
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_too_large_content_length_is_refused_before_reading(
    hass: HomeAssistant, lying_server: str
) -> None:
    """The announced length alone is enough: no waiting for the body."""
    error = await refusal(hass, URL, lying_server, max_bytes=MIB, timeout=10)
    assert error.code == "image_too_large"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "image/jpeg"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "text/html"),
        (b"just some text", "text/plain"),
        (b"GIF89a-but-then-nothing", "image/gif"),
    ],
    ids=["zero-bytes", "html", "text", "bad-header"],
)
async def test_non_images_are_refused(
    hass: HomeAssistant, image_server: ImageServer, body: bytes, content_type: str
) -> None:
    """Empty data, pages and text are not images."""
    image_server.add("/thing", body, content_type=content_type)
    url = image_server.url("/thing")

    error = await refusal(hass, URL, url)

    assert error.code == "image_not_an_image"
    assert str(error).startswith(f"{url} is not a usable image")


@pytest.mark.parametrize("max_edge", [1280, 100], ids=["as-is", "shrunk"])
async def test_truncated_jpeg_is_refused(
    hass: HomeAssistant, image_server: ImageServer, max_edge: int
) -> None:
    """Half a JPEG has a valid header but must not pass, on either path."""
    whole = encode(Image.effect_noise((640, 480), 40).convert("RGB"), "JPEG")
    truncated = whole[: len(whole) // 2]
    assert Image.open(io.BytesIO(truncated)).size == (640, 480)  # header intact
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    image_server.add("/cut.jpg", truncated)

    error = await refusal(hass, URL, image_server.url("/cut.jpg"), max_edge=max_edge)

    assert error.code == "image_not_an_image"


@pytest.mark.parametrize(
    "size", [(8000, 7000), (30000, 30000)], ids=["over-our-limit", "pillow-bomb"]
)
async def test_decompression_bomb_is_refused(
    hass: HomeAssistant, image_server: ImageServer, size: tuple[int, int]
) -> None:
    """An image declaring more than 50 megapixels is not decoded."""
    image_server.add("/bomb.png", png_claiming_size(*size), content_type="image/png")
    url = image_server.url("/bomb.png")

    error = await refusal(hass, URL, url)

    assert error.code == "image_too_many_pixels"
    assert str(error) == (
        f"Image {url} has too many pixels to be decoded safely"
        " (more than 50 megapixels)"
    )


async def test_header_just_under_the_pixel_limit_is_decoded(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """Below the limit the decoder runs (and finds this fake has no pixel data)."""
    image_server.add(
        "/big.png", png_claiming_size(7000, 7000), content_type="image/png"
    )

    error = await refusal(hass, URL, image_server.url("/big.png"))

    assert error.code == "image_not_an_image"


@pytest.mark.parametrize(
    "value", ["file:///etc/passwd", "ftp://example.com/door.jpg", "rtsp://cam/stream"]
)
async def test_other_schemes_are_refused(hass: HomeAssistant, value: str) -> None:
    """Only http(s), /api/ paths and plain file paths are read."""
    error = await refusal(hass, URL, value)

    assert error.code == "image_unsupported_scheme"
    assert str(error).startswith(f"Cannot read image {value}:")


async def test_sources_are_prepared_in_order_and_stop_at_the_first_bad(
    hass: HomeAssistant, image_server: ImageServer
) -> None:
    """Results keep the order of the sources; a bad one stops the rest."""
    image_server.add("/red.jpg", make_jpeg(64, 48, colour=RED))
    image_server.add(
        "/blue.png", make_png(32, 24, colour=BLUE), content_type="image/png"
    )
    red = ImageSource(URL, image_server.url("/red.jpg"))
    blue = ImageSource(URL, image_server.url("/blue.png"))
    missing = ImageSource(URL, image_server.url("/missing.jpg"))

    prepared = await async_get_images(hass, [blue, red], ImageLimits())
    assert [image.source for image in prepared] == [blue, red]
    assert [decode(image.data).size for image in prepared] == [(32, 24), (64, 48)]

    image_server.requests.clear()
    with pytest.raises(ImageError) as info:
        await async_get_images(hass, [red, missing, blue], ImageLimits())
    assert info.value.translation_placeholders == {
        "source": missing.value,
        "reason": "HTTP 404",
    }
    assert [request.path for request in image_server.requests] == [
        "/red.jpg",
        "/missing.jpg",
    ]


# --- Home Assistant paths ----------------------------------------------------


async def test_home_assistant_path_needing_auth_is_fetched_signed(
    hass: HomeAssistant, home_assistant_server: str
) -> None:
    """An /api/ path is fetched from the local server, signed, whatever internal_url says."""
    session = async_get_clientsession(hass)
    async with session.get(f"{home_assistant_server}{SECRET_PATH}") as response:
        assert response.status == 401  # the view really needs authentication
    await hass.config.async_update(internal_url="http://192.0.2.1:8123")

    image = await get_one(hass, URL, SECRET_PATH)

    assert image.data == SECRET_JPEG


async def test_missing_home_assistant_path_is_refused(
    hass: HomeAssistant, home_assistant_server: str
) -> None:
    """The local server's status is reported, and no signature leaks."""
    error = await refusal(hass, URL, "/api/ollama_vision_test/nowhere.jpg")

    assert error.code == "image_fetch_failed"
    assert str(error) == (
        "Could not fetch image /api/ollama_vision_test/nowhere.jpg: HTTP 404"
    )


async def test_home_assistant_path_without_http_server_is_refused(
    hass: HomeAssistant,
) -> None:
    """Without the http integration there is nothing to ask."""
    error = await refusal(hass, URL, SECRET_PATH)

    assert error.code == "image_fetch_failed"
    assert "HTTP server is not running" in str(error)


# --- local files -------------------------------------------------------------


async def test_relative_www_file_is_read(hass: HomeAssistant, config_dir: Path) -> None:
    """www/ is allowed by default, relative to the config folder."""
    picture = make_jpeg(640, 360, colour=RED)
    (config_dir / "www" / "snapshots" / "door.jpg").write_bytes(picture)

    image = await get_one(hass, URL, "www/snapshots/door.jpg")

    assert image.data == picture
    assert public_image_url("www/snapshots/door.jpg") == "local/snapshots/door.jpg"


@pytest.mark.parametrize(
    "value",
    ["www/snapshots/door.jpg", "/local/snapshots/door.jpg", "local/snapshots/door.jpg"],
)
async def test_every_spelling_of_a_www_file_reads_it(
    hass: HomeAssistant, config_dir: Path, value: str
) -> None:
    """www/x, /local/x (as Home Assistant serves it) and local/x (as results
    report it) are the same file."""
    picture = make_jpeg(640, 360, colour=BLUE)
    (config_dir / "www" / "snapshots" / "door.jpg").write_bytes(picture)

    image = await get_one(hass, URL, value)

    assert image.data == picture


@pytest.mark.parametrize(
    "value",
    [
        "/local/../secrets.yaml",
        "local/../secrets.yaml",
        "/local//../secrets.yaml",
        "local/../media/snapshots/yard.jpg",
        "www/snapshots/../../media/snapshots/yard.jpg",
    ],
)
async def test_www_spellings_stay_in_www(
    hass: HomeAssistant, config_dir: Path, value: str
) -> None:
    """'..' cannot climb out of www, not even into another allowed folder."""
    (config_dir / "secrets.yaml").write_text("password: hunter2\n")
    (config_dir / "media" / "snapshots" / "yard.jpg").write_bytes(FRONT_DOOR_JPEG)

    error = await refusal(hass, URL, value)

    assert error.code == "image_path_not_allowed"
    assert str(error).startswith(f"Reading {value} is not allowed")


@pytest.mark.parametrize("value", ["/local/nobody.jpg", "local/snapshots/nobody.jpg"])
async def test_missing_www_file_is_not_found(hass: HomeAssistant, value: str) -> None:
    """The error names the real reason: the file is not there."""
    error = await refusal(hass, URL, value)

    assert error.code == "image_file_not_found"
    assert str(error) == f"Image file {value} does not exist"


async def test_absolute_file_in_media_folder_is_read(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """Media folders are allowed too; absolute paths work."""
    path = config_dir / "media" / "snapshots" / "yard.png"
    path.write_bytes(make_png(120, 80, colour=BLUE))

    image = await get_one(hass, URL, str(path))

    assert decode(image.data).size == (120, 80)
    assert near(decode(image.data).getpixel((60, 40)), BLUE)


async def test_files_outside_allowed_folders_are_refused(
    hass: HomeAssistant, config_dir: Path, tmp_path: Path
) -> None:
    """'..' and symlinks are resolved before the allowlist check."""
    (config_dir / "secrets.yaml").write_text("password: hunter2\n")
    outside = tmp_path / "private.jpg"
    outside.write_bytes(make_jpeg(64, 64))
    (config_dir / "www" / "innocent.jpg").symlink_to(outside)

    for value in (
        "www/../secrets.yaml",
        "www/innocent.jpg",
        str(outside),
        "/etc/hostname",
        "secrets.yaml",
    ):
        error = await refusal(hass, URL, value)
        assert error.code == "image_path_not_allowed", value
        assert str(error).startswith(f"Reading {value} is not allowed")


async def test_symlink_within_allowed_folders_is_followed(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """A symlink whose target is allowed is fine."""
    target = config_dir / "media" / "snapshots" / "latest.jpg"
    target.write_bytes(FRONT_DOOR_JPEG)
    (config_dir / "www" / "latest.jpg").symlink_to(target)

    image = await get_one(hass, URL, "www/latest.jpg")

    assert image.data == FRONT_DOOR_JPEG


async def test_missing_file_and_folder_are_not_found(hass: HomeAssistant) -> None:
    """A path that is not a file in an allowed folder is reported missing."""
    for value in ("www/snapshots/nobody.jpg", "www/snapshots"):
        error = await refusal(hass, URL, value)
        assert error.code == "image_file_not_found"
        assert str(error) == f"Image file {value} does not exist"


async def test_file_over_the_cap_is_refused(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """Files are size-capped like downloads."""
    (config_dir / "www" / "big.jpg").write_bytes(b"\xff" * (MIB + 1))

    error = await refusal(hass, URL, "www/big.jpg", max_bytes=MIB)

    assert error.code == "image_too_large"


async def test_symlink_loop_is_not_found(hass: HomeAssistant, config_dir: Path) -> None:
    """A symlink pointing at itself is no file."""
    (config_dir / "www" / "loop.jpg").symlink_to(config_dir / "www" / "loop.jpg")

    error = await refusal(hass, URL, "www/loop.jpg")

    assert error.code == "image_file_not_found"


async def test_unreadable_file_is_a_fetch_failure(
    hass: HomeAssistant, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read error is reported with the system's reason."""
    (config_dir / "www" / "locked.jpg").write_bytes(FRONT_DOOR_JPEG)

    def refuse(*_: Any, **__: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)

    error = await refusal(hass, URL, "www/locked.jpg")

    assert error.code == "image_fetch_failed"
    assert str(error) == "Could not fetch image www/locked.jpg: Permission denied"


def test_local_host_is_where_the_server_listens() -> None:
    """Loopback when the server listens there or everywhere, else its first address."""
    assert _local_host(None) == "127.0.0.1"
    assert _local_host(["0.0.0.0", "::"]) == "127.0.0.1"
    assert _local_host(["::"]) == "::1"
    assert _local_host(["192.168.1.5", "10.0.0.2"]) == "192.168.1.5"


def test_a_frigate_event_is_not_one_source() -> None:
    """Its clip and its snapshot are (sources/video.py asks for them in turn)."""
    with pytest.raises(ValueError, match="clip or snapshot"):
        locate(ImageSource(ImageSourceKind.FRIGATE_EVENT, "1700000000.1-abc"))


def test_public_image_url() -> None:
    """www/ paths are reported as served; anything else as given."""
    assert public_image_url("www/door.jpg") == "local/door.jpg"
    assert public_image_url("www/a/b/c.jpg") == "local/a/b/c.jpg"
    for unchanged in (
        "http://cam/www/door.jpg",
        "/config/www/door.jpg",
        "/api/camera_proxy/camera.front_door",
        "www",
        "www/../secrets.yaml",
        "media/www/door.jpg",
    ):
        assert public_image_url(unchanged) == unchanged


# --- entities ----------------------------------------------------------------


async def test_camera_entity_snapshot(
    hass: HomeAssistant, home_assistant_server: str
) -> None:
    """A camera entity gives its snapshot."""
    image = await get_one(hass, ENTITY, "camera.front_door")

    assert image.data == FRONT_DOOR_JPEG


async def test_image_entity_picture(
    hass: HomeAssistant, home_assistant_server: str
) -> None:
    """An image entity's PNG arrives as a JPEG."""
    image = await get_one(hass, ENTITY, "image.map")

    assert decode(image.data).size == (300, 200)
    assert near(decode(image.data).getpixel((150, 100)), BLUE)


@pytest.mark.parametrize(
    ("entity_id", "code"),
    [
        ("camera.nowhere", "image_entity_not_found"),
        ("sun.sun", "image_entity_not_found"),
        ("not an entity id", "image_entity_not_found"),
        ("camera.garage", "image_entity_unavailable"),
        ("image.empty", "image_entity_unavailable"),
        ("camera.huge", "image_too_large"),
    ],
)
async def test_entity_refusals(
    hass: HomeAssistant, home_assistant_server: str, entity_id: str, code: str
) -> None:
    """Unknown, unsuitable, switched-off and empty entities are refused."""
    hass.states.async_set("sun.sun", "above_horizon")

    error = await refusal(hass, ENTITY, entity_id, max_bytes=MIB)

    assert error.code == code


async def test_entity_of_an_integration_not_loaded(hass: HomeAssistant) -> None:
    """A state alone (the image integration is not set up) gives no picture."""
    hass.states.async_set("image.ghost", "2026-01-01T00:00:00+00:00")

    error = await refusal(hass, ENTITY, "image.ghost")

    assert error.code == "image_entity_unavailable"


async def test_camera_that_is_off_has_a_clear_message(
    hass: HomeAssistant, home_assistant_server: str
) -> None:
    """The message says why there is no image."""
    error = await refusal(hass, ENTITY, "camera.garage")

    assert str(error) == (
        "Entity camera.garage has no image to give right now"
        " (it may be off or unavailable)"
    )


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (ENTITY, "camera.front_door"),
        (URL, "/api/camera_proxy/camera.front_door"),
        (URL, "/api/camera_proxy_stream/camera.front_door"),
        (URL, "/api/./camera_proxy/camera.front_door?token=abc&width=50"),
        (MEDIA, "media-source://camera/camera.front_door"),
        (ENTITY, "image.map"),
        (URL, "/api/image_proxy/image.map"),
        (URL, "/api/image_proxy_stream/image.map"),
        (MEDIA, "media-source://image/image.map"),
    ],
)
async def test_camera_and_image_pictures_are_taken_in_process(
    hass: HomeAssistant,
    home_assistant_server: str,
    asked_within: AskedWithin,
    kind: ImageSourceKind,
    value: str,
) -> None:
    """However a camera's or image's picture is named (its entity, its proxy path,
    its stream, its media item), the entity is asked once, in-process: never
    through Home Assistant's HTTP server. A stream gives one still."""
    image = await get_one(hass, kind, value)

    if "camera" in value:
        assert image.data == FRONT_DOOR_JPEG
    else:
        assert decode(image.data).size == (300, 200)
        assert near(decode(image.data).getpixel((150, 100)), BLUE)
    assert asked_within == [None]


NO_PICTURE = "has no picture to give right now (it may be off or unavailable)"


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        (URL, "/api/camera_proxy/camera.nowhere", "there is no camera camera.nowhere"),
        (URL, "/api/camera_proxy/image.map", "there is no camera image.map"),
        (
            URL,
            "/api/image_proxy_stream/image.nowhere",
            "there is no image entity image.nowhere",
        ),
        (URL, "/api/camera_proxy/camera.garage", f"camera.garage {NO_PICTURE}"),
        (URL, "/api/image_proxy/image.empty", f"image.empty {NO_PICTURE}"),
        (
            MEDIA,
            "media-source://camera/camera.nowhere",
            "there is no camera camera.nowhere",
        ),
        (MEDIA, "media-source://camera/camera.garage", f"camera.garage {NO_PICTURE}"),
        (MEDIA, "media-source://image/image.empty", f"image.empty {NO_PICTURE}"),
    ],
)
async def test_pictures_that_cannot_be_had(
    hass: HomeAssistant,
    home_assistant_server: str,
    kind: ImageSourceKind,
    value: str,
    reason: str,
) -> None:
    """A path's failure is a fetch failure, a media item's a media failure; the
    reason names the entity and what is wrong with it."""
    error = await refusal(hass, kind, value)

    if kind is URL:
        assert error.code == "image_fetch_failed"
        assert str(error) == f"Could not fetch image {value}: {reason}"
    else:
        assert error.code == "image_media_failed"
        assert str(error) == f"Could not get media {value}: {reason}"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (URL, "/api/camera_proxy/camera.huge"),
        (MEDIA, "media-source://camera/camera.huge"),
    ],
)
async def test_too_large_pictures_say_so_however_named(
    hass: HomeAssistant,
    home_assistant_server: str,
    kind: ImageSourceKind,
    value: str,
) -> None:
    error = await refusal(hass, kind, value, max_bytes=MIB)

    assert error.code == "image_too_large"
    assert str(error) == f"Image {value} is larger than the 1 MB limit"


# --- media -------------------------------------------------------------------


async def test_local_media_item(
    hass: HomeAssistant, home_assistant_server: str, config_dir: Path
) -> None:
    """A local media item is read from its file."""
    (config_dir / "media" / "snapshots" / "yard.jpg").write_bytes(FRONT_DOOR_JPEG)

    image = await get_one(
        hass, MEDIA, "media-source://media_source/local/snapshots/yard.jpg"
    )

    assert image.data == FRONT_DOOR_JPEG


async def test_camera_media_item_gives_a_still(
    hass: HomeAssistant, home_assistant_server: str
) -> None:
    """A camera's media item is its MJPEG stream; one still is taken instead."""
    image = await get_one(hass, MEDIA, "media-source://camera/camera.front_door")

    assert image.data == FRONT_DOOR_JPEG


@pytest.mark.parametrize(
    ("media_id", "reason"),
    [
        (
            "media-source://media_source/local/snapshots/gone.jpg",
            "the file does not exist",
        ),
        (
            "media-source://media_source/local/snapshots/escape.jpg",
            "the file is outside the allowed folders",
        ),
        (
            "media-source://camera/camera.nowhere",
            "there is no camera camera.nowhere",
        ),
        ("http://example.com/door.jpg", "not a media-source:// content id"),
    ],
    ids=["missing", "symlink-out", "unknown-camera", "not-media"],
)
async def test_media_refusals(
    hass: HomeAssistant,
    home_assistant_server: str,
    config_dir: Path,
    tmp_path: Path,
    media_id: str,
    reason: str,
) -> None:
    """Media that cannot be resolved or read fails with the reason."""
    outside = tmp_path / "private.jpg"
    outside.write_bytes(FRONT_DOOR_JPEG)
    (config_dir / "media" / "snapshots" / "escape.jpg").symlink_to(outside)

    error = await refusal(hass, MEDIA, media_id)

    assert error.code == "image_media_failed"
    assert str(error) == f"Could not get media {media_id}: {reason}"


async def test_media_item_with_a_web_url(
    hass: HomeAssistant,
    home_assistant_server: str,
    image_server: ImageServer,
    media_urls: dict[str, str],
) -> None:
    """An item resolving to an http URL is downloaded; its failures are media's."""
    image_server.add("/door.jpg", FRONT_DOOR_JPEG)
    media_urls["door"] = image_server.url("/door.jpg")
    media_urls["gone"] = image_server.url("/gone.jpg")
    media_urls["stream"] = "rtsp://camera.local/stream"

    image = await get_one(hass, MEDIA, "media-source://test/door")
    assert image.data == FRONT_DOOR_JPEG

    gone = await refusal(hass, MEDIA, "media-source://test/gone")
    assert str(gone) == "Could not get media media-source://test/gone: HTTP 404"

    stream = await refusal(hass, MEDIA, "media-source://test/stream")
    assert str(stream) == (
        "Could not get media media-source://test/stream:"
        " the item resolves to an unsupported URL"
    )


async def test_media_item_resolving_to_a_camera_stream_is_taken_in_process(
    hass: HomeAssistant,
    home_assistant_server: str,
    media_urls: dict[str, str],
    asked_within: AskedWithin,
) -> None:
    """Another media source's item that resolves to a camera's stream gives the
    camera's picture, taken in-process; a missing camera is a media failure."""
    media_urls["door"] = "/api/camera_proxy_stream/camera.front_door"
    media_urls["gone"] = "/api/camera_proxy_stream/camera.nowhere"

    image = await get_one(hass, MEDIA, "media-source://test/door")
    assert image.data == FRONT_DOOR_JPEG
    assert asked_within == [None]

    gone = await refusal(hass, MEDIA, "media-source://test/gone")
    assert str(gone) == (
        "Could not get media media-source://test/gone:"
        " there is no camera camera.nowhere"
    )


async def test_media_content_problems_keep_their_code(
    hass: HomeAssistant,
    home_assistant_server: str,
    image_server: ImageServer,
    media_urls: dict[str, str],
) -> None:
    """Too large or not an image says so, whatever the source."""
    image_server.add("/page", b"<html></html>", content_type="text/html")
    image_server.add("/big.jpg", b"\xff" * (MIB + 1))
    media_urls["page"] = image_server.url("/page")
    media_urls["big"] = image_server.url("/big.jpg")

    page = await refusal(hass, MEDIA, "media-source://test/page")
    assert page.code == "image_not_an_image"

    big = await refusal(hass, MEDIA, "media-source://test/big", max_bytes=MIB)
    assert str(big) == "Image media-source://test/big is larger than the 1 MB limit"


async def test_media_source_not_loaded(hass: HomeAssistant) -> None:
    """Without media_source nothing resolves."""
    error = await refusal(hass, MEDIA, "media-source://media_source/local/a.jpg")

    assert error.code == "image_media_failed"


# --- preparation -------------------------------------------------------------


async def test_jpeg_within_limit_is_sent_unchanged(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """No re-encoding for a JPEG that already fits."""
    picture = two_colour_jpeg(1280, 720)
    (config_dir / "www" / "fits.jpg").write_bytes(picture)

    image = await get_one(hass, URL, "www/fits.jpg")

    assert image.data == picture
    assert decode(image.data).size == (1280, 720)


async def test_4k_jpeg_is_downscaled_with_reduced_size_decoding(
    hass: HomeAssistant, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 4K frame becomes 1280x720; libjpeg is asked to decode at reduced size."""
    picture = two_colour_jpeg(3840, 2160)
    (config_dir / "www" / "uhd.jpg").write_bytes(picture)
    drafts: list[tuple[Any, ...]] = []
    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, *args: Any) -> Any:
        drafts.append(args)
        return original_draft(self, *args)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)

    image = await get_one(hass, URL, "www/uhd.jpg")

    # The first is the preparation's; the picture hash then reads the result
    # at its own, far smaller size.
    assert drafts[0] == ("RGB", (1280, 720))
    assert decode(image.data).size == (1280, 720)
    result = decode(image.data)
    assert result.size == (1280, 720)
    assert near(result.getpixel((100, 360)), RED)
    assert near(result.getpixel((1180, 360)), BLUE)


async def test_portrait_image_long_edge_is_limited(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """The long edge is the one limited, whichever it is."""
    (config_dir / "www" / "tall.png").write_bytes(make_png(1000, 2000))

    image = await get_one(hass, URL, "www/tall.png", max_edge=500)

    assert decode(image.data).size == (250, 500)
    assert decode(image.data).size == (250, 500)


async def test_max_edge_zero_keeps_the_size(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """max_edge 0: a large JPEG passes unchanged, a large PNG keeps its size."""
    jpeg = make_jpeg(3000, 2000)
    (config_dir / "www" / "big.jpg").write_bytes(jpeg)
    (config_dir / "www" / "big.png").write_bytes(make_png(3000, 2000))

    [as_is, converted] = await async_get_images(
        hass,
        [ImageSource(URL, "www/big.jpg"), ImageSource(URL, "www/big.png")],
        ImageLimits(max_edge=0),
    )

    assert as_is.data == jpeg
    assert decode(converted.data).size == (3000, 2000)
    assert decode(converted.data).size == (3000, 2000)


async def test_png_is_converted_to_jpeg(hass: HomeAssistant, config_dir: Path) -> None:
    """PNG becomes JPEG; transparent areas become white, not black."""
    picture = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    picture.paste((20, 20, 220, 255), (100, 0, 200, 100))
    (config_dir / "www" / "logo.png").write_bytes(encode(picture, "PNG"))

    image = await get_one(hass, URL, "www/logo.png")

    result = decode(image.data)
    assert result.mode == "RGB"
    assert near(result.getpixel((50, 50)), (255, 255, 255))
    assert near(result.getpixel((150, 50)), BLUE)


async def test_exif_orientation_is_applied(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """A JPEG stored sideways (orientation 6) is turned upright and re-encoded."""
    picture = two_colour_jpeg(400, 200, orientation=6)
    (config_dir / "www" / "phone.jpg").write_bytes(picture)

    image = await get_one(hass, URL, "www/phone.jpg")

    assert image.data != picture
    assert decode(image.data).size == (200, 400)
    result = decode(image.data)
    assert near(result.getpixel((100, 50)), RED)  # the left half is now on top
    assert near(result.getpixel((100, 350)), BLUE)


async def test_exif_orientation_is_applied_when_downscaling(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """Rotation and shrinking together."""
    (config_dir / "www" / "phone.jpg").write_bytes(
        two_colour_jpeg(4000, 2000, orientation=8)
    )

    image = await get_one(hass, URL, "www/phone.jpg")

    assert decode(image.data).size == (640, 1280)
    result = decode(image.data)
    # Orientation 8 turns the picture anticlockwise: the left half goes down.
    assert near(result.getpixel((320, 1200)), RED)
    assert near(result.getpixel((320, 80)), BLUE)


async def test_animated_gif_first_frame(hass: HomeAssistant, config_dir: Path) -> None:
    """Of an animation, the first frame is used."""
    frames = [Image.new("RGB", (64, 48), RED), Image.new("RGB", (64, 48), BLUE)]
    (config_dir / "www" / "anim.gif").write_bytes(
        encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    )

    image = await get_one(hass, URL, "www/anim.gif")

    assert decode(image.data).size == (64, 48)
    assert near(decode(image.data).getpixel((32, 24)), RED)


async def test_cmyk_jpeg_is_re_encoded_as_rgb(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """Not every decoder takes CMYK, so even a fitting CMYK JPEG is re-encoded."""
    picture = encode(Image.new("CMYK", (100, 100), (0, 255, 255, 0)), "JPEG")
    (config_dir / "www" / "print.jpg").write_bytes(picture)

    image = await get_one(hass, URL, "www/print.jpg")

    assert image.data != picture
    assert decode(image.data).mode == "RGB"


async def test_preparation_runs_in_the_executor(
    hass: HomeAssistant, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow work never runs on the event loop."""
    (config_dir / "www" / "door.png").write_bytes(make_png(50, 50))
    threads: list[int] = []

    def spy(data: bytes, max_edge: int) -> tuple[bytes, int]:
        threads.append(threading.get_ident())
        return picture_hash.prepare_and_hash(data, max_edge)

    monkeypatch.setattr(still, "prepare_and_hash", spy)

    await get_one(hass, URL, "www/door.png")

    assert threads
    assert threading.get_ident() not in threads
