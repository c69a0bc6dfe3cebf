"""An AI Task entity per setup: ai_task.generate_data (and, from Home Assistant
2026.11, ai_task.evaluate) answered through its queue."""

from collections.abc import Mapping, Sequence
from typing import override

from homeassistant.components import ai_task, conversation
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.json import JsonValueType
from homeassistant.util.ulid import ulid_now

from .const import DOMAIN
from .entity import OllamaVisionEntity
from .pipeline.evaluation import (
    Answer,
    ChoiceNumbers,
    NoulNumbers,
    Question,
    answer_structure,
    evaluation_prompt,
    read_answers,
)
from .pipeline.job import AnalysisRequest
from .pipeline.queue import async_wait_for_job
from .runtime import OllamaVisionConfigEntry
from .sources.source import ImageSource, ImageSourceKind

# ai_task.evaluate came with Home Assistant 2026.11. mypy checks against 2026.10,
# where these names do not exist: there they are Any, and EVALUATE is None.
# Coverage is measured on 2026.10: what only 2026.11 runs, tests/e2e proves there.
try:
    from homeassistant.components.ai_task import (  # type: ignore[attr-defined]
        ChoiceAnswer,
        EvaluationAnswer,
        EvaluationTask,
        EvaluationTaskResult,
        NoulAnswer,
        ScoreAnswer,
    )
except ImportError:  # Home Assistant 2026.10: the entity only generates data
    EVALUATE: ai_task.AITaskEntityFeature | None = None
else:  # pragma: no cover
    EVALUATE = ai_task.AITaskEntityFeature.EVALUATE  # type: ignore[attr-defined]

# Tasks wait in the setup's queue, which does the limiting.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the setup's AI Task entity."""
    async_add_entities([OllamaVisionTaskEntity(entry)])


def attachment_sources(
    attachments: Sequence[conversation.Attachment] | None,
) -> tuple[ImageSource, ...]:
    """A task's attachments as sources: images to prepare, or videos to take
    key frames from; anything else is refused."""
    sources: list[ImageSource] = []
    for attachment in attachments or ():
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
    return tuple(sources)


def task_request(task: ai_task.GenDataTask) -> AnalysisRequest:
    """The queue job for a generate_data task."""
    return AnalysisRequest(
        image_name=task.name,
        sources=attachment_sources(task.attachments),
        image_url=None,
        prompt=task.instructions,
        use_text_model=False,
        text_prompt=None,
        structure=task.structure,
        task_id=ulid_now(),
    )


async def async_evaluate(
    entry: OllamaVisionConfigEntry,
    *,
    name: str,
    questions: Mapping[str, Question],
    state: JsonValueType,
    attachments: Sequence[conversation.Attachment] | None,
) -> dict[str, Answer]:
    """Every question of an evaluate task in one job of the setup's queue.

    Like a generate_data task, the job has an id of its own and its outcome
    goes only to its caller. The model answers in the structure of
    `pipeline.evaluation` (asked once more if its answer does not fit, as every
    structured answer is); its numbers come back repaired.
    """
    sources = attachment_sources(attachments)
    request = AnalysisRequest(
        image_name=name,
        sources=sources,
        image_url=None,
        prompt=evaluation_prompt(questions, state, pictures=bool(sources)),
        use_text_model=False,
        text_prompt=None,
        structure=answer_structure(questions),
        task_id=ulid_now(),
    )
    result = await async_wait_for_job(entry.runtime_data.queue.async_submit(request))
    return read_answers(questions, result.data)


def core_answer(answer: Answer) -> EvaluationAnswer:  # pragma: no cover
    """An answer as ai_task's own type."""
    if isinstance(answer, NoulNumbers):
        return NoulAnswer(noul=answer.noul)
    if isinstance(answer, ChoiceNumbers):
        return ChoiceAnswer(choice=answer.choice, probabilities=answer.probabilities)
    return ScoreAnswer(score=answer.score, probabilities=answer.probabilities)


class OllamaVisionTaskEntity(ai_task.AITaskEntity, OllamaVisionEntity):
    """Generates data with the setup's models: pictures go to the vision model,
    words alone to the text model when the setup has one. Evaluates questions
    the same way, where Home Assistant has ai_task.evaluate."""

    _attr_name = None  # the setup's (device's) name
    _attr_translation_key = "ai_task"
    _attr_supported_features = (
        ai_task.AITaskEntityFeature.GENERATE_DATA
        | ai_task.AITaskEntityFeature.SUPPORT_ATTACHMENTS
        | (EVALUATE or ai_task.AITaskEntityFeature(0))
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

    # An override from 2026.11 on; 2026.10's entity has no such method (and
    # never calls it: the entity does not offer EVALUATE there).
    @override
    async def _async_evaluate(self, task: EvaluationTask) -> EvaluationTaskResult:  # type: ignore[misc]  # pragma: no cover
        """Ask every question in one request; answer in ai_task's types."""
        answers = await async_evaluate(
            self._entry,
            name=task.name,
            questions=task.questions,
            state=task.state,
            attachments=task.attachments,
        )
        return EvaluationTaskResult(
            answers={key: core_answer(answer) for key, answer in answers.items()}
        )
