"""Prompts: the built-in ones ask for answers in Home Assistant's language; a prompt
someone wrote goes as written."""

from collections.abc import Callable
import json
from typing import Any

import hass_frontend
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ollama_vision.pipeline.prompts import (
    LANGUAGE_NAMES,
    language_instruction,
    language_name,
)
from custom_components.ollama_vision.settings import (
    DEFAULT_PROMPT,
    DEFAULT_TEXT_PROMPT,
)
from homeassistant.core import HomeAssistant
from homeassistant.generated.languages import LANGUAGES
from tests.conftest import analyze
from tests.ollama_emulator import OllamaEmulator

# The English display names (CLDR) the frontend ships for its language menus.
CLDR = (
    hass_frontend.where() / "static" / "locale-data" / "intl-displaynames" / "en.json"
)
RED_640 = "Image 1 is 640x480 pixels, mostly red."


def cldr_name(names: dict[str, Any], code: str) -> str:
    """A language's English name as the frontend's data gives it: its own name
    (British English), or its base language's with the script or region."""
    types = names["types"]
    languages = types["language"]["dialect"]["long"]
    if code in languages:
        return str(languages[code])
    base, _, subtag = code.partition("-")
    detail = types["script"]["long"].get(subtag) or types["region"]["long"][subtag]
    pattern = str(names["patterns"]["locale"])
    return pattern.replace("{0}", languages[base]).replace("{1}", detail)


def test_every_language_of_home_assistant_has_its_english_name() -> None:
    """The table holds exactly Home Assistant's languages, each named as the
    frontend's English language names name it."""
    names = json.loads(CLDR.read_text(encoding="utf-8"))["data"]
    assert {code: cldr_name(names, code) for code in LANGUAGES} == LANGUAGE_NAMES


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("nb", "Norwegian Bokmål"),
        ("pt-BR", "Brazilian Portuguese"),
        ("sr-Latn", "Serbian (Latin)"),
        ("de-CH", "German"),  # not offered: its base language
        ("tlh", "tlh"),  # unknown: the code itself
    ],
)
def test_language_name(code: str, name: str) -> None:
    assert language_name(code) == name


async def test_instruction_in_the_configured_language(hass: HomeAssistant) -> None:
    hass.config.language = "nb"
    assert language_instruction(hass) == "Answer in Norwegian Bokmål."
    hass.config.language = "en"
    assert language_instruction(hass) == "Answer in English."


async def prompts_sent(
    hass: HomeAssistant, emulator: OllamaEmulator, door_jpeg: str, **data: Any
) -> list[str | None]:
    """The prompts the emulator received for one analysis."""
    before = len(emulator.generate_requests())
    await analyze(hass, response=True, image_url=door_jpeg, image_name="door", **data)
    return [r.prompt for r in emulator.generate_requests()[before:]]


@pytest.mark.usefixtures("setup_entry")
async def test_built_in_prompts_ask_for_home_assistants_language(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator, door_jpeg: str
) -> None:
    """Both models are asked to answer in Norwegian Bokmål; a change of language
    applies to the next call, without a reload."""
    hass.config.language = "nb"
    vision, text = await prompts_sent(
        hass, ollama_emulator, door_jpeg, use_text_model=True
    )
    assert vision == f"{DEFAULT_PROMPT.default} Answer in Norwegian Bokmål."
    assert text == (
        DEFAULT_TEXT_PROMPT.default.replace("{description}", RED_640)
        + " Answer in Norwegian Bokmål."
    )
    hass.config.language = "pt"
    (vision,) = await prompts_sent(hass, ollama_emulator, door_jpeg)
    assert vision == f"{DEFAULT_PROMPT.default} Answer in Portuguese."


@pytest.mark.usefixtures("setup_entry")
async def test_a_calls_own_prompts_go_as_written(
    hass: HomeAssistant, ollama_emulator: OllamaEmulator, door_jpeg: str
) -> None:
    hass.config.language = "nb"
    assert await prompts_sent(
        hass,
        ollama_emulator,
        door_jpeg,
        prompt="Who is there?",
        use_text_model=True,
        text_prompt="Announce: {description}",
    ) == ["Who is there?", f"Announce: {RED_640}"]


async def test_a_setups_own_prompts_go_as_written(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    ollama_emulator: OllamaEmulator,
    door_jpeg: str,
) -> None:
    """Prompts written in the options replace the built-in ones, language and all."""
    entry = make_entry(
        **{
            DEFAULT_PROMPT.key: "Beskriv bildet.",
            DEFAULT_TEXT_PROMPT.key: "Presenter: {description}",
        }
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    hass.config.language = "nb"
    assert await prompts_sent(
        hass, ollama_emulator, door_jpeg, use_text_model=True
    ) == ["Beskriv bildet.", f"Presenter: {RED_640}"]
