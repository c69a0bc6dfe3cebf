/** A Home Assistant frontend in miniature: a connection that records what the
 * card asks and lets a test answer, push events and reconnect. */
import type {
  Connection,
  HomeAssistant,
  LocalizeFunc,
  TimelineEntry,
  TimelinePage,
  Unsubscribe,
} from "../src/types";

interface Subscription {
  message: Record<string, unknown>;
  callback: (event: unknown) => void;
  active: boolean;
}

export class FakeConnection implements Connection {
  sent: Record<string, unknown>[] = [];
  subscriptions: Subscription[] = [];
  /** What the next list answers: a page, or an error to reject with. */
  answer: TimelinePage | { error: unknown } = { entries: [], next: null };
  private listeners = new Map<string, Set<() => void>>();

  async sendMessagePromise<T>(message: Record<string, unknown>): Promise<T> {
    this.sent.push(message);
    if ("error" in this.answer) throw this.answer.error;
    return structuredClone(this.answer) as T;
  }

  async subscribeMessage<T>(
    callback: (event: T) => void,
    message: Record<string, unknown>,
  ): Promise<Unsubscribe> {
    this.sent.push(message);
    const subscription: Subscription = {
      message,
      callback: callback as (event: unknown) => void,
      active: true,
    };
    this.subscriptions.push(subscription);
    return async () => {
      subscription.active = false;
    };
  }

  /** An entry the integration just recorded. */
  push(entry: TimelineEntry): void {
    for (const subscription of this.subscriptions) {
      if (subscription.active) subscription.callback({ entry });
    }
  }

  get active(): Subscription[] {
    return this.subscriptions.filter((subscription) => subscription.active);
  }

  addEventListener(event: string, listener: () => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(listener);
  }

  removeEventListener(event: string, listener: () => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  fire(event: string): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
}

export function fakeHass(
  connection = new FakeConnection(),
  language = "en",
  backend: Record<string, string> = {},
): HomeAssistant & { connection: FakeConnection } {
  const localize: LocalizeFunc = (key, values = {}) =>
    (backend[key] ?? "").replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));
  return {
    connection,
    language,
    locale: { language, time_zone: "server" },
    config: { time_zone: "Europe/Oslo" },
    localize,
    loadBackendTranslation: async () => localize,
  };
}

let counter = 0;

export function entry(overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  counter += 1;
  return {
    id: `01SETUP:${counter}`,
    config_entry_id: "01SETUP",
    setup: "Front door",
    image_name: "doorbell",
    time: new Date(Date.now() - 60_000).toISOString(),
    title: `Visitor ${counter}`,
    description: `A person in a red coat at the door (${counter}).`,
    data: null,
    frames: [{ source: "camera.front_door", time: null }],
    snapshot: `media-source://media_source/local/ollama_vision/front_door/${counter}.jpg`,
    snapshot_url: `/media/local/ollama_vision/front_door/${counter}.jpg?authSig=x`,
    ...overrides,
  };
}

/** Let promises and Lit's updates settle. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
