/**
 * The card's own words in English, Norwegian Bokmål and Portuguese, picked by
 * the user's language in Home Assistant (its profile setting), with English
 * for anything else. Error messages of the integration come from its
 * translations in Home Assistant instead (see errors.ts).
 */
import en from "./translations/en.json";
import nb from "./translations/nb.json";
import pt from "./translations/pt.json";
import type { HomeAssistant } from "./types";

export type MessageKey = keyof typeof en;
export type Translate = (
  key: MessageKey,
  values?: Record<string, string | number>,
) => string;

export const TRANSLATIONS: Record<string, Record<MessageKey, string>> = { en, nb, pt };

/** The user's language, as Home Assistant's profile sets it. */
export function languageOf(hass: Pick<HomeAssistant, "language" | "locale"> | undefined): string {
  return hass?.locale?.language ?? hass?.language ?? "en";
}

/** The translations that fit a language tag: "pt-BR" reads Portuguese, "no" Bokmål. */
export function messagesFor(language: string): Record<MessageKey, string> {
  const base = language.toLowerCase().split(/[-_]/)[0];
  const known = base === "no" ? "nb" : base;
  return TRANSLATIONS[known] ?? en;
}

export function translator(language: string): Translate {
  const messages = messagesFor(language);
  return (key, values = {}) =>
    messages[key].replace(/\{(\w+)\}/g, (placeholder, name: string) =>
      name in values ? String(values[name]) : placeholder,
    );
}
