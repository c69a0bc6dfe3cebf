/** Times as people read them, in their own language. */
import type { HomeAssistant } from "./types";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.35],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/** "2 minutes ago", "i går", "há 3 horas": the largest unit that fits. */
export function relativeTime(time: Date, now: Date, language: string): string {
  const format = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
  let amount = (time.getTime() - now.getTime()) / 1000;
  // Under ten seconds (or a clock a little ahead of the browser's): "now".
  if (Math.abs(amount) < 10) return format.format(0, "second");
  for (const [unit, size] of UNITS) {
    if (Math.abs(amount) < size) return format.format(Math.round(amount), unit);
    amount /= size;
  }
  return format.format(Math.round(amount), "year");
}

/** The time zone the user chose to see times in: theirs, or the server's. */
export function timeZoneOf(hass: Pick<HomeAssistant, "locale" | "config">): string | undefined {
  return hass.locale?.time_zone === "server" ? hass.config.time_zone : undefined;
}

/** The date and time, in full, for the dialog and as a tooltip. */
export function absoluteTime(time: Date, language: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(language, {
    dateStyle: "medium",
    timeStyle: "medium",
    ...(timeZone ? { timeZone } : {}),
  }).format(time);
}

/** Seconds into a clip, as a number in the user's language ("2,5"). */
export function seconds(value: number, language: string): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value);
}
