"""What the emulated model writes when it has no pictures to describe.

Not an echo of the prompt (on a dashboard that looks like a leak), but a short,
deterministic answer built from it:
- a prompt that quotes the vision model's sentences (a text prompt with the
  description filled in) gets a doorbell-style introduction that keeps those
  sentences word for word, so a test can see which description arrived;
- any other prompt gets a short plain answer naming its first words, so answers
  to different prompts differ.
The whole prompt is in the request log (`emulator.requests[i].prompt`).
"""

from tests.ollama_emulator.vision import SENTENCE

INTRODUCTION = "Ding dong, a visitor:"
TOPIC_WORDS = 8
TOPIC_CHARACTERS = 60


def topic(prompt: str) -> str:
    """The prompt's first few words, on one line, clipped."""
    words = prompt.split()
    if not words:
        return "nothing"
    text = " ".join(words[:TOPIC_WORDS])
    if len(text) > TOPIC_CHARACTERS:
        text = text[:TOPIC_CHARACTERS]
    elif len(words) <= TOPIC_WORDS:
        return text
    return text + "..."


def write(prompt: str) -> str:
    if seen := SENTENCE.findall(prompt):
        return " ".join([INTRODUCTION, *seen])
    return f'A short answer to "{topic(prompt)}".'
