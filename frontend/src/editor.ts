/**
 * The card's visual editor: Home Assistant's own form (ha-form) with its
 * selectors, so it looks and behaves like the editors of the built-in cards.
 */
import { LitElement, css, html, nothing } from "lit";

import { cleanConfig, LAYOUTS, MAX_ENTRIES, DEFAULT_ENTRIES } from "./config";
import { imageNamesOf } from "./entries";
import { LIST } from "./api";
import { languageOf, translator, type MessageKey, type Translate } from "./i18n";
import type { CardConfig, HomeAssistant, TimelinePage } from "./types";

interface FormField {
  name: keyof CardConfig;
  selector: Record<string, unknown>;
}

interface CardHelpers {
  createCardElement(config: { type: string; entities?: unknown[] }): HTMLElement;
}

declare global {
  interface Window {
    loadCardHelpers?: () => Promise<CardHelpers>;
  }
}

/**
 * ha-form is loaded with the editors of Home Assistant's own cards. Creating
 * one (the entities card's) loads it when no other editor has yet.
 */
async function loadHaForm(): Promise<void> {
  if (customElements.get("ha-form") || !window.loadCardHelpers) return;
  const helpers = await window.loadCardHelpers();
  const card = helpers.createCardElement({ type: "entities", entities: [] });
  const constructor = card.constructor as { getConfigElement?: () => Promise<unknown> };
  await constructor.getConfigElement?.();
}

export class OllamaVisionTimelineCardEditor extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
    _imageNames: { state: true },
    _formReady: { state: true },
  };
  static override styles = css`
    :host {
      display: block;
    }
  `;

  hass?: HomeAssistant;
  private _config?: CardConfig;
  private _imageNames: string[] = [];
  private _formReady = Boolean(customElements.get("ha-form"));
  private askedForNames = false;

  setConfig(config: CardConfig): void {
    this._config = config;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void loadHaForm().then(() => {
      this._formReady = Boolean(customElements.get("ha-form"));
    });
  }

  protected override updated(): void {
    if (this.hass && !this.askedForNames) {
      this.askedForNames = true;
      void this.loadImageNames(this.hass);
    }
  }

  /** The image names of recent analyses, offered in the image name field. */
  private async loadImageNames(hass: HomeAssistant): Promise<void> {
    try {
      const page = await hass.connection.sendMessagePromise<TimelinePage>({
        type: LIST,
        limit: MAX_ENTRIES,
      });
      this._imageNames = imageNamesOf(page.entries);
    } catch {
      // Typed names work too: the field takes any.
    }
  }

  private schema(t: Translate): FormField[] {
    const names = new Set([...this._imageNames, ...(this._config?.image_names ?? [])]);
    return [
      { name: "title", selector: { text: {} } },
      {
        name: "config_entry_id",
        selector: { config_entry: { integration: "ollama_vision" } },
      },
      {
        name: "image_names",
        selector: {
          select: {
            multiple: true,
            custom_value: true,
            options: [...names].map((name) => ({ value: name, label: name })),
          },
        },
      },
      {
        name: "layout",
        selector: {
          select: {
            mode: "dropdown",
            options: LAYOUTS.map((layout) => ({
              value: layout,
              label: t(`layout_${layout}` as MessageKey),
            })),
          },
        },
      },
      {
        name: "entries",
        selector: { number: { min: 1, max: MAX_ENTRIES, mode: "box" } },
      },
      { name: "hours", selector: { number: { min: 1, mode: "box", unit_of_measurement: "h" } } },
    ];
  }

  private changed(event: CustomEvent<{ value: CardConfig }>): void {
    event.stopPropagation();
    const config = cleanConfig({ ...event.detail.value, type: this._config?.type ?? "" });
    this._config = config;
    this.dispatchEvent(
      new CustomEvent("config-changed", {
        detail: { config },
        bubbles: true,
        composed: true,
      }),
    );
  }

  protected override render() {
    if (!this.hass || !this._config || !this._formReady) return nothing;
    const t = translator(languageOf(this.hass));
    const data = { layout: "list", entries: DEFAULT_ENTRIES, ...this._config };
    return html`
      <ha-form
        .hass=${this.hass}
        .data=${data}
        .schema=${this.schema(t)}
        .computeLabel=${(field: FormField) => t(`editor_${field.name}` as MessageKey)}
        @value-changed=${this.changed}
      ></ha-form>
    `;
  }
}
