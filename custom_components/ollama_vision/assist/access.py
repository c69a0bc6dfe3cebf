"""What a conversation may use, and the refusals its model reads.

Assist's own rule for entities is exposure: a conversation may look at the
cameras the user exposed to it, whoever speaks. Timelines follow the rule of
the dashboard card: a signed-in user who is not an administrator reads the
setups whose timeline calendar they may read; a conversation without a user
(a voice satellite) reads them all, as Assist controls the home for it.
"""

from typing import Any, override

import probatio as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import llm

from ..const import DOMAIN
from ..runtime import OllamaVisionConfigEntry
from ..timeline.websocket import may_read


class CheckedTool(llm.Tool):
    """A tool of the API whose arguments are checked against its `parameters`
    before `async_answer` sees them; bad ones get a refusal the model can read."""

    integration = DOMAIN

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """The tool's answer to checked arguments, or the refusal of bad ones."""
        try:
            arguments = self.parameters(tool_input.tool_args)
        except vol.Invalid as err:
            return refusal("assist_invalid_arguments", {"reason": str(err)})
        return await self.async_answer(hass, arguments, llm_context)

    async def async_answer(
        self,
        hass: HomeAssistant,
        arguments: dict[str, Any],
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """The answer to arguments that fit the tool's `parameters`."""
        raise NotImplementedError


async def async_readable_setups(
    hass: HomeAssistant, llm_context: llm.LLMContext
) -> list[OllamaVisionConfigEntry]:
    """The loaded setups whose timelines the conversation may read."""
    loaded: list[OllamaVisionConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    context = llm_context.context
    user = (
        await hass.auth.async_get_user(context.user_id)
        if context is not None and context.user_id
        else None
    )
    if user is None:
        return loaded
    return [setup for setup in loaded if may_read(hass, user, setup.entry_id)]


def refusal(key: str, placeholders: dict[str, str] | None = None) -> llm.ToolResult:
    """A tool's answer when it cannot do what was asked, in words the model
    can act on (translations' `exceptions.<key>`, in English), never a traceback."""
    return failure(
        ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders or {},
        )
    )


def failure(error: HomeAssistantError) -> llm.ToolResult:
    """A tool's answer for an error: its code (an analysis's, or the message's
    key) and its message."""
    code = getattr(error, "code", None) or error.translation_key
    return llm.ToolResult(
        data={
            "error": str(code or type(error).__name__),
            "error_text": str(error) or type(error).__name__,
        },
        error=True,
    )
