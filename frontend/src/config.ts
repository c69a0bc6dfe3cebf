/** The card's configuration: checked, with defaults, and as request filters. */
import type { Translate } from "./i18n";
import type { CardConfig, Layout, TimelineFilters } from "./types";

export const CARD_TYPE = "ollama-vision-timeline-card";
export const EDITOR_TYPE = "ollama-vision-timeline-card-editor";
export const LAYOUTS: readonly Layout[] = ["list", "strip", "latest"];
export const DEFAULT_ENTRIES = 10;
/** The integration's own limit for one list request. */
export const MAX_ENTRIES = 500;

/** A configuration with every choice made. */
export interface ResolvedConfig {
  title: string | undefined;
  configEntryId: string | undefined;
  imageNames: string[];
  entries: number;
  hours: number | undefined;
  layout: Layout;
}

export class ConfigError extends Error {}

/** Check what the user wrote (YAML or the visual editor); throw what is wrong. */
export function resolveConfig(config: CardConfig, t: Translate): ResolvedConfig {
  const text = (field: "title" | "config_entry_id"): string | undefined => {
    const value = config[field];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw new ConfigError(t("invalid_text", { field }));
    return value;
  };
  const layout = config.layout ?? "list";
  if (!LAYOUTS.includes(layout)) {
    throw new ConfigError(t("invalid_layout", { value: String(layout) }));
  }
  const entries = config.entries ?? (layout === "latest" ? 1 : DEFAULT_ENTRIES);
  if (!Number.isInteger(entries) || entries < 1 || entries > MAX_ENTRIES) {
    throw new ConfigError(t("invalid_entries", { value: String(entries) }));
  }
  const hours = config.hours ?? undefined;
  if (hours !== undefined && !(typeof hours === "number" && hours > 0)) {
    throw new ConfigError(t("invalid_hours", { value: String(hours) }));
  }
  const names = config.image_names ?? [];
  if (!Array.isArray(names) || names.some((name) => typeof name !== "string")) {
    throw new ConfigError(t("invalid_image_names"));
  }
  return {
    title: text("title"),
    configEntryId: text("config_entry_id"),
    imageNames: names.filter((name) => name.trim() !== ""),
    entries: layout === "latest" ? 1 : entries,
    hours,
    layout,
  };
}

/** Where the card's window starts, if it has one. */
export function windowStart(config: ResolvedConfig, now: Date): Date | undefined {
  return config.hours === undefined
    ? undefined
    : new Date(now.getTime() - config.hours * 3_600_000);
}

/** The filters of the card's list and subscription. */
export function requestFilters(config: ResolvedConfig, now: Date): TimelineFilters {
  const filters: TimelineFilters = {};
  if (config.configEntryId) filters.config_entry_id = config.configEntryId;
  if (config.imageNames.length) filters.image_names = config.imageNames;
  const start = windowStart(config, now);
  if (start) filters.start = start.toISOString();
  return filters;
}

/** The configuration without empty fields, as the editor hands it back. */
export function cleanConfig(config: CardConfig): CardConfig {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const empty =
      value === undefined ||
      value === null ||
      value === "" ||
      (Array.isArray(value) && value.length === 0);
    if (!empty) clean[key] = value;
  }
  return clean as unknown as CardConfig;
}
