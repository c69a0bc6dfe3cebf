"""Tool calls on /api/chat, as deterministic as the rest of the emulated model.

A test says which tool the model calls for which words (`emu.tool_rules`):
- a chat request that offers `tools` and whose last message is the user's is
  answered with a call (`message.tool_calls`) of the first rule whose words are
  in that message and whose tool is offered (a model cannot call a tool it was
  not given);
- a request whose last message is a tool's result (role `tool`) is answered
  with a sentence that quotes the result word for word, so a test can see that
  the result arrived and went into the answer.
Anything else is answered as before (text_model.py).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

QUOTE = "Here is what I found:"


@dataclass(frozen=True)
class ToolRule:
    """Call `tool` with `arguments` when the user's message holds `words` (any case)."""

    words: str
    tool: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


def offered(tools: Iterable[Any] | None) -> tuple[str, ...]:
    """The names of the functions a request offers."""
    names: list[str] = []
    for tool in tools or ():
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.append(function["name"])
    return tuple(names)


def tool_call(
    rules: Iterable[ToolRule], message: str, tools: tuple[str, ...]
) -> dict[str, Any] | None:
    """The call the model makes for the user's `message`, if a rule says so."""
    text = message.casefold()
    for rule in rules:
        if rule.tool in tools and rule.words.casefold() in text:
            return {"function": {"name": rule.tool, "arguments": dict(rule.arguments)}}
    return None


def quote(result: str) -> str:
    """The answer once a tool has answered: its result, quoted."""
    return f"{QUOTE} {result}"
