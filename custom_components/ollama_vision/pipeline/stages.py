"""One analysis: fetch the images, ask the vision model, optionally the text model."""

import asyncio
from collections.abc import Awaitable, Callable
import dataclasses
from dataclasses import dataclass
from functools import partial
import logging
import time
from typing import Any

import probatio as vol

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..ollama.client import (
    OllamaBusyError,
    OllamaConnectionError,
    OllamaError,
    OllamaUnreachableError,
)
from ..ollama.pool import ServerPool, is_server_fault
from ..ollama.target import ModelTarget
from ..settings import EntrySettings
from ..sources.pictures import (
    Pictures,
    async_get_pictures,
    fetch_timeout_error,
)
from ..sources.source import ImageError
from .importance import (
    Importance,
    importance_prompt,
    parse_rated_answer,
    rated_schema,
)
from .job import AnalysisError, AnalysisRequest, AnalysisResult
from .structured import (
    InvalidStructuredAnswer,
    excerpt,
    json_schema,
    parse_answer,
    structured_prompt,
)
from .unchanged import PictureMemory

_LOGGER = logging.getLogger(__name__)

# Seconds to wait before each new try after a dropped connection or a 503.
RETRY_DELAYS: tuple[float, ...] = (2.0, 5.0, 10.0)
# Asks for a structured answer: the first, and one more when it does not fit.
STRUCTURED_TRIES = 2


def retry_delays(err: OllamaError) -> tuple[float, ...]:
    """The retry policy, in one place: how long to wait before each new try.

    A busy server (503) or a dropped connection is worth waiting for. Where
    nothing answers at all (refused, unknown host) one quick second try covers
    a restarting server; then the job fails rather than keep a waiting
    automation for most of a minute. Other answers are final.
    """
    if isinstance(err, OllamaUnreachableError):
        return RETRY_DELAYS[:1]
    if isinstance(err, OllamaConnectionError | OllamaBusyError):
        return RETRY_DELAYS
    return ()


STAGE_FETCH = "image_fetch"
STAGE_VISION = "vision_model"
STAGE_TEXT = "text_model"


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one model said, its structured data when a structure was asked, and
    its importance level when one was."""

    text: str
    data: Any = None
    importance: Importance | None = None


def fill_text_prompt(template: str, description: str) -> str:
    """Put the vision model's words into the text prompt.

    Only `{description}` is replaced; any other braces are the user's own text.
    """
    return template.replace("{description}", description)


class AnalysisPipeline:
    """Runs analyses for one setup against its vision (and text) servers."""

    def __init__(
        self,
        hass: HomeAssistant,
        settings: EntrySettings,
        vision: ServerPool,
        text: ServerPool | None,
        pictures: PictureMemory,
    ) -> None:
        """Keep what every analysis of this setup needs."""
        self._hass = hass
        self._settings = settings
        self._vision = vision
        self._text = text
        self._pictures = pictures

    async def async_run(self, request: AnalysisRequest) -> AnalysisResult:
        """Run one analysis; raise AnalysisError naming the stage that failed."""
        settings = self._settings
        started = time.monotonic()
        timings: dict[str, float | None] = {}

        if not request.sources and settings.text is not None:
            # Nothing to look at (an AI Task without attachments): the text
            # model answers, as the setup's model for words.
            answer, model = await self._ask_text(request.prompt, request, timings)
            return self._result(
                request,
                answer,
                answer,
                text_model=model,
                started=started,
                timings=timings,
            )
        pictures = await self._stage(
            STAGE_FETCH, None, lambda: self._fetch(request), timings
        )
        if (
            request.skip_unchanged
            and (last := self._pictures.alike(request, pictures.still_hashes))
            is not None
        ):
            timings["total"] = round(time.monotonic() - started, 3)
            return dataclasses.replace(
                last, request=request, timings=timings, unchanged_at=dt_util.utcnow()
            )
        use_text_model = request.use_text_model and request.text_prompt is not None
        vision = await self._stage(
            STAGE_VISION,
            settings.vision_timeout,
            lambda: self._answer(
                STAGE_VISION,
                self._vision,
                settings.vision,
                settings.vision_timeout,
                request.prompt,
                images=[image.data for image in pictures.images],
                # Only the final model of the call answers in the structure,
                # and rates the importance.
                structure=None if use_text_model else request.structure,
                importance=request.importance and not use_text_model,
            ),
            timings,
        )
        final = vision
        text_model: str | None = None
        if use_text_model and request.text_prompt is not None:
            final, text_model = await self._ask_text(
                fill_text_prompt(request.text_prompt, vision.text), request, timings
            )
        return self._result(
            request,
            vision,
            final,
            text_model=text_model,
            started=started,
            timings=timings,
            pictures=pictures,
        )

    async def _ask_text(
        self,
        prompt: str,
        request: AnalysisRequest,
        timings: dict[str, float | None],
    ) -> tuple[_Answer, str]:
        """The text model's answer as the final model of the request, and the
        model's name."""
        text_target = self._settings.text
        text_pool = self._text
        if text_target is None or text_pool is None:
            raise AnalysisError(
                "text_model_not_configured",
                STAGE_TEXT,
                {"name": self._settings.name},
            )
        answer = await self._stage(
            STAGE_TEXT,
            self._settings.text_timeout,
            lambda: self._answer(
                STAGE_TEXT,
                text_pool,
                text_target,
                self._settings.text_timeout,
                prompt,
                images=[],
                structure=request.structure,
                importance=request.importance,
            ),
            timings,
        )
        return answer, text_target.model

    def _result(
        self,
        request: AnalysisRequest,
        first: _Answer,
        final: _Answer,
        *,
        text_model: str | None,
        started: float,
        timings: dict[str, float | None],
        pictures: Pictures | None = None,
    ) -> AnalysisResult:
        """The result: the first model's words, and the final model's words and data."""
        timings["total"] = round(time.monotonic() - started, 3)
        return AnalysisResult(
            request=request,
            description=first.text,
            final_description=final.text,
            vision_model=self._settings.vision.model,
            text_model=text_model,
            analyzed_at=dt_util.utcnow(),
            timings=timings,
            data=final.data,
            frames=tuple(pictures.frames) if pictures else (),
            fallbacks=tuple(pictures.fallbacks) if pictures else (),
            key_frame=pictures.key_frame if pictures and pictures.images else None,
            key_image=pictures.images[pictures.key_frame].data
            if pictures and pictures.images
            else None,
            importance=final.importance,
            picture_hashes=pictures.still_hashes if pictures else None,
        )

    async def _fetch(self, request: AnalysisRequest) -> Pictures:
        """All pictures of a request, within the fetch time limit as a whole.

        Watching a camera adds its seconds to the limit.
        """
        settings = self._settings
        try:
            async with asyncio.timeout(settings.fetch_timeout + request.duration):
                return await async_get_pictures(
                    self._hass,
                    request.sources,
                    limits=settings.image_limits,
                    video=settings.video_limits,
                    duration=request.duration,
                    max_frames=request.max_frames,
                    selection=request.frame_selection,
                )
        except TimeoutError as err:
            raise fetch_timeout_error(request.sources) from err

    async def _stage[T](
        self,
        stage: str,
        timeout: float | None,
        work: Callable[[], Awaitable[T]],
        timings: dict[str, float | None],
    ) -> T:
        """Run one stage, turning failures into codes.

        `timeout` is what a model stage's requests are each limited to (they
        limit themselves, so a request that times out can go to another server).
        """
        started = time.monotonic()
        try:
            result = await work()
        except TimeoutError as err:
            # One code for automations; each stage has its own message.
            raise AnalysisError(
                "timeout",
                stage,
                {"seconds": f"{timeout:g}"},
                translation_key=f"{stage}_timeout",
            ) from err
        except ImageError as err:
            raise AnalysisError(
                err.code, stage, dict(err.translation_placeholders or {})
            ) from err
        except OllamaUnreachableError as err:
            raise AnalysisError("cannot_connect", stage, {"host": err.host}) from err
        except OllamaError as err:
            raise AnalysisError(f"{stage}_failed", stage, {"reason": str(err)}) from err
        timings[stage.removesuffix("_model")] = round(time.monotonic() - started, 3)
        return result

    async def _answer(
        self,
        stage: str,
        pool: ServerPool,
        target: ModelTarget,
        timeout: float,
        prompt: str,
        *,
        images: list[bytes],
        structure: vol.Schema | None,
        importance: bool = False,
    ) -> _Answer:
        """The model's answer; with a structure, one that fits it (two tries);
        with importance, JSON with the description and the level beside."""
        read: Callable[[str], _Answer]
        if importance:
            schema = rated_schema(None if structure is None else json_schema(structure))
            prompt = importance_prompt(prompt, schema)
            read = partial(_rated_answer, structure=structure, model=target.model)
        elif structure is not None:
            schema = json_schema(structure)
            prompt = structured_prompt(prompt, schema)
            read = partial(_structured_answer, structure=structure)
        else:
            return _Answer(await self._generate(pool, target, timeout, prompt, images))
        text = ""
        for _ in range(STRUCTURED_TRIES):
            text = await self._generate(
                pool, target, timeout, prompt, images, answer_format=schema
            )
            try:
                return read(text)
            except InvalidStructuredAnswer as err:
                _LOGGER.debug(
                    "%s answered outside the structure (%s): %s",
                    target.model,
                    err,
                    text,
                )
        raise AnalysisError(
            "invalid_structured_answer",
            stage,
            {"model": target.model, "answer": excerpt(text)},
        )

    async def _generate(
        self,
        pool: ServerPool,
        target: ModelTarget,
        timeout: float,
        prompt: str,
        images: list[bytes],
        *,
        answer_format: dict[str, Any] | None = None,
    ) -> str:
        """Generate on the least busy healthy server.

        A server at fault (refused, dropped, 5xx, timed out) is marked down and
        the request goes at once to another healthy one; with none left, the
        retry policy's waits apply, then the failure is final.
        """
        tries = 0
        failovers = 0
        while True:
            async with pool.slot() as server:
                started = time.monotonic()
                try:
                    async with asyncio.timeout(timeout):
                        text = await server.client.async_generate(
                            target.model,
                            prompt,
                            images=images,
                            keep_alive=target.keep_alive,
                            answer_format=answer_format,
                        )
                except (OllamaError, TimeoutError) as err:
                    server.failures += 1
                    if not is_server_fault(err):
                        raise
                    pool.mark_down(server, err)
                    error: OllamaError | TimeoutError = err
                else:
                    server.record_success(time.monotonic() - started)
                    return text
            if pool.any_up and failovers < len(pool.servers):
                failovers += 1
                _LOGGER.debug(
                    "%s failed (%s); trying another server", server.address, error
                )
                continue
            delays = retry_delays(error) if isinstance(error, OllamaError) else ()
            if tries >= len(delays):
                raise error
            delay = delays[tries]
            tries += 1
            _LOGGER.debug(
                "Ollama at %s: %s; trying again in %s s", server.address, error, delay
            )
            await asyncio.sleep(delay)


def _structured_answer(text: str, *, structure: vol.Schema) -> _Answer:
    """The raw text and its data; raises InvalidStructuredAnswer when the data
    does not fit the structure."""
    return _Answer(text, parse_answer(text, structure))


def _rated_answer(text: str, *, structure: vol.Schema | None, model: str) -> _Answer:
    """The description, its data and its level (a level that cannot be read is
    logged); raises InvalidStructuredAnswer when the data does not fit."""
    rated = parse_rated_answer(text, structure)
    if rated.importance is None:
        _LOGGER.warning(
            "%s answered no importance level that can be read, so the result"
            " has none: %s",
            model,
            excerpt(text),
        )
    return _Answer(rated.description, rated.data, rated.importance)
