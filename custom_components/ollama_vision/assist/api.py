"""The LLM API "Ollama Vision": the tools and the prompt a conversation agent gets.

Registered once for the whole of Home Assistant (not per setup), so every
conversation agent that takes LLM APIs (core's Ollama, OpenAI, ...) offers it in
its options beside Assist's own. Each conversation turn asks for a new instance,
whose prompt tells the model what the tools are for, the current time, the
image names of the timelines it may read and the cameras it may look at.
"""

from typing import Final, override

from homeassistant.components.homeassistant.exposed_entities import (
    async_should_expose,
)
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, llm
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..entity import image_sensor_entries
from ..sources.source import IMAGE_DOMAINS
from .access import async_readable_setups
from .history import NAME as SEARCH, SearchCameraHistoryTool
from .look import ASSISTANT, NAME as LOOK, LookAtCameraTool

API_ID: Final = DOMAIN
API_NAME: Final = "Ollama Vision"
# A prompt lists this many image names and cameras at most.
MAX_LISTED: Final = 50

_PURPOSE: Final = (
    "Ollama Vision describes what the home's cameras see with a local vision "
    "model. Each analysis goes on a timeline with its time, its image name (the "
    "camera or place it is about) and the description.\n"
    f"- For what happened or when something was seen (when did the postman come, "
    f"was anyone in the garden last night), call {SEARCH}. Descriptions are a "
    "model's words: search for one plain word, or for none and read the entries.\n"
    f"- For what a camera shows now (is the garage door open, is the car in the "
    f"driveway), call {LOOK} with the camera and the question.\n"
    "Answer from what the tools return; if they found nothing, say so."
)


class OllamaVisionAPI(llm.API):
    """Search the timelines; look at an exposed camera now."""

    def __init__(self, hass: HomeAssistant) -> None:
        """The one API of the integration."""
        super().__init__(hass=hass, id=API_ID, name=API_NAME)

    @override
    async def async_get_api_instance(
        self, llm_context: llm.LLMContext
    ) -> llm.APIInstance:
        """The tools, with a prompt for this conversation."""
        return llm.APIInstance(
            api=self,
            api_prompt=await async_api_prompt(self.hass, llm_context),
            llm_context=llm_context,
            tools=[SearchCameraHistoryTool(), LookAtCameraTool()],
        )


async def async_api_prompt(hass: HomeAssistant, llm_context: llm.LLMContext) -> str:
    """What the tools are for, and which image names and cameras there are."""
    now = dt_util.now()
    registry = er.async_get(hass)
    names = sorted(
        {
            name
            for setup in await async_readable_setups(hass, llm_context)
            for name in image_sensor_entries(registry, setup.entry_id)
        }
    )
    cameras = [
        f"{state.entity_id} ({state.name})"
        for state in sorted(
            hass.states.async_all(IMAGE_DOMAINS), key=lambda state: state.entity_id
        )
        if async_should_expose(hass, ASSISTANT, state.entity_id)
    ]
    lines = [
        _PURPOSE,
        f"It is now {now.isoformat(timespec='minutes')} ({hass.config.time_zone}); "
        "give the tools local times.",
        "Image names on the timeline: "
        + (_listing(names) if names else "none yet (nothing analysed)."),
        f"Cameras {LOOK} may use: "
        + (
            _listing(cameras)
            if cameras
            else "none. Tell the user to expose a camera to Assist first."
        ),
    ]
    return "\n".join(lines)


def _listing(items: list[str]) -> str:
    """Items joined by commas, the first MAX_LISTED of them."""
    shown = ", ".join(items[:MAX_LISTED])
    rest = len(items) - MAX_LISTED
    return f"{shown} and {rest} more." if rest > 0 else f"{shown}."


@callback
def async_setup_assist_api(hass: HomeAssistant) -> None:
    """Register the API (once, from the integration's `async_setup`) until
    Home Assistant stops."""
    unregister = llm.async_register_api(hass, OllamaVisionAPI(hass))

    @callback
    def stop(_event: Event) -> None:
        unregister()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stop)
