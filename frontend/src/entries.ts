/** The entries a card shows: the list it got, plus what the subscription
 * brought since, newest first, no entry twice, within the card's window. */
import { windowStart, type ResolvedConfig } from "./config";
import type { TimelineEntry } from "./types";

function newestFirst(a: TimelineEntry, b: TimelineEntry): number {
  const byTime = Date.parse(b.time) - Date.parse(a.time);
  return byTime !== 0 ? byTime : b.id.localeCompare(a.id, "en", { numeric: true });
}

/**
 * Merge entries into those shown. A later copy of an entry (a new list after a
 * reconnect, with freshly signed links) replaces the earlier one.
 */
export function mergeEntries(
  shown: readonly TimelineEntry[],
  incoming: readonly TimelineEntry[],
  config: ResolvedConfig,
  now: Date,
): TimelineEntry[] {
  const byId = new Map(shown.map((entry) => [entry.id, entry]));
  for (const entry of incoming) byId.set(entry.id, entry);
  const start = windowStart(config, now);
  return [...byId.values()]
    .filter((entry) => !start || Date.parse(entry.time) >= start.getTime())
    .sort(newestFirst)
    .slice(0, config.entries);
}

/** Image names seen in entries, for the editor's choices. */
export function imageNamesOf(entries: readonly TimelineEntry[]): string[] {
  return [...new Set(entries.map((entry) => entry.image_name))].sort((a, b) =>
    a.localeCompare(b),
  );
}

/** A field name as words: `parcel_count` reads "Parcel count". */
export function fieldLabel(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A structured answer's value as text; yes/no in the user's language. */
export function fieldValue(value: unknown, yes: string, no: string): string {
  if (typeof value === "boolean") return value ? yes : no;
  if (Array.isArray(value)) return value.map((item) => fieldValue(item, yes, no)).join(", ");
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * What a picture shows, for screen readers: the description, or for a
 * structured answer (whose description is the model's JSON) its title in words.
 */
export function altText(entry: TimelineEntry): string {
  return entry.data ? entry.title : entry.description;
}
