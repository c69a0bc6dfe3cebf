import assert from "node:assert/strict";
import { test } from "node:test";

import { languageOf, messagesFor, TRANSLATIONS, translator } from "../src/i18n";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every language has every message, with the same placeholders", () => {
  const english = TRANSLATIONS.en;
  for (const [language, messages] of Object.entries(TRANSLATIONS)) {
    assert.deepEqual(Object.keys(messages).sort(), Object.keys(english).sort(), language);
    for (const [key, text] of Object.entries(messages)) {
      assert.ok(text.trim(), `${language}.${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(english[key as keyof typeof english]));
    }
  }
  assert.deepEqual(Object.keys(TRANSLATIONS).sort(), ["en", "nb", "pt"]);
});

test("the user's language picks the messages, English for the rest", () => {
  assert.equal(messagesFor("pt-BR").close, "Fechar");
  assert.equal(messagesFor("nb").close, "Lukk");
  assert.equal(messagesFor("no").close, "Lukk");
  assert.equal(messagesFor("de").close, "Close");
  assert.equal(languageOf({ language: "en", locale: { language: "nb" } }), "nb");
  assert.equal(languageOf({ language: "pt" }), "pt");
  assert.equal(languageOf(undefined), "en");
});

test("placeholders are filled, unknown ones left", () => {
  const t = translator("en");
  assert.equal(t("empty_hours", { hours: 6 }), "No analyses in the last 6 h.");
  assert.equal(t("error"), "The timeline could not be loaded: {message}");
});
