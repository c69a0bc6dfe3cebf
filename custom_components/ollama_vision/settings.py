"""A setup's settings, read once from its config entry's data and options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
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
from .ollama.redact import redact_credentials
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


# Addresses in one field are separated by line breaks or commas.
_ADDRESS_SEPARATORS = re.compile(r"[\n,]")


def split_addresses(value: str) -> list[str]:
    """The addresses written in one server field, in order, blanks dropped."""
    return [part.strip() for part in _ADDRESS_SEPARATORS.split(value) if part.strip()]


# API keys in one field are separated by commas: the field is a one-line
# password box (the frontend shows a multi-line box in clear text).
_KEY_SEPARATOR = ","


def split_api_keys(value: str | None, count: int) -> list[str | None]:
    """Each of `count` addresses' API key, in the addresses' order.

    One key serves every address; otherwise one key per address, an empty
    one meaning none. Raises ValueError when the count fits neither.
    """
    if not value or not value.strip():
        return [None] * count
    keys = [part.strip() or None for part in value.split(_KEY_SEPARATOR)]
    if len(keys) == 1:
        return keys * count
    if len(keys) != count:
        raise ValueError(f"{len(keys)} API keys for {count} addresses")
    return keys


def role_servers(
    data: Mapping[str, Any], *, text: bool
) -> list[tuple[str, str | None]]:
    """Each address of the vision or the text role with its own API key.

    Raises ValueError when the number of keys fits the addresses' neither.
    """
    return _with_keys(*server_address(data, text=text))


def _with_keys(urls: str, keys: str | None) -> list[tuple[str, str | None]]:
    addresses = split_addresses(urls)
    return list(zip(addresses, split_api_keys(keys, len(addresses)), strict=True))


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
class ModelTarget:
    """A model on one or more servers, and how long they should keep it loaded.

    `url` is the stored field: one address, or several, one per line;
    `api_key` the key field: one key for all, or one per address (see
    `split_api_keys`).
    """

    url: str
    model: str
    api_key: str | None
    keep_alive: int

    @property
    def urls(self) -> tuple[str, ...]:
        """Each server's address."""
        return tuple(split_addresses(self.url))

    @property
    def servers(self) -> tuple[tuple[str, str | None], ...]:
        """Each server's address and API key."""
        return tuple(_with_keys(self.url, self.api_key))

    @property
    def label(self) -> str:
        """`model @ server`, as the original's info sensors showed it."""
        servers = ", ".join(
            redact_credentials(url).split("://", 1)[-1] for url in self.urls
        )
        return f"{self.model} @ {servers}"


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
