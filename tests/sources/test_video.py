"""Videos through the action: clips over HTTP, files, media, Frigate events through
Home Assistant's own server, and a camera watched for a few seconds."""

from collections.abc import Awaitable, Callable, Iterator
import io
import json
from pathlib import Path
import re
from typing import Any, override

from aiohttp import web
from PIL import Image, ImageStat
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_capture_events,
    async_fire_mqtt_message,
    async_mock_service,
    mock_integration,
    mock_platform,
)

from custom_components.ollama_vision.const import (
    EVENT_IMAGE_ANALYSIS_FAILED,
    EVENT_IMAGE_ANALYZED,
)
from custom_components.ollama_vision.settings import MAX_IMAGE_EDGE
from custom_components.ollama_vision.sources import video, watch as camera_watch
from custom_components.ollama_vision.sources.source import (
    ImageError,
    ImageLimits,
    ImageSource,
    ImageSourceKind,
)
from custom_components.ollama_vision.sources.video import VideoError, VideoLimits
from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.setup import async_setup_component
from tests.clips_factory import crossing, make_clip, make_person_clip
from tests.conftest import analyze
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator
from tests.picture_entities import platform
from tests.sources.http_server import async_setup_http, ephemeral_http_port
from tests.test_readme_examples import readme_automation
from tests.waiting import wait_for

RED = (230, 20, 20)
GREEN = (20, 200, 20)
BLUE = (20, 20, 230)
YELLOW = (240, 240, 20)
RGB_CLIP = make_clip([(RED, 2), (GREEN, 2), (BLUE, 2)])
EVENT_ID = "1700000000.123456-abc123"
SENTENCE = re.compile(r"Image (\d+) is (\d+)x(\d+) pixels, mostly (\w+)\.")


def seen(description: str) -> list[tuple[int, int, str]]:
    """The (width, height, colour) of every picture the emulated model saw."""
    return [
        (int(w), int(h), colour) for _, w, h, colour in SENTENCE.findall(description)
    ]


def colours(description: str) -> list[str]:
    return [colour for _, _, colour in seen(description)]


# --- Home Assistant's server with a Frigate-like proxy and a changing camera ---


class FrigateMedia:
    """What the Frigate-like views serve: clips may appear only after some tries."""

    def __init__(self) -> None:
        self.clips: dict[str, bytes] = {}
        self.snapshots: dict[str, bytes] = {}
        self.missing_for: dict[str, int] = {}  # requests answered 404 first
        self.broken: set[str] = set()  # events whose clip request fails (500)
        self.requests: list[str] = []


class FrigateView(HomeAssistantView):
    """/api/frigate/notifications/<id>/<file>, authenticated like the real proxy's
    clip endpoint behind Home Assistant."""

    url = "/api/frigate/notifications/{event_id}/{file}"
    name = "api:frigate:notification:test"
    requires_auth = True

    def __init__(self, media: FrigateMedia) -> None:
        self.media = media

    async def get(self, request: web.Request, event_id: str, file: str) -> web.Response:
        self.media.requests.append(f"{event_id}/{file}")
        if event_id in self.media.broken:
            return web.Response(status=500)
        if file == "snapshot.jpg" and event_id in self.media.snapshots:
            return web.Response(
                body=self.media.snapshots[event_id], content_type="image/jpeg"
            )
        if file == "clip.mp4" and event_id in self.media.clips:
            if self.media.missing_for.get(event_id, 0) > 0:
                self.media.missing_for[event_id] -= 1
            else:
                return web.Response(
                    body=self.media.clips[event_id], content_type="video/mp4"
                )
        return web.Response(status=404)


class ChangingCamera(Camera):
    """A camera whose picture changes as it is asked: red, then green, then blue."""

    def __init__(self) -> None:
        super().__init__()
        self._attr_name = "Doorbell"
        self.shots = 0

    @override
    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        colour = (RED, GREEN, BLUE)[min(self.shots, 2)]
        self.shots += 1
        return make_jpeg(480, 270, colour=colour)


@pytest.fixture(autouse=True)
def disable_http_server() -> Iterator[None]:
    """Let Home Assistant's HTTP server really listen (the plugin's fixture stops it),
    on a port the system chooses."""
    with ephemeral_http_port():
        yield


@pytest.fixture(autouse=True)
def quick_frigate_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the number of clip tries, not their seconds."""
    monkeypatch.setattr(video, "FRIGATE_CLIP_RETRY_DELAYS", (0.01, 0.01))


@pytest.fixture
def frigate() -> FrigateMedia:
    return FrigateMedia()


@pytest.fixture
def doorbell() -> ChangingCamera:
    return ChangingCamera()


@pytest.fixture
async def home_assistant(
    hass: HomeAssistant,
    socket_enabled: None,
    tmp_path: Path,
    frigate: FrigateMedia,
    doorbell: ChangingCamera,
) -> Path:
    """Home Assistant's HTTP server, a Frigate-like proxy, a camera and local media.

    Returns the config folder.
    """
    config = tmp_path / "config"
    (config / "www" / "clips").mkdir(parents=True)
    (config / "media").mkdir()
    hass.config.config_dir = str(config)
    await async_process_ha_core_config(
        hass, {"media_dirs": {"local": str(config / "media")}}
    )
    await async_setup_http(hass)
    mock_integration(hass, MockModule("test"))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(async_setup_platform=platform(lambda _: [doorbell])),
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    assert await async_setup_component(hass, "media_source", {})
    hass.http.register_view(FrigateView(frigate))
    await hass.async_block_till_done()
    await hass.http.start()
    return config


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Options of the setup; a test parametrizes this to change them."""
    return {}


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    home_assistant: Path,
    load_entry: Callable[..., Awaitable[MockConfigEntry]],
    entry_options: dict[str, Any],
) -> MockConfigEntry:
    """A loaded setup."""
    return await load_entry(**entry_options)


# --- videos that work --------------------------------------------------------


async def test_clip_over_http_gives_one_frame_per_scene(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
) -> None:
    """2 s red, 2 s green, 2 s blue: three frames, one of each, in time order."""
    image_server.add("/door.mp4", RGB_CLIP, content_type="video/mp4")
    url = image_server.url("/door.mp4")
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)

    result = await analyze(hass, response=True, video=url, image_name="door")

    assert seen(result["description"]) == [
        (320, 180, "red"),
        (320, 180, "green"),
        (320, 180, "blue"),
    ]
    [red, green, blue] = result["frames"]
    assert red == {"source": url, "time": 0.0}
    assert green["source"] == blue["source"] == url
    assert 2 <= green["time"] < 4 <= blue["time"] < 6
    assert result["fallbacks"] == []
    assert result["image_sources"] == [url]
    [generate] = ollama_emulator.generate_requests()
    assert generate.images == [(320, 180)] * 3
    await hass.async_block_till_done()
    assert events[0].data["frames"] == result["frames"]
    sensor = hass.states.get("sensor.front_door_door")
    assert sensor is not None
    assert sensor.attributes["frames"] == result["frames"]


@pytest.mark.parametrize(
    ("max_frames", "expected"),
    [
        (1, ["red"]),
        (2, ["red", "green"]),
        (10, ["red"] * 2 + ["green"] * 2 + ["blue"] * 2),
    ],
)
async def test_max_frames(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    max_frames: int,
    expected: list[str],
) -> None:
    """The first frame always; then the most different; never more frames than seen."""
    image_server.add("/door.mp4", RGB_CLIP)

    result = await analyze(
        hass,
        response=True,
        video=image_server.url("/door.mp4"),
        image_name="door",
        max_frames=max_frames,
    )

    assert colours(result["description"]) == expected
    times = [frame["time"] for frame in result["frames"]]
    assert times == sorted(times)


@pytest.mark.parametrize("entry_options", [{MAX_IMAGE_EDGE.key: 320}])
async def test_frames_are_scaled_like_images(
    hass: HomeAssistant, entry: MockConfigEntry, image_server: ImageServer
) -> None:
    """A 1280x720 clip's frames go to the model at the largest image side."""
    clip = make_clip([(RED, 1), (BLUE, 1)], size=(1280, 720))
    image_server.add("/big.mp4", clip)

    result = await analyze(
        hass, response=True, video=image_server.url("/big.mp4"), image_name="door"
    )

    assert seen(result["description"]) == [(320, 180, "red"), (320, 180, "blue")]


async def test_file_and_media_source_videos(
    hass: HomeAssistant, entry: MockConfigEntry, home_assistant: Path
) -> None:
    """A clip in www/ and one in the media folder (by media-source id)."""
    (home_assistant / "www" / "clips" / "door.mp4").write_bytes(make_clip([(GREEN, 1)]))
    (home_assistant / "media" / "yard.mp4").write_bytes(make_clip([(BLUE, 1)]))
    media_id = "media-source://media_source/local/yard.mp4"

    result = await analyze(
        hass,
        response=True,
        video=["www/clips/door.mp4", media_id],
        image_name="door",
    )

    assert colours(result["description"]) == ["green", "blue"]
    assert result["frames"] == [
        {"source": "www/clips/door.mp4", "time": 0.0},
        {"source": media_id, "time": 0.0},
    ]


async def test_sources_keep_the_order_of_the_fields(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    frigate: FrigateMedia,
) -> None:
    """image_url, image_entity, media, video, frigate_event_id: in that order."""
    image_server.add("/still.jpg", make_jpeg(200, 100, colour=YELLOW))
    image_server.add("/door.mp4", make_clip([(GREEN, 1)]))
    frigate.clips[EVENT_ID] = make_clip([(BLUE, 1)])

    result = await analyze(
        hass,
        response=True,
        frigate_event_id=EVENT_ID,
        video=image_server.url("/door.mp4"),
        image_url=image_server.url("/still.jpg"),
        image_name="door",
    )

    assert colours(result["description"]) == ["yellow", "green", "blue"]
    assert [frame["time"] for frame in result["frames"]] == [None, 0.0, 0.0]
    assert [frame["source"] for frame in result["frames"]][2] == EVENT_ID
    # The first clip's key frame, not the still before it.
    assert result["key_frame"] == {"time": 0.0, "index": 1}


# --- the frame choice and the key frame ---------------------------------------


@pytest.mark.parametrize(
    ("frame_selection", "expected"),
    [
        (None, ["red", "green", "blue"]),  # motion: each change
        ("motion", ["red", "green", "blue"]),
        ("even", ["red", "blue", "blue"]),  # the start, the middle, the end
    ],
)
async def test_frame_selection(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    image_server: ImageServer,
    frame_selection: str | None,
    expected: list[str],
) -> None:
    """1 s red, 1 s green, 8 s blue: by motion each colour once; evenly spaced,
    the first, middle and last second."""
    image_server.add("/yard.mp4", make_clip([(RED, 1), (GREEN, 1), (BLUE, 8)]))
    choice = {} if frame_selection is None else {"frame_selection": frame_selection}

    result = await analyze(
        hass,
        response=True,
        video=image_server.url("/yard.mp4"),
        image_name="yard",
        **choice,
    )

    assert colours(result["description"]) == expected
    times = [frame["time"] for frame in result["frames"]]
    assert times[0] == 0.0
    assert times[2] >= 9  # the last blue one: evenly spaced, or furthest in time
    if frame_selection == "even":
        assert 4 <= times[1] <= 5
    else:
        assert 1 <= times[1] < 2


async def test_frame_selection_is_motion_or_even(
    hass: HomeAssistant, entry: MockConfigEntry, image_server: ImageServer
) -> None:
    with pytest.raises(vol.Invalid):
        await analyze(
            hass,
            video=image_server.url("/yard.mp4"),
            image_name="yard",
            frame_selection="random",
        )


def mean_grey(jpeg: bytes) -> float:
    """The mean brightness of a picture (0 black, 255 white)."""
    with Image.open(io.BytesIO(jpeg)) as image:
        return float(ImageStat.Stat(image.convert("L")).mean[0])


async def test_key_frame_is_the_moment_and_the_snapshot(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    home_assistant: Path,
    image_server: ImageServer,
) -> None:
    """A person crosses an empty scene from 3 to 5 s: the key frame is a frame
    with the person, in the answer, the event and the sensor, and the
    timeline's snapshot is that frame, not the empty first one."""
    image_server.add("/porch.mp4", make_person_clip(8, crossing(3, 5)))
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)

    result = await analyze(
        hass, response=True, video=image_server.url("/porch.mp4"), image_name="porch"
    )

    key_frame = result["key_frame"]
    assert key_frame["index"] > 0
    assert key_frame["time"] == result["frames"][key_frame["index"]]["time"]
    assert 3 <= key_frame["time"] < 5
    await hass.async_block_till_done()
    assert events[0].data["key_frame"] == key_frame
    sensor = hass.states.get("sensor.front_door_porch")
    assert sensor is not None
    assert sensor.attributes["key_frame"] == key_frame
    snapshot = (
        home_assistant / "media" / result["snapshot_url"].removeprefix("/media/local/")
    )
    # The empty scene is a flat grey of 150; the person darkens an eighth of it.
    assert mean_grey(snapshot.read_bytes()) < 145


async def test_key_frame_of_a_still_is_itself(
    hass: HomeAssistant, entry: MockConfigEntry, image_server: ImageServer
) -> None:
    image_server.add("/still.jpg", make_jpeg(200, 100, colour=YELLOW))

    result = await analyze(
        hass, response=True, image_url=image_server.url("/still.jpg"), image_name="x"
    )

    assert result["key_frame"] == {"time": None, "index": 0}


# --- Frigate -------------------------------------------------------------------


async def test_frigate_clip_through_home_assistant(
    hass: HomeAssistant, entry: MockConfigEntry, frigate: FrigateMedia
) -> None:
    """The event's clip comes from HA's own (authenticated) proxy path."""
    frigate.clips[EVENT_ID] = RGB_CLIP
    frigate.snapshots[EVENT_ID] = make_jpeg(640, 360, colour=YELLOW)

    result = await analyze(
        hass, response=True, frigate_event_id=EVENT_ID, image_name="driveway"
    )

    assert colours(result["description"]) == ["red", "green", "blue"]
    assert {frame["source"] for frame in result["frames"]} == {EVENT_ID}
    assert result["fallbacks"] == []
    assert frigate.requests == [f"{EVENT_ID}/clip.mp4"]


async def test_frigate_clip_that_appears_late_is_waited_for(
    hass: HomeAssistant, entry: MockConfigEntry, frigate: FrigateMedia
) -> None:
    """404 twice (Frigate still writing), then the clip: three tries in all."""
    frigate.clips[EVENT_ID] = RGB_CLIP
    frigate.missing_for[EVENT_ID] = 2

    result = await analyze(
        hass, response=True, frigate_event_id=EVENT_ID, image_name="driveway"
    )

    assert colours(result["description"]) == ["red", "green", "blue"]
    assert frigate.requests == [f"{EVENT_ID}/clip.mp4"] * 3
    assert result["fallbacks"] == []


@pytest.mark.parametrize("clip", [None, b""], ids=["missing", "empty"])
async def test_frigate_without_clip_falls_back_to_the_snapshot(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    frigate: FrigateMedia,
    clip: bytes | None,
) -> None:
    """No clip after three tries: the snapshot is sent, and the result says so."""
    if clip is not None:
        frigate.clips[EVENT_ID] = clip
    frigate.snapshots[EVENT_ID] = make_jpeg(640, 360, colour=YELLOW)
    events = async_capture_events(hass, EVENT_IMAGE_ANALYZED)

    result = await analyze(
        hass, response=True, frigate_event_id=EVENT_ID, image_name="driveway"
    )

    assert result["description"] == "Image 1 is 640x360 pixels, mostly yellow."
    assert result["frames"] == [{"source": EVENT_ID, "time": None}]
    assert result["fallbacks"] == [{"source": EVENT_ID, "used": "snapshot"}]
    assert frigate.requests == [f"{EVENT_ID}/clip.mp4"] * 3 + [
        f"{EVENT_ID}/snapshot.jpg"
    ]
    await hass.async_block_till_done()
    assert events[0].data["fallbacks"] == result["fallbacks"]


async def test_frigate_event_with_nothing_fails_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    frigate: FrigateMedia,
    ollama_emulator: OllamaEmulator,
) -> None:
    """Neither clip nor snapshot: the snapshot's failure is reported."""
    failed = async_capture_events(hass, EVENT_IMAGE_ANALYSIS_FAILED)

    with pytest.raises(HomeAssistantError) as err:
        await analyze(
            hass, response=True, frigate_event_id=EVENT_ID, image_name="driveway"
        )

    assert err.value.translation_key == "image_fetch_failed"
    assert "snapshot.jpg: HTTP 404" in str(err.value)
    await hass.async_block_till_done()
    assert [event.data["error"] for event in failed] == ["image_fetch_failed"]
    assert ollama_emulator.generate_requests() == []


async def test_frigate_error_other_than_missing_is_not_retried(
    hass: HomeAssistant, entry: MockConfigEntry, frigate: FrigateMedia
) -> None:
    """A broken proxy (500) fails the job at once, with the video's code."""
    frigate.broken.add(EVENT_ID)
    frigate.snapshots[EVENT_ID] = make_jpeg(64, 64)

    with pytest.raises(HomeAssistantError) as err:
        await analyze(
            hass, response=True, frigate_event_id=EVENT_ID, image_name="driveway"
        )

    assert err.value.translation_key == "video_fetch_failed"
    assert str(err.value) == (
        f"Could not fetch video /api/frigate/notifications/{EVENT_ID}/clip.mp4:"
        " HTTP 500"
    )
    assert frigate.requests == [f"{EVENT_ID}/clip.mp4"]


async def test_reading_stops_at_the_time_limit(
    hass: HomeAssistant, home_assistant: Path
) -> None:
    """Decoding in the executor ends by itself when the time limit is spent."""
    (home_assistant / "www" / "clips" / "door.mp4").write_bytes(RGB_CLIP)

    with pytest.raises(VideoError) as err:
        await video.async_get_video_frames(
            hass,
            ImageSource(ImageSourceKind.VIDEO, "www/clips/door.mp4"),
            ImageLimits(timeout=0),
            VideoLimits(),
            3,
        )

    assert err.value.code == "video_fetch_timeout"


async def test_video_file_gone_when_fetched_is_missing(
    hass: HomeAssistant, home_assistant: Path
) -> None:
    """The fetch checks the file again (the action checked it before queueing):
    one deleted meanwhile is reported missing, in the words for any file."""
    with pytest.raises(ImageError) as err:
        await video.async_get_video_frames(
            hass,
            ImageSource(ImageSourceKind.VIDEO, "www/clips/gone.mp4"),
            ImageLimits(),
            VideoLimits(),
            3,
        )

    assert not isinstance(err.value, VideoError)
    assert err.value.code == "image_file_not_found"
    assert err.value.translation_placeholders == {"source": "www/clips/gone.mp4"}


@pytest.mark.parametrize(
    "event_id", ["../../camera_proxy/camera.doorbell", "a/b", ".x"]
)
async def test_frigate_event_id_must_be_an_id(
    hass: HomeAssistant, entry: MockConfigEntry, frigate: FrigateMedia, event_id: str
) -> None:
    """Anything that could leave the event's folder is refused before queueing."""
    with pytest.raises(ServiceValidationError) as err:
        await analyze(hass, frigate_event_id=event_id, image_name="driveway")

    assert err.value.translation_key == "frigate_event_id_invalid"
    assert event_id in str(err.value)
    assert frigate.requests == []


# --- watching a camera -------------------------------------------------------


async def test_camera_watched_for_a_few_seconds(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    doorbell: ChangingCamera,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """duration takes a picture per interval; the changes are what is sent."""
    monkeypatch.setattr(camera_watch, "WATCH_INTERVAL", 0.05)

    result = await analyze(
        hass,
        response=True,
        image_entity="camera.doorbell",
        duration=0.5,
        image_name="doorbell",
    )

    # About one per interval; fewer when the machine is slow.
    assert 3 <= doorbell.shots <= 11
    assert seen(result["description"]) == [
        (480, 270, "red"),
        (480, 270, "green"),
        (480, 270, "blue"),
    ]
    times = [frame["time"] for frame in result["frames"]]
    assert times[0] == 0.0
    assert times == sorted(times)
    assert 0 < times[1] < times[2] <= 1.0
    assert {frame["source"] for frame in result["frames"]} == {"camera.doorbell"}
    # The key frame is the one most unlike the first (in grey, green is
    # further from red than blue is).
    assert result["key_frame"] == {"time": times[1], "index": 1}


async def test_camera_watched_with_frames_evenly_spaced(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    doorbell: ChangingCamera,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Red, green, then blue for the rest of the watch: evenly spaced frames
    are the first and two blue ones."""
    monkeypatch.setattr(camera_watch, "WATCH_INTERVAL", 0.05)

    result = await analyze(
        hass,
        response=True,
        image_entity="camera.doorbell",
        duration=0.5,
        frame_selection="even",
        image_name="doorbell",
    )

    assert doorbell.shots >= 4
    assert colours(result["description"]) == ["red", "blue", "blue"]
    times = [frame["time"] for frame in result["frames"]]
    assert times[0] == 0.0 < times[1] < times[2]


async def test_without_duration_a_camera_gives_one_picture(
    hass: HomeAssistant, entry: MockConfigEntry, doorbell: ChangingCamera
) -> None:
    result = await analyze(
        hass, response=True, image_entity="camera.doorbell", image_name="doorbell"
    )

    assert doorbell.shots == 1
    assert result["frames"] == [{"source": "camera.doorbell", "time": None}]


async def test_duration_needs_an_entity(
    hass: HomeAssistant, entry: MockConfigEntry, image_server: ImageServer
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await analyze(
            hass, image_url=image_server.url("/x.jpg"), duration=5, image_name="x"
        )

    assert err.value.translation_key == "duration_without_entity"


@pytest.mark.parametrize(
    "data",
    [{"duration": 61}, {"max_frames": 0}, {"max_frames": 11}],
)
async def test_field_ranges(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]
) -> None:
    """duration up to 60 s; 1 to 10 frames."""
    with pytest.raises(vol.Invalid):
        await analyze(hass, image_entity="camera.doorbell", image_name="x", **data)


# --- the README's automations, as written --------------------------------------


# The mocked MQTT client's housekeeping timer is not stopped at teardown.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_readme_frigate_clip_automation(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    frigate: FrigateMedia,
    mqtt_mock: Any,
    ollama_emulator: OllamaEmulator,
) -> None:
    """An 'end' message on frigate/events: the event's clip, told to the phone."""
    frigate.clips[EVENT_ID] = RGB_CLIP
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    automation = readme_automation("Describe what happened in the driveway")
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await hass.async_block_till_done()

    for kind in ("new", "end"):  # only the end of the event counts
        message = {"type": kind, "after": {"id": EVENT_ID, "camera": "driveway"}}
        async_fire_mqtt_message(hass, "frigate/events", json.dumps(message))
    await wait_for(lambda: bool(notified), 10)

    # max_frames 4: the three scenes and one more of the first.
    [message] = [call.data["message"] for call in notified]
    assert colours(message) == ["red", "red", "green", "blue"]
    (request,) = ollama_emulator.generate_requests()
    assert request.prompt is not None
    assert request.prompt.startswith("These are frames of one security camera clip")
    assert frigate.requests == [f"{EVENT_ID}/clip.mp4"]


async def test_readme_doorbell_automation(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    doorbell: ChangingCamera,
    ollama_emulator: OllamaEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The button press: 5 s of the doorbell camera, rewritten and spoken."""
    monkeypatch.setattr(camera_watch, "WATCH_INTERVAL", 0.5)
    spoken = async_mock_service(hass, "tts", "speak")
    hass.states.async_set("binary_sensor.doorbell_button", "off")
    automation = readme_automation("Who rang?")
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await hass.async_block_till_done()

    hass.states.async_set("binary_sensor.doorbell_button", "on")
    await wait_for(lambda: bool(spoken), 20)

    [vision, text] = ollama_emulator.generate_requests()
    assert vision.images == [(480, 270)] * 3
    assert doorbell.shots >= 3
    assert text.model == "llama3.1:latest"
    assert spoken[0].data["message"].startswith("Ding dong, a visitor:")
    assert spoken[0].data["media_player_entity_id"] == "media_player.hallway"
