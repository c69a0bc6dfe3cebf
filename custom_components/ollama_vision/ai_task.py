"""An AI Task entity per setup: ai_task.generate_data answered through its queue."""

from typing import override

from homeassistant.components import ai_task, conversation
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.ulid import ulid_now

from .const import DOMAIN
from .entity import OllamaVisionEntity
from .pipeline.job import AnalysisRequest
from .pipeline.queue import async_wait_for_job
from .runtime import OllamaVisionConfigEntry
from .sources.source import ImageSource, ImageSourceKind

# Tasks wait in the setup's queue, which does the limiting.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the setup's AI Task entity."""
    async_add_entities([OllamaVisionTaskEntity(entry)])


def task_request(task: ai_task.GenDataTask) -> AnalysisRequest:
    """The queue job for a task: its attachments are images to prepare, or
    videos to take key frames from."""
    sources: list[ImageSource] = []
    for attachment in task.attachments or ():
        if attachment.mime_type.startswith("video/"):
            kind = ImageSourceKind.VIDEO
        elif attachment.mime_type.startswith("image/"):
            kind = ImageSourceKind.FILE
        else:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="attachment_not_an_image",
                translation_placeholders={
                    "attachment": attachment.media_content_id,
                    "mime_type": attachment.mime_type,
                },
            )
        sources.append(
            ImageSource(kind, attachment.media_content_id, path=str(attachment.path))
        )
    return AnalysisRequest(
        image_name=task.name,
        sources=tuple(sources),
        image_url=None,
        prompt=task.instructions,
        use_text_model=False,
        text_prompt=None,
        structure=task.structure,
        task_id=ulid_now(),
    )


class OllamaVisionTaskEntity(ai_task.AITaskEntity, OllamaVisionEntity):
    """Generates data with the setup's models: pictures go to the vision model,
    words alone to the text model when the setup has one."""

    _attr_name = None  # the setup's (device's) name
    _attr_translation_key = "ai_task"
    _attr_supported_features = (
        ai_task.AITaskEntityFeature.GENERATE_DATA
        | ai_task.AITaskEntityFeature.SUPPORT_ATTACHMENTS
    )

    def __init__(self, entry: OllamaVisionConfigEntry) -> None:
        """Attach the entity to the setup's device."""
        super().__init__(entry, "ai_task")

    @override
    async def _async_generate_data(
        self,
        task: ai_task.GenDataTask,
        chat_log: conversation.ChatLog,
    ) -> ai_task.GenDataTaskResult:
        """Queue the task like an analysis and wait for its result."""
        future = self._entry.runtime_data.queue.async_submit(task_request(task))
        result = await async_wait_for_job(future)
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(
                agent_id=self.entity_id, content=result.final_description
            )
        )
        return ai_task.GenDataTaskResult(
            conversation_id=chat_log.conversation_id,
            data=result.final_description if task.structure is None else result.data,
        )
