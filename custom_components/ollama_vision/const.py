"""Constants for the Ollama Vision integration."""

from typing import Final

DOMAIN: Final = "ollama_vision"

# Config entry data (set in the config and reconfigure flows).
CONF_VISION_HOST: Final = "vision_host"
CONF_VISION_MODEL: Final = "vision_model"
CONF_VISION_API_KEY: Final = "vision_api_key"
CONF_TEXT_MODEL_ENABLED: Final = "text_model_enabled"
CONF_TEXT_HOST: Final = "text_host"
CONF_TEXT_MODEL: Final = "text_model"
CONF_TEXT_API_KEY: Final = "text_api_key"

# Config entry options (set in the first flow and changed in the options flow).
CONF_VISION_KEEPALIVE: Final = "vision_keepalive"
CONF_TEXT_KEEPALIVE: Final = "text_keepalive"
CONF_DEFAULT_PROMPT: Final = "default_prompt"
CONF_DEFAULT_TEXT_PROMPT: Final = "default_text_prompt"
CONF_FETCH_TIMEOUT: Final = "fetch_timeout"
CONF_VISION_TIMEOUT: Final = "vision_timeout"
CONF_TEXT_TIMEOUT: Final = "text_timeout"
CONF_CONCURRENCY: Final = "concurrency"
CONF_QUEUE_SIZE: Final = "queue_size"
CONF_MAX_IMAGE_EDGE: Final = "max_image_edge"
CONF_MAX_IMAGE_BYTES: Final = "max_image_mb"
CONF_MAX_VIDEO_BYTES: Final = "max_video_mb"
CONF_MAX_CLIP_SECONDS: Final = "max_clip_seconds"
CONF_WARM_UP: Final = "warm_up"
CONF_TIMELINE_RETENTION_DAYS: Final = "timeline_retention_days"
CONF_TIMELINE_SNAPSHOTS: Final = "timeline_snapshots"
CONF_TIMELINE_MAX_SNAPSHOT_MB: Final = "timeline_max_snapshot_mb"
# Days without an analysis after which an image sensor is removed; 0: never.
CONF_REMOVE_IMAGE_SENSORS_AFTER: Final = "remove_image_sensors_after_days"

DEFAULT_VISION_MODEL: Final = "moondream"
DEFAULT_TEXT_MODEL: Final = "llama3.1"
DEFAULT_KEEPALIVE: Final = -1
DEFAULT_PROMPT: Final = (
    "Describe what this camera image shows in two or three sentences. Mention any "
    "people (how many, roughly how old, what they wear, what they seem to be doing), "
    "vehicles, animals and parcels. Do not guess at anything you cannot see."
)
# Where the vision model's words go in a text prompt.
DESCRIPTION_MARKER: Final = "{description}"
# The frontend formats translations as ICU messages, where braces are
# placeholders: strings that mention the marker get it as a placeholder value.
DESCRIPTION_MARKER_PLACEHOLDERS: Final = {"description": DESCRIPTION_MARKER}
DEFAULT_TEXT_PROMPT: Final = (
    "Here is what a security camera saw: <description>{description}</description>. "
    "Write a short, cheeky one-sentence introduction of this visitor, as a doorbell "
    "would announce them. Reply with the introduction only."
)
# Cold model loads take minutes on small machines: the defaults allow for that.
DEFAULT_FETCH_TIMEOUT: Final = 30
DEFAULT_VISION_TIMEOUT: Final = 300
DEFAULT_TEXT_TIMEOUT: Final = 180
DEFAULT_CONCURRENCY: Final = 1
DEFAULT_QUEUE_SIZE: Final = 50
DEFAULT_MAX_IMAGE_EDGE: Final = 1280
DEFAULT_MAX_IMAGE_MB: Final = 20
DEFAULT_MAX_VIDEO_MB: Final = 100
DEFAULT_MAX_CLIP_SECONDS: Final = 120
# Off: loading takes memory on every server at each start, spare boxes included.
DEFAULT_WARM_UP: Final = False
DEFAULT_TIMELINE_RETENTION_DAYS: Final = 7
DEFAULT_TIMELINE_SNAPSHOTS: Final = True
DEFAULT_TIMELINE_MAX_SNAPSHOT_MB: Final = 500
DEFAULT_REMOVE_IMAGE_SENSORS_AFTER: Final = 0

# Action
SERVICE_ANALYZE_IMAGE: Final = "analyze_image"
ATTR_IMAGE_URL: Final = "image_url"
ATTR_IMAGE_ENTITY: Final = "image_entity"
ATTR_MEDIA: Final = "media"
ATTR_IMAGE_NAME: Final = "image_name"
ATTR_PROMPT: Final = "prompt"
ATTR_USE_TEXT_MODEL: Final = "use_text_model"
ATTR_TEXT_PROMPT: Final = "text_prompt"
ATTR_STRUCTURE: Final = "structure"
ATTR_VIDEO: Final = "video"
ATTR_FRIGATE_EVENT_ID: Final = "frigate_event_id"
ATTR_DURATION: Final = "duration"
ATTR_MAX_FRAMES: Final = "max_frames"
DEFAULT_MAX_FRAMES: Final = 3
MAX_FRAMES: Final = 10
MAX_WATCH_SECONDS: Final = 60
SERVICE_CLEAR_TIMELINE: Final = "clear_timeline"
ATTR_BEFORE: Final = "before"
SERVICE_REMOVE_IMAGE_SENSORS: Final = "remove_image_sensors"
ATTR_OLDER_THAN_DAYS: Final = "older_than_days"

# Events
EVENT_IMAGE_ANALYZED: Final = "ollama_vision_image_analyzed"
EVENT_IMAGE_ANALYSIS_FAILED: Final = "ollama_vision_image_analysis_failed"

# Sensor state is limited to 255 characters by Home Assistant.
MAX_STATE_LENGTH: Final = 255
