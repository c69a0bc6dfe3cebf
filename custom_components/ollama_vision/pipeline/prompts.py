"""The prompts a request is sent with, and the language the built-in ones ask for.

A prompt someone wrote goes to the model exactly as written: a call's `prompt`
or `text_prompt`, an AI Task's instructions, or a setup's own default prompt
from its options. Only the built-in prompts (a setup whose options hold no
prompt of its own) end with `language_instruction`, so the model answers in
the language Home Assistant is set to, read at each request (a change of
language needs no reload).

Every other built-in request to a model (importance, summaries) asks in the
same words: `language_instruction(hass)`.
"""

from typing import Final

from homeassistant.core import HomeAssistant

from ..settings import DEFAULT_PROMPT, DEFAULT_TEXT_PROMPT, EntrySettings

# The English name of each language Home Assistant offers
# (homeassistant.generated.languages), as the frontend names them: the CLDR
# display names it ships (hass_frontend's static/locale-data/intl-displaynames/
# en.json). English, so that every model understands which language is meant;
# tests/pipeline/test_prompts.py checks the table against both sources.
LANGUAGE_NAMES: Final[dict[str, str]] = {
    "af": "Afrikaans",
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bangla",
    "bs": "Bosnian",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "en-GB": "British English",
    "eo": "Esperanto",
    "es": "Spanish",
    "es-419": "Latin American Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "fy": "Western Frisian",
    "ga": "Irish",
    "gl": "Galician",
    "gsw": "Swiss German",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "is": "Icelandic",
    "it": "Italian",
    "ja": "Japanese",
    "ka": "Georgian",
    "ko": "Korean",
    "lb": "Luxembourgish",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "nb": "Norwegian Bokmål",
    "nl": "Dutch",
    "nn": "Norwegian Nynorsk",
    "pl": "Polish",
    "pt": "Portuguese",
    "pt-BR": "Brazilian Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sq": "Albanian",
    "sr": "Serbian",
    "sr-Latn": "Serbian (Latin)",
    "sv": "Swedish",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh-Hans": "Simplified Chinese",
    "zh-Hant": "Traditional Chinese",
}


def language_name(code: str) -> str:
    """The English name of a language code; for a code the table lacks, the name
    of its base language (de-CH: German), or else the code itself."""
    return (
        LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(code.partition("-")[0]) or code
    )


def language_instruction(hass: HomeAssistant) -> str:
    """The sentence that asks a model to answer in Home Assistant's language:
    "Answer in Norwegian Bokmål." when it is set to nb."""
    return f"Answer in {language_name(hass.config.language)}."


def vision_prompt(
    hass: HomeAssistant, settings: EntrySettings, prompt: str | None
) -> str:
    """The vision model's prompt: the call's, the setup's own, or the built-in one
    in Home Assistant's language."""
    return prompt or settings.default_prompt or _built_in(hass, DEFAULT_PROMPT.default)


def text_prompt(
    hass: HomeAssistant, settings: EntrySettings, prompt: str | None
) -> str:
    """The text model's prompt, chosen the same way (`{description}` still to fill)."""
    return (
        prompt
        or settings.default_text_prompt
        or _built_in(hass, DEFAULT_TEXT_PROMPT.default)
    )


def _built_in(hass: HomeAssistant, prompt: str) -> str:
    return f"{prompt} {language_instruction(hass)}"
