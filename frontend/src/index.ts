/**
 * Ollama Vision's timeline card. The integration serves this file and has
 * every dashboard load it (timeline/card.py): nothing to install apart.
 */
import { OllamaVisionTimelineCard } from "./card";
import { CARD_TYPE, EDITOR_TYPE } from "./config";
import { DIALOG_TYPE, OllamaVisionEntryDialog } from "./dialog";
import { OllamaVisionTimelineCardEditor } from "./editor";
import { translator } from "./i18n";

interface CustomCard {
  type: string;
  name: string;
  description: string;
  preview: boolean;
  documentationURL: string;
}

declare global {
  interface Window {
    customCards?: CustomCard[];
  }
}

function define(name: string, element: CustomElementConstructor): void {
  // A second copy of the file (an old URL still cached) must not throw.
  if (!customElements.get(name)) customElements.define(name, element);
}

function register(): void {
  define(DIALOG_TYPE, OllamaVisionEntryDialog);
  define(EDITOR_TYPE, OllamaVisionTimelineCardEditor);
  define(CARD_TYPE, OllamaVisionTimelineCard);
  // The card picker's entry, in the language the frontend shows (on <html>).
  const t = translator(document.documentElement.lang || navigator.language || "en");
  window.customCards ??= [];
  if (!window.customCards.some((card) => card.type === CARD_TYPE)) {
    window.customCards.push({
      type: CARD_TYPE,
      name: t("card_name"),
      description: t("card_description"),
      preview: true,
      documentationURL: "https://github.com/ollama-vision/ollama_vision#the-timeline-card",
    });
  }
}

// Home Assistant loads this file beside its own app, which replaces
// window.customElements with a registry of its own (a scoped-registry
// polyfill): elements defined before that are invisible to the dashboard.
// So: once the app has defined its root element <home-assistant>, that is,
// its registry is in place. A page without that element defines at once.
if (customElements.get("home-assistant") || !document.querySelector("home-assistant")) {
  register();
} else {
  void customElements.whenDefined("home-assistant").then(register);
}
