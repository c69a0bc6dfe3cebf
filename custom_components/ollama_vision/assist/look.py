"""The tool `look_at_camera`: a question about what a camera shows now.

The picture is taken and analysed through a setup's queue like any analysis
(its limits, time limits, retries and failover apply), but the answer goes to
the conversation only, as an AI Task's does: no sensor, event or timeline
entry. A question asked in passing is not something the cameras saw happen.

Which setup looks: an LLM API has no options, and a conversation cannot pick
a setup by name. So it is the first loaded setup (in the order they were
added) whose vision model answers; when none answers, the first loaded one,
whose error then tells why. With one setup, that one.
"""

from typing import Any, Final, override

import probatio as vol

from homeassistant.components.homeassistant.exposed_entities import (
    async_should_expose,
)
from homeassistant.core import HomeAssistant, split_entity_id
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import DOMAIN
from ..pipeline.job import AnalysisRequest
from ..pipeline.queue import async_wait_for_job
from ..runtime import OllamaVisionConfigEntry
from ..sources.check import async_check_sources
from ..sources.source import IMAGE_DOMAINS, ImageError, ImageSource, ImageSourceKind
from .access import CheckedTool, failure, refusal

NAME: Final = "look_at_camera"
# The assistant that exposure settings are kept for: Assist.
ASSISTANT: Final = "conversation"


class LookAtCameraTool(CheckedTool):
    """Takes a camera's picture now and asks the vision model a question about it."""

    name = NAME
    title = "Look at a camera"
    description = (
        "Take a picture with a camera now and ask the vision model a question "
        "about it, such as whether the garage door is open. Takes a few seconds. "
        "Only the cameras the prompt lists can be used."
    )
    parameters = vol.Schema(
        {
            vol.Required(
                "entity_id",
                description="The entity ID of the camera or image to look at "
                "(camera.garage).",
            ): str,
            vol.Required(
                "question",
                description="What to ask about the picture, as a full question.",
            ): str,
        }
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=False, open_world=True
    )

    @override
    async def async_answer(
        self,
        hass: HomeAssistant,
        arguments: dict[str, Any],
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """The vision model's answer, or why there is none."""
        entity_id = arguments["entity_id"].strip().lower()
        question = arguments["question"].strip()
        if hass.states.get(entity_id) is None:
            return refusal("assist_unknown_entity", {"entity_id": entity_id})
        if split_entity_id(entity_id)[0] not in IMAGE_DOMAINS:
            return refusal("assist_not_a_camera", {"entity_id": entity_id})
        if not async_should_expose(hass, ASSISTANT, entity_id):
            return refusal("assist_not_exposed", {"entity_id": entity_id})
        if not question:
            return refusal("assist_no_question")
        if (setup := looking_setup(hass)) is None:
            return refusal("no_setup_loaded")
        source = ImageSource(ImageSourceKind.ENTITY, entity_id)
        try:
            await async_check_sources(hass, (source,))
        except ImageError as err:
            return failure(err)
        request = AnalysisRequest(
            image_name=entity_id,
            sources=(source,),
            image_url=None,
            prompt=question,
            use_text_model=False,
            text_prompt=None,
            task_id=ulid_now(),
        )
        try:
            future = setup.runtime_data.queue.async_submit(request)
            result = await async_wait_for_job(future)
        except HomeAssistantError as err:
            return failure(err)
        return llm.ToolResult(
            data={
                "entity_id": entity_id,
                "answer": result.final_description,
                "time": dt_util.as_local(result.analyzed_at).isoformat(
                    timespec="seconds"
                ),
            }
        )


def looking_setup(hass: HomeAssistant) -> OllamaVisionConfigEntry | None:
    """The setup whose vision model looks: the first loaded one that answers."""
    loaded: list[OllamaVisionConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    reachable = [
        setup for setup in loaded if setup.runtime_data.servers.status.vision_reachable
    ]
    return next(iter(reachable or loaded), None)
