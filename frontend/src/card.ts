/**
 * The timeline card: the latest analyses with their pictures, live.
 *
 * It subscribes first and lists second, so nothing recorded in between is
 * missed (an entry both bring is shown once). After a reconnect (Home
 * Assistant restarted: its signing key changed) and twice a day (the links
 * are signed for 24 hours) it lists again, for fresh snapshot links.
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { repeat } from "lit/directives/repeat.js";

import { LIST, SUBSCRIBE } from "./api";
import {
  EDITOR_TYPE,
  requestFilters,
  resolveConfig,
  type ResolvedConfig,
} from "./config";
import { altText, mergeEntries } from "./entries";
import { errorMessage } from "./errors";
import { absoluteTime, relativeTime, timeZoneOf } from "./format";
import { languageOf, translator, type Translate } from "./i18n";
import { cardStyles, entryStyles } from "./styles";
import type {
  CardConfig,
  HomeAssistant,
  TimelineEntry,
  TimelineEvent,
  TimelinePage,
  Unsubscribe,
} from "./types";

/** How often relative times ("3 minutes ago") move on. */
const CLOCK_MS = 30_000;
/** Half the lifetime of the server's signed links. */
const RENEW_MS = 12 * 3_600_000;

type Status = "loading" | "ready" | "error";

export class OllamaVisionTimelineCard extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
    _entries: { state: true },
    _status: { state: true },
    _error: { state: true },
    _selected: { state: true },
    _now: { state: true },
  };
  static override styles = [entryStyles, cardStyles];

  hass?: HomeAssistant;
  private _config?: ResolvedConfig;
  private _entries: TimelineEntry[] = [];
  private _status: Status = "loading";
  private _error = "";
  private _selected?: TimelineEntry;
  private _now = new Date();

  /** Bumped by every start and stop: an answer to an older one is dropped. */
  private session = 0;
  private started?: HomeAssistant["connection"];
  private unsubscribe?: Promise<Unsubscribe | undefined>;
  /** While a list is on its way: what the subscription brought meanwhile. */
  private arrivedWhileListing?: TimelineEntry[];
  private timers: ReturnType<typeof setInterval>[] = [];
  private opener?: HTMLElement;

  static getConfigElement(): HTMLElement {
    return document.createElement(EDITOR_TYPE);
  }

  static getStubConfig(): Partial<CardConfig> {
    return { entries: 5, layout: "list" };
  }

  setConfig(config: CardConfig): void {
    // Home Assistant shows what this throws as the card's error.
    this._config = resolveConfig(config, this.t);
    if (this.started) this.restart();
  }

  getCardSize(): number {
    if (!this._config) return 3;
    if (this._config.layout === "latest") return 6;
    if (this._config.layout === "strip") return 4;
    return 1 + Math.min(this._config.entries, 6) * 2;
  }

  getGridOptions(): Record<string, number> {
    return { columns: 12, min_columns: 4, min_rows: 2 };
  }

  private get language(): string {
    return languageOf(this.hass);
  }

  private get t(): Translate {
    return translator(this.language);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timers = [
      setInterval(() => this.tick(), CLOCK_MS),
      setInterval(() => void this.list(this.session), RENEW_MS),
    ];
    if (this.hass && this._config) this.restart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.stop();
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The frontend hands a new `hass` at every state change; only a new
    // connection (or the first one) needs the timeline again.
    if (changed.has("hass") && this.hass && this._config && this.isConnected) {
      if (this.hass.connection !== this.started) this.restart();
    }
  }

  private readonly reconnected = (): void => void this.list(this.session);

  private stop(): void {
    this.session += 1;
    this.started?.removeEventListener("ready", this.reconnected);
    this.started = undefined;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    void unsubscribe?.then((undo) => undo?.()).catch(() => undefined);
  }

  private restart(): void {
    this.stop();
    const hass = this.hass;
    const config = this._config;
    if (!hass || !config) return;
    const session = this.session;
    this.started = hass.connection;
    this._entries = [];
    this._status = "loading";
    this.arrivedWhileListing = [];
    hass.connection.addEventListener("ready", this.reconnected);
    const subscribed = hass.connection.subscribeMessage<TimelineEvent>(
      (event) => this.arrived(session, event.entry),
      { type: SUBSCRIBE, ...requestFilters(config, new Date()) },
    );
    this.unsubscribe = subscribed.catch(() => undefined);
    subscribed.then(
      () => this.list(session),
      (error: unknown) => this.fail(session, error),
    );
  }

  private arrived(session: number, entry: TimelineEntry): void {
    if (session !== this.session || !this._config) return;
    this.arrivedWhileListing?.push(entry);
    this._now = new Date();
    this._entries = mergeEntries(this._entries, [entry], this._config, this._now);
  }

  private async list(session: number): Promise<void> {
    const hass = this.hass;
    const config = this._config;
    if (!hass || !config || session !== this.session || !this.started) return;
    this.arrivedWhileListing ??= [];
    try {
      const page = await hass.connection.sendMessagePromise<TimelinePage>({
        type: LIST,
        ...requestFilters(config, new Date()),
        limit: config.entries,
      });
      if (session !== this.session) return;
      this._now = new Date();
      // The list is the truth (an entry cleared meanwhile goes); plus what
      // the subscription brought while it was on its way.
      this._entries = mergeEntries(
        page.entries,
        this.arrivedWhileListing ?? [],
        config,
        this._now,
      );
      this.arrivedWhileListing = undefined;
      this._status = "ready";
    } catch (error) {
      await this.fail(session, error);
    }
  }

  private async fail(session: number, error: unknown): Promise<void> {
    if (session !== this.session || !this.hass) return;
    const message = await errorMessage(this.hass, error);
    if (session !== this.session) return;
    this._error = message;
    this._status = "error";
  }

  private tick(): void {
    if (!this._config) return;
    this._now = new Date();
    this._entries = mergeEntries(this._entries, [], this._config, this._now);
  }

  private open(entry: TimelineEntry, event: Event): void {
    this.opener = event.currentTarget as HTMLElement;
    this._selected = entry;
  }

  private closed(): void {
    this._selected = undefined;
    // Back where the person was, for keyboards and screen readers.
    this.opener?.focus();
  }

  protected override render() {
    const config = this._config;
    if (!config) return nothing;
    const t = this.t;
    return html`
      <ha-card .header=${config.title}>
        <div class="content ${config.layout} ${config.title ? "" : "no-header"}">
          ${this.renderBody(config, t)}
        </div>
      </ha-card>
      <ollama-vision-entry-dialog
        .entry=${this._selected}
        .t=${t}
        .language=${this.language}
        .timeZone=${this.hass ? timeZoneOf(this.hass) : undefined}
        @closed=${this.closed}
      ></ollama-vision-entry-dialog>
    `;
  }

  private renderBody(config: ResolvedConfig, t: Translate) {
    if (this._status === "error") {
      return html`<div class="message error" role="alert">
        ${t("error", { message: this._error })}
      </div>`;
    }
    if (this._status === "loading" && this._entries.length === 0) {
      return html`<div class="message" role="status">${t("loading")}</div>`;
    }
    if (this._entries.length === 0) {
      return html`<div class="message" role="status">
        ${config.hours === undefined ? t("empty") : t("empty_hours", { hours: config.hours })}
      </div>`;
    }
    return html`
      <ul aria-live="polite">
        ${repeat(
          this._entries,
          (entry) => entry.id,
          (entry) => html`<li>${this.renderEntry(entry, t)}</li>`,
        )}
      </ul>
    `;
  }

  private renderEntry(entry: TimelineEntry, t: Translate) {
    const time = new Date(entry.time);
    const zone = this.hass ? timeZoneOf(this.hass) : undefined;
    return html`
      <button
        class="entry"
        aria-haspopup="dialog"
        @click=${(event: Event) => this.open(entry, event)}
      >
        ${entry.snapshot_url
          ? html`<img class="thumb" src=${entry.snapshot_url} alt=${altText(entry)} />`
          : html`<span class="thumb no-snapshot" role="img" aria-label=${altText(entry)}
              >${t("no_snapshot")}</span
            >`}
        <span class="text">
          <span class="meta">
            <span class="name">${entry.image_name}</span>
            <time datetime=${entry.time} title=${absoluteTime(time, this.language, zone)}
              >${relativeTime(time, this._now, this.language)}</time
            >
          </span>
          <span class="title">${entry.title}</span>
        </span>
      </button>
    `;
  }
}
