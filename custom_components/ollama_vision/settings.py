"""A setup's settings, read once from its config entry's data and options."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME

from .const import (
    CONF_CONCURRENCY,
    CONF_DEFAULT_PROMPT,
    CONF_DEFAULT_TEXT_PROMPT,
    CONF_FETCH_TIMEOUT,
    CONF_MAX_CLIP_SECONDS,
    CONF_MAX_IMAGE_BYTES,
    CONF_MAX_IMAGE_EDGE,
    CONF_MAX_VIDEO_BYTES,
    CONF_QUEUE_SIZE,
    CONF_REMOVE_IMAGE_SENSORS_AFTER,
    CONF_TEXT_API_KEY,
    CONF_TEXT_HOST,
    CONF_TEXT_KEEPALIVE,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_TEXT_TIMEOUT,
    CONF_TIMELINE_MAX_SNAPSHOT_MB,
    CONF_TIMELINE_RETENTION_DAYS,
    CONF_TIMELINE_SNAPSHOTS,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
    CONF_VISION_KEEPALIVE,
    CONF_VISION_MODEL,
    CONF_VISION_TIMEOUT,
    CONF_WARM_UP,
    DEFAULT_CONCURRENCY,
    DEFAULT_FETCH_TIMEOUT,
    DEFAULT_KEEPALIVE,
    DEFAULT_MAX_CLIP_SECONDS,
    DEFAULT_MAX_IMAGE_EDGE,
    DEFAULT_MAX_IMAGE_MB,
    DEFAULT_MAX_VIDEO_MB,
    DEFAULT_PROMPT,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_REMOVE_IMAGE_SENSORS_AFTER,
    DEFAULT_TEXT_MODEL,
    DEFAULT_TEXT_PROMPT,
    DEFAULT_TEXT_TIMEOUT,
    DEFAULT_TIMELINE_MAX_SNAPSHOT_MB,
    DEFAULT_TIMELINE_RETENTION_DAYS,
    DEFAULT_TIMELINE_SNAPSHOTS,
    DEFAULT_VISION_MODEL,
    DEFAULT_VISION_TIMEOUT,
    DEFAULT_WARM_UP,
)
from .ollama.target import ModelTarget, with_keys
from .sources.source import ImageLimits
from .sources.video import VideoLimits

DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_VISION_KEEPALIVE: DEFAULT_KEEPALIVE,
    CONF_TEXT_KEEPALIVE: DEFAULT_KEEPALIVE,
    CONF_DEFAULT_PROMPT: DEFAULT_PROMPT,
    CONF_DEFAULT_TEXT_PROMPT: DEFAULT_TEXT_PROMPT,
    CONF_FETCH_TIMEOUT: DEFAULT_FETCH_TIMEOUT,
    CONF_VISION_TIMEOUT: DEFAULT_VISION_TIMEOUT,
    CONF_TEXT_TIMEOUT: DEFAULT_TEXT_TIMEOUT,
    CONF_CONCURRENCY: DEFAULT_CONCURRENCY,
    CONF_QUEUE_SIZE: DEFAULT_QUEUE_SIZE,
    CONF_MAX_IMAGE_EDGE: DEFAULT_MAX_IMAGE_EDGE,
    CONF_MAX_IMAGE_BYTES: DEFAULT_MAX_IMAGE_MB,
    CONF_MAX_VIDEO_BYTES: DEFAULT_MAX_VIDEO_MB,
    CONF_MAX_CLIP_SECONDS: DEFAULT_MAX_CLIP_SECONDS,
    CONF_WARM_UP: DEFAULT_WARM_UP,
    CONF_TIMELINE_RETENTION_DAYS: DEFAULT_TIMELINE_RETENTION_DAYS,
    CONF_TIMELINE_SNAPSHOTS: DEFAULT_TIMELINE_SNAPSHOTS,
    CONF_TIMELINE_MAX_SNAPSHOT_MB: DEFAULT_TIMELINE_MAX_SNAPSHOT_MB,
    CONF_REMOVE_IMAGE_SENSORS_AFTER: DEFAULT_REMOVE_IMAGE_SENSORS_AFTER,
}


def role_servers(
    data: Mapping[str, Any], *, text: bool
) -> list[tuple[str, str | None]]:
    """Each address of the vision or the text role with its own API key.

    Raises ValueError when the number of keys fits the addresses' neither.
    """
    return with_keys(*server_address(data, text=text))


def server_address(data: Mapping[str, Any], *, text: bool) -> tuple[str, str | None]:
    """The address and API key fields of the vision or the text model's servers.

    The text model runs on the vision server unless another is given, and on the
    same server the vision server's key serves both when no text key is given.
    """
    vision_url: str = data[CONF_VISION_HOST]
    vision_key = data.get(CONF_VISION_API_KEY) or None
    if not text:
        return vision_url, vision_key
    url: str = data.get(CONF_TEXT_HOST) or vision_url
    key = data.get(CONF_TEXT_API_KEY) or (vision_key if url == vision_url else None)
    return url, key


@dataclass(frozen=True, slots=True)
class TimelineSettings:
    """How long the timeline keeps analyses, and whether and how many pictures."""

    retention_days: int  # 0 keeps everything
    snapshots: bool
    max_snapshot_bytes: int  # 0 sets no limit


@dataclass(frozen=True, slots=True)
class EntrySettings:
    """Everything a setup needs to run, with defaults filled in."""

    name: str
    vision: ModelTarget
    text: ModelTarget | None
    default_prompt: str
    default_text_prompt: str
    fetch_timeout: float
    vision_timeout: float
    text_timeout: float
    # Analyses at a time on each server.
    concurrency: int
    queue_size: int
    image_limits: ImageLimits
    video_limits: VideoLimits
    timeline: TimelineSettings
    remove_image_sensors_after: int
    """Days without an analysis after which image sensors go; 0: never."""
    # Load the models on each server at setup and when a server comes back.
    warm_up: bool = DEFAULT_WARM_UP

    @classmethod
    def from_entry(cls, entry: ConfigEntry[Any]) -> EntrySettings:
        """Read data and options; options fall back to the defaults."""
        data = entry.data
        options = {**DEFAULT_OPTIONS, **entry.options}
        vision_url, vision_key = server_address(data, text=False)
        vision = ModelTarget(
            url=vision_url,
            model=data.get(CONF_VISION_MODEL, DEFAULT_VISION_MODEL),
            api_key=vision_key,
            keep_alive=int(options[CONF_VISION_KEEPALIVE]),
        )
        text = None
        if data.get(CONF_TEXT_MODEL_ENABLED):
            text_url, text_key = server_address(data, text=True)
            text = ModelTarget(
                url=text_url,
                model=data.get(CONF_TEXT_MODEL, DEFAULT_TEXT_MODEL),
                api_key=text_key,
                keep_alive=int(options[CONF_TEXT_KEEPALIVE]),
            )
        return cls(
            name=data.get(CONF_NAME, entry.title),
            vision=vision,
            text=text,
            default_prompt=options[CONF_DEFAULT_PROMPT],
            default_text_prompt=options[CONF_DEFAULT_TEXT_PROMPT],
            fetch_timeout=float(options[CONF_FETCH_TIMEOUT]),
            vision_timeout=float(options[CONF_VISION_TIMEOUT]),
            text_timeout=float(options[CONF_TEXT_TIMEOUT]),
            concurrency=max(1, int(options[CONF_CONCURRENCY])),
            queue_size=max(1, int(options[CONF_QUEUE_SIZE])),
            image_limits=ImageLimits(
                max_bytes=int(float(options[CONF_MAX_IMAGE_BYTES]) * 1024 * 1024),
                max_edge=int(options[CONF_MAX_IMAGE_EDGE]),
                timeout=float(options[CONF_FETCH_TIMEOUT]),
            ),
            video_limits=VideoLimits(
                max_bytes=int(float(options[CONF_MAX_VIDEO_BYTES]) * 1024 * 1024),
                max_seconds=float(options[CONF_MAX_CLIP_SECONDS]),
            ),
            warm_up=bool(options[CONF_WARM_UP]),
            timeline=TimelineSettings(
                retention_days=max(0, int(options[CONF_TIMELINE_RETENTION_DAYS])),
                snapshots=bool(options[CONF_TIMELINE_SNAPSHOTS]),
                max_snapshot_bytes=max(
                    0, int(float(options[CONF_TIMELINE_MAX_SNAPSHOT_MB]) * 1024 * 1024)
                ),
            ),
            remove_image_sensors_after=int(options[CONF_REMOVE_IMAGE_SENSORS_AFTER]),
        )
