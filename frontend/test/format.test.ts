import assert from "node:assert/strict";
import { test } from "node:test";

import { absoluteTime, relativeTime, seconds, timeZoneOf } from "../src/format";

const now = new Date("2026-11-05T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

test("relative times in the user's language, largest unit that fits", () => {
  assert.equal(relativeTime(ago(3_000), now, "en"), "now");
  assert.equal(relativeTime(ago(45_000), now, "en"), "45 seconds ago");
  assert.equal(relativeTime(ago(5 * 60_000), now, "en"), "5 minutes ago");
  assert.equal(relativeTime(ago(2 * 3_600_000), now, "nb"), "for 2 timer siden");
  assert.equal(relativeTime(ago(2 * 3_600_000), now, "pt"), "há 2 horas");
  assert.equal(relativeTime(ago(24 * 3_600_000), now, "en"), "yesterday");
  assert.equal(relativeTime(ago(24 * 3_600_000), now, "nb"), "i går");
  assert.equal(relativeTime(ago(3 * 86_400_000), now, "pt"), "há 3 dias");
  assert.equal(relativeTime(ago(14 * 86_400_000), now, "en"), "2 weeks ago");
  // A server clock a little ahead of the browser's.
  assert.equal(relativeTime(new Date(now.getTime() + 4_000), now, "en"), "now");
});

test("absolute times in the zone the user chose", () => {
  assert.equal(timeZoneOf({ locale: { language: "en", time_zone: "server" }, config: { time_zone: "Europe/Oslo" } }), "Europe/Oslo");
  assert.equal(timeZoneOf({ locale: { language: "en", time_zone: "local" }, config: { time_zone: "Europe/Oslo" } }), undefined);
  assert.match(absoluteTime(now, "en", "Europe/Oslo"), /Nov 5, 2026.*1:00:00\sPM/);
  assert.match(absoluteTime(now, "nb", "Europe/Oslo"), /5\. nov\. 2026.*13:00:00/);
});

test("seconds in the user's number format", () => {
  assert.equal(seconds(2.5, "en"), "2.5");
  assert.equal(seconds(2.5, "nb"), "2,5");
  assert.equal(seconds(4, "pt"), "4");
});
