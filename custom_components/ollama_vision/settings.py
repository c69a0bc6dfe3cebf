"""A setup's settings: the option table, and what a setup reads from its entry.

Every option is one row of OPTIONS: its stored key, default, limits and unit,
and where the options form shows it. The form (flow/fields.py), the models
step of the config flow (the keep-alives) and EntrySettings all read the rows;
adding an option is one row plus its strings in translations/ (the label under
`options.step.init.sections.<section>.data.<key>`, and `options.error.<key>_range`
for a number). Options are stored flat (`entry.options["concurrency"]`) under
keys that never change, so existing setups keep their values.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME

from .const import (
    CONF_TEXT_API_KEY,
    CONF_TEXT_HOST,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DEFAULT_TEXT_MODEL,
    DEFAULT_VISION_MODEL,
)
from .media.picture_hash import ALIKE_DISTANCE
from .ollama.target import ModelTarget, with_keys
from .sources.source import ImageLimits
from .sources.video import VideoLimits

MEGABYTE: Final = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One option: its key in `entry.options` and its section on the form."""

    key: str
    section: str
    text_model: bool = False
    """Only for a setup with a text model (the form hides it otherwise)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TextOption(Option):
    """A text (the prompts), typed in a box of several lines.

    Only a text of the user's own is stored. The default is built in, not
    stored: it is what the form shows until the user writes something else,
    and the setup adds to it what the user's words never get (the request to
    answer in Home Assistant's language, see pipeline/prompts.py).
    """

    default: str

    def own_text(self, value: object) -> str | None:
        """The user's own text, or None for an empty box or the default's words."""
        if not isinstance(value, str) or value.strip() in ("", self.default.strip()):
            return None
        return value

    def read(self, options: Mapping[str, Any]) -> str | None:
        """The user's own text, or None: the built-in default applies."""
        return self.own_text(options.get(self.key))


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchOption(Option):
    """On or off."""

    default: bool

    def read(self, options: Mapping[str, Any]) -> bool:
        """The stored choice, or the default."""
        return bool(options.get(self.key, self.default))


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberOption(Option):
    """A whole number from `minimum` to `maximum`, in `unit`.

    The form refuses anything else with its own message, `<key>_range`. A
    stored number is read as it is (an entry made in code may hold 0.3 s); the
    setup clamps only what would stop it working, such as no worker at all.
    """

    default: int
    minimum: int
    maximum: int
    unit: str | None = None

    @property
    def range_error(self) -> str:
        """The error key for a number outside the range."""
        return f"{self.key}_range"

    def fits(self, value: float) -> bool:
        """Whether a number from the form is whole and inside the range."""
        return float(value).is_integer() and self.minimum <= value <= self.maximum

    def stored(self, value: float) -> int:
        """A number from the form as it is stored: the number box answers floats."""
        return int(value)

    def read(self, options: Mapping[str, Any]) -> float:
        """The stored number, or the default."""
        return float(options.get(self.key, self.default))


DEFAULT_PROMPT: Final = TextOption(
    key="default_prompt",
    section="prompts",
    default=(
        "Describe what this camera image shows in two or three sentences. Mention "
        "any people (how many, roughly how old, what they wear, what they seem to "
        "be doing), vehicles, animals and parcels. Do not guess at anything you "
        "cannot see."
    ),
)
DEFAULT_TEXT_PROMPT: Final = TextOption(
    key="default_text_prompt",
    section="prompts",
    text_model=True,
    default=(
        "Here is what a security camera saw: <description>{description}</description>. "
        "Write a short, cheeky one-sentence introduction of this visitor, as a doorbell "
        "would announce them. Reply with the introduction only."
    ),
)
# Seconds a server keeps a model loaded after a request; -1 keeps it loaded.
# The first setup form asks for these too (the models step).
VISION_KEEPALIVE: Final = NumberOption(
    key="vision_keepalive",
    section="keep_alive",
    default=-1,
    minimum=-1,
    maximum=604800,
    unit="s",
)
TEXT_KEEPALIVE: Final = NumberOption(
    key="text_keepalive",
    section="keep_alive",
    text_model=True,
    default=-1,
    minimum=-1,
    maximum=604800,
    unit="s",
)
# Load the models on each server at setup and when a server comes back. Off:
# loading takes memory on every server at each start, spare boxes included.
WARM_UP: Final = SwitchOption(key="warm_up", section="keep_alive", default=False)
# Cold model loads take minutes on small machines: the defaults allow for that.
FETCH_TIMEOUT: Final = NumberOption(
    key="fetch_timeout",
    section="time_limits",
    default=30,
    minimum=1,
    maximum=600,
    unit="s",
)
VISION_TIMEOUT: Final = NumberOption(
    key="vision_timeout",
    section="time_limits",
    default=300,
    minimum=5,
    maximum=3600,
    unit="s",
)
TEXT_TIMEOUT: Final = NumberOption(
    key="text_timeout",
    section="time_limits",
    text_model=True,
    default=180,
    minimum=5,
    maximum=3600,
    unit="s",
)
# Analyses at a time on each server.
CONCURRENCY: Final = NumberOption(
    key="concurrency", section="queue", default=1, minimum=1, maximum=16
)
QUEUE_SIZE: Final = NumberOption(
    key="queue_size", section="queue", default=50, minimum=1, maximum=1000
)
# The long side pictures are scaled down to; 0 sends them as they are.
MAX_IMAGE_EDGE: Final = NumberOption(
    key="max_image_edge",
    section="images",
    default=1280,
    minimum=0,
    maximum=8192,
    unit="px",
)
MAX_IMAGE_MB: Final = NumberOption(
    key="max_image_mb",
    section="images",
    default=20,
    minimum=1,
    maximum=200,
    unit="MB",
)
# Answer a still picture that has not changed since the model last saw its image
# name with that analysis, without asking the model (a call's field overrides).
SKIP_UNCHANGED: Final = SwitchOption(
    key="skip_unchanged", section="images", default=False
)
# How many of the picture hash's 256 bits may differ for "unchanged".
UNCHANGED_THRESHOLD: Final = NumberOption(
    key="unchanged_threshold",
    section="images",
    default=ALIKE_DISTANCE,
    minimum=0,
    maximum=64,
)
MAX_VIDEO_MB: Final = NumberOption(
    key="max_video_mb",
    section="videos",
    default=100,
    minimum=1,
    maximum=2000,
    unit="MB",
)
MAX_CLIP_SECONDS: Final = NumberOption(
    key="max_clip_seconds",
    section="videos",
    default=120,
    minimum=1,
    maximum=3600,
    unit="s",
)
# 0 keeps every analysis.
TIMELINE_RETENTION_DAYS: Final = NumberOption(
    key="timeline_retention_days",
    section="timeline",
    default=7,
    minimum=0,
    maximum=3650,
    unit="d",
)
TIMELINE_SNAPSHOTS: Final = SwitchOption(
    key="timeline_snapshots", section="timeline", default=True
)
# 0 sets no limit.
TIMELINE_MAX_SNAPSHOT_MB: Final = NumberOption(
    key="timeline_max_snapshot_mb",
    section="timeline",
    default=500,
    minimum=0,
    maximum=100000,
    unit="MB",
)
# Days without an analysis after which an image sensor is removed; 0: never.
REMOVE_IMAGE_SENSORS_AFTER_DAYS: Final = NumberOption(
    key="remove_image_sensors_after_days",
    section="image_sensors",
    default=0,
    minimum=0,
    maximum=3650,
    unit="d",
)

type AnyOption = TextOption | SwitchOption | NumberOption

# Every option, in the form's order (its sections come in the order this first
# names them).
OPTIONS: Final[tuple[AnyOption, ...]] = (
    DEFAULT_PROMPT,
    DEFAULT_TEXT_PROMPT,
    VISION_KEEPALIVE,
    TEXT_KEEPALIVE,
    WARM_UP,
    FETCH_TIMEOUT,
    VISION_TIMEOUT,
    TEXT_TIMEOUT,
    CONCURRENCY,
    QUEUE_SIZE,
    MAX_IMAGE_EDGE,
    MAX_IMAGE_MB,
    SKIP_UNCHANGED,
    UNCHANGED_THRESHOLD,
    MAX_VIDEO_MB,
    MAX_CLIP_SECONDS,
    TIMELINE_RETENTION_DAYS,
    TIMELINE_SNAPSHOTS,
    TIMELINE_MAX_SNAPSHOT_MB,
    REMOVE_IMAGE_SENSORS_AFTER_DAYS,
)
# The texts (the prompts), by key: only the user's own are stored.
TEXT_OPTIONS: Final[Mapping[str, TextOption]] = {
    option.key: option for option in OPTIONS if isinstance(option, TextOption)
}
# What a new setup stores (the first setup form sets the keep-alives); no
# prompt, as the defaults of texts are built in (see TextOption).
DEFAULT_OPTIONS: Final[Mapping[str, Any]] = {
    option.key: option.default for option in OPTIONS if option.key not in TEXT_OPTIONS
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
    # The setup's own default prompts; None: the built-in ones, which ask for
    # answers in Home Assistant's language (pipeline/prompts.py).
    default_prompt: str | None
    default_text_prompt: str | None
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
    warm_up: bool = WARM_UP.default
    # Whether calls skip unchanged pictures unless they say, and what counts.
    skip_unchanged: bool = SKIP_UNCHANGED.default
    unchanged_threshold: int = UNCHANGED_THRESHOLD.default

    @classmethod
    def from_entry(cls, entry: ConfigEntry[Any]) -> EntrySettings:
        """Read data and options; options fall back to the defaults."""
        data, options = entry.data, entry.options
        vision_url, vision_key = server_address(data, text=False)
        vision = ModelTarget(
            url=vision_url,
            model=data.get(CONF_VISION_MODEL, DEFAULT_VISION_MODEL),
            api_key=vision_key,
            keep_alive=int(VISION_KEEPALIVE.read(options)),
        )
        text = None
        if data.get(CONF_TEXT_MODEL_ENABLED):
            text_url, text_key = server_address(data, text=True)
            text = ModelTarget(
                url=text_url,
                model=data.get(CONF_TEXT_MODEL, DEFAULT_TEXT_MODEL),
                api_key=text_key,
                keep_alive=int(TEXT_KEEPALIVE.read(options)),
            )
        fetch_timeout = FETCH_TIMEOUT.read(options)
        return cls(
            name=data.get(CONF_NAME, entry.title),
            vision=vision,
            text=text,
            default_prompt=DEFAULT_PROMPT.read(options),
            default_text_prompt=DEFAULT_TEXT_PROMPT.read(options),
            fetch_timeout=fetch_timeout,
            vision_timeout=VISION_TIMEOUT.read(options),
            text_timeout=TEXT_TIMEOUT.read(options),
            concurrency=max(1, int(CONCURRENCY.read(options))),
            queue_size=max(1, int(QUEUE_SIZE.read(options))),
            image_limits=ImageLimits(
                max_bytes=int(MAX_IMAGE_MB.read(options) * MEGABYTE),
                max_edge=int(MAX_IMAGE_EDGE.read(options)),
                timeout=fetch_timeout,
            ),
            video_limits=VideoLimits(
                max_bytes=int(MAX_VIDEO_MB.read(options) * MEGABYTE),
                max_seconds=MAX_CLIP_SECONDS.read(options),
            ),
            warm_up=WARM_UP.read(options),
            skip_unchanged=SKIP_UNCHANGED.read(options),
            unchanged_threshold=int(UNCHANGED_THRESHOLD.read(options)),
            timeline=TimelineSettings(
                retention_days=max(0, int(TIMELINE_RETENTION_DAYS.read(options))),
                snapshots=TIMELINE_SNAPSHOTS.read(options),
                max_snapshot_bytes=max(
                    0, int(TIMELINE_MAX_SNAPSHOT_MB.read(options) * MEGABYTE)
                ),
            ),
            remove_image_sensors_after=int(
                REMOVE_IMAGE_SENSORS_AFTER_DAYS.read(options)
            ),
        )
