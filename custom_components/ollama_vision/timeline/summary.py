"""A summary of a period: which of its entries the model gets, and the prompt.

The prompt lists the period's entries oldest first, one line each (time, image
name, description), then the instructions: the call's own prompt, or the
built-in "while you were away" one in Home Assistant's language. Instructions
come last because a server that still finds the prompt too long cuts its
beginning, so only the oldest lines would go.

How much fits: the setup does not know its servers' context size, and sending
one (`options.num_ctx`) would make Ollama reload the model whenever it differs
from what the setup's analyses run with. So the budget is the smallest context
a current Ollama gives a model by default (4k; more with more video memory),
less room for the answer,
with tokens counted from characters on the safe side; the newest entries that
fit are kept, and the caller is told how many older ones were left out.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..pipeline.prompts import language_instruction
from .store import TimelineEntry

# Ollama's default context, in tokens (OLLAMA_CONTEXT_LENGTH, `num_ctx`).
CONTEXT_TOKENS: Final = 4096
# Kept free for the answer: a few sentences need far less.
ANSWER_TOKENS: Final = 512
# English averages about four characters a token, other languages fewer:
# three errs on the side of fitting.
CHARACTERS_PER_TOKEN: Final = 3
PROMPT_CHARACTERS: Final = (CONTEXT_TOKENS - ANSWER_TOKENS) * CHARACTERS_PER_TOKEN
# One very long description must not crowd out the rest of the period.
MAX_DESCRIPTION_CHARACTERS: Final = 500
# No line is shorter ("2026-11-05 08:30 a: b"), so no prompt holds more entries
# than this: the most a summary reads from the timeline.
MAX_ENTRIES: Final = PROMPT_CHARACTERS // len("2026-11-05 08:30 a: b\n")

DEFAULT_INSTRUCTIONS: Final = (
    "These are the analyses of the home's cameras while the residents were away. "
    "Write them a short summary of what happened, in two to four sentences: who "
    "or what came, where and when, the most important first. Leave out what kept "
    "repeating without change. If nothing of note happened, say so in one sentence."
)
_TIME_FORMAT: Final = "%Y-%m-%d %H:%M"
# translations/*.json: the answer when the period holds no entries (kept with
# the messages, the one category for a sentence with placeholders).
_NOTHING_RECORDED: Final = f"component.{DOMAIN}.exceptions.summary_nothing_recorded"


def default_prompt(hass: HomeAssistant) -> str:
    """The instructions of a summary whose call gives none, in Home Assistant's
    language as every built-in prompt."""
    return f"{DEFAULT_INSTRUCTIONS} {language_instruction(hass)}"


@dataclass(frozen=True, slots=True)
class SummaryPrompt:
    """What the model is asked, and how many of the period's entries it holds."""

    text: str
    entries: int
    left_out: int


def local_time(moment: datetime) -> str:
    """A moment as the prompt and the answers show it: local, to the minute."""
    return dt_util.as_local(moment).strftime(_TIME_FORMAT)


def one_line(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters (with "…" when cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def entry_line(entry: TimelineEntry) -> str:
    """One entry in the prompt: its time, image name and description."""
    description = one_line(entry.description, MAX_DESCRIPTION_CHARACTERS)
    return f"{local_time(entry.analyzed_at)} {entry.image_name}: {description}"


def newest_within[T](
    newest_first: Iterable[T], size: Callable[[T], int], budget: int
) -> list[T]:
    """The newest items whose sizes add up to at most `budget` (at least one,
    if there is any), newest first: older ones go before newer ones do."""
    kept: list[T] = []
    used = 0
    for item in newest_first:
        used += size(item)
        if kept and used > budget:
            break
        kept.append(item)
    return kept


def summary_prompt(
    newest_first: Sequence[TimelineEntry],
    total: int,
    instructions: str,
    start: datetime,
    end: datetime,
) -> SummaryPrompt:
    """The prompt for a period's entries (the newest of its `total`), cut to
    what fits the budget."""
    header = (
        f"Camera analyses from {local_time(start)} to {local_time(end)}, oldest "
        "first, one a line: the time, the image name (the camera or place), and "
        "what the camera saw."
    )
    note = f"({total} older analyses did not fit here and are left out.)"
    budget = PROMPT_CHARACTERS - len(header) - len(note) - len(instructions)
    lines = newest_within(
        (entry_line(entry) for entry in newest_first),
        lambda line: len(line) + 1,
        budget,
    )
    left_out = total - len(lines)
    parts = [header]
    if left_out:
        parts.append(f"({left_out} older analyses did not fit here and are left out.)")
    parts += reversed(lines)
    return SummaryPrompt(
        text="\n".join(parts) + f"\n\n{instructions}",
        entries=len(lines),
        left_out=left_out,
    )


async def async_nothing_recorded(
    hass: HomeAssistant, start: datetime, end: datetime
) -> str:
    """The summary of a period without entries, in Home Assistant's language."""
    translations = await async_get_translations(
        hass, hass.config.language, "exceptions", {DOMAIN}
    )
    message = translations[f"{_NOTHING_RECORDED}.message"]
    return message.replace("{start}", local_time(start)).replace(
        "{end}", local_time(end)
    )
