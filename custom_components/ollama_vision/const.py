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
# The models the setup form suggests.
DEFAULT_VISION_MODEL: Final = "moondream"
DEFAULT_TEXT_MODEL: Final = "llama3.1"

# Config entry options: each one's key, default and limits are in settings.py.

# Where the vision model's words go in a text prompt.
DESCRIPTION_MARKER: Final = "{description}"
# The frontend formats translations as ICU messages, where braces are
# placeholders: strings that mention the marker get it as a placeholder value.
DESCRIPTION_MARKER_PLACEHOLDERS: Final = {"description": DESCRIPTION_MARKER}

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
ATTR_SKIP_UNCHANGED: Final = "skip_unchanged"
ATTR_IMPORTANCE: Final = "importance"
ATTR_FRAME_SELECTION: Final = "frame_selection"
# Watching until something happens (see pipeline/watches.py).
ATTR_UNTIL: Final = "until"
ATTR_MAX_DURATION: Final = "max_duration"
ATTR_INTERVAL: Final = "interval"
DEFAULT_WATCH_DURATION: Final = 300
MAX_WATCH_DURATION: Final = 3600
DEFAULT_MAX_FRAMES: Final = 3
MAX_FRAMES: Final = 10
MAX_WATCH_SECONDS: Final = 60
SERVICE_STOP_WATCH: Final = "stop_watch"
SERVICE_CLEAR_TIMELINE: Final = "clear_timeline"
ATTR_BEFORE: Final = "before"
SERVICE_SUMMARIZE_TIMELINE: Final = "summarize_timeline"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_IMAGE_NAMES: Final = "image_names"
SERVICE_REMOVE_IMAGE_SENSORS: Final = "remove_image_sensors"
ATTR_OLDER_THAN_DAYS: Final = "older_than_days"

# Events
EVENT_IMAGE_ANALYZED: Final = "ollama_vision_image_analyzed"
EVENT_IMAGE_ANALYSIS_FAILED: Final = "ollama_vision_image_analysis_failed"
EVENT_CONDITION_MET: Final = "ollama_vision_condition_met"

# Sensor state is limited to 255 characters by Home Assistant.
MAX_STATE_LENGTH: Final = 255
