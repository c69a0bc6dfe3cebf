/**
 * The parts of Home Assistant's frontend objects the card uses, and what the
 * integration's websocket API answers. Home Assistant publishes no types for
 * custom cards: these follow its frontend (src/types.ts) where the card
 * touches it.
 */

/** What `ollama_vision/timeline/list` and `/subscribe` give for each entry. */
export interface TimelineEntry {
  id: string;
  config_entry_id: string;
  setup: string;
  image_name: string;
  /** ISO 8601, with its offset. */
  time: string;
  title: string;
  description: string;
  /** The structured answer, when the analysis asked for one. */
  data: Record<string, unknown> | null;
  /** Each picture the model got: its source, and its time into a clip (s). */
  frames: { source: string; time: number | null }[];
  snapshot: string | null;
  /** Signed for the signed-in user: an <img> loads it as it is. */
  snapshot_url: string | null;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  next: string | null;
}

export interface TimelineEvent {
  entry: TimelineEntry;
}

/** The filters both commands take. */
export interface TimelineFilters {
  config_entry_id?: string;
  image_names?: string[];
  start?: string;
  end?: string;
  search?: string;
}

/** An error result as home-assistant-js-websocket rejects with it. */
export interface WebsocketError {
  code: string;
  message: string;
  translation_key?: string;
  translation_domain?: string;
  translation_placeholders?: Record<string, string>;
}

export type Unsubscribe = () => Promise<void>;

export interface Connection {
  sendMessagePromise<T>(message: Record<string, unknown>): Promise<T>;
  subscribeMessage<T>(
    callback: (event: T) => void,
    message: Record<string, unknown>,
    options?: { resubscribe?: boolean },
  ): Promise<Unsubscribe>;
  addEventListener(event: "ready" | "disconnected", listener: () => void): void;
  removeEventListener(event: "ready" | "disconnected", listener: () => void): void;
}

export type LocalizeFunc = (
  key: string,
  values?: Record<string, string | number>,
) => string;

export interface HomeAssistant {
  connection: Connection;
  language: string;
  locale?: { language: string; time_zone?: "local" | "server" };
  config: { time_zone: string };
  themes?: { darkMode?: boolean };
  localize: LocalizeFunc;
  loadBackendTranslation(
    category: string,
    integration?: string,
  ): Promise<LocalizeFunc>;
}

export type Layout = "list" | "strip" | "latest";

/** The card's configuration, as the YAML editor shows it. */
export interface CardConfig {
  type: string;
  title?: string;
  config_entry_id?: string;
  image_names?: string[];
  /** How many entries to show (1-500). */
  entries?: number;
  /** Only the analyses of the last so many hours. */
  hours?: number;
  layout?: Layout;
}
