import assert from "node:assert/strict";
import { test } from "node:test";

import { resolveConfig } from "../src/config";
import { fieldLabel, fieldValue, imageNamesOf, mergeEntries } from "../src/entries";
import { translator } from "../src/i18n";
import { entry } from "./fake-hass";

const now = new Date("2026-11-05T12:00:00Z");
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
const config = (extra = {}) =>
  resolveConfig({ type: "custom:ollama-vision-timeline-card", entries: 3, ...extra }, translator("en"));

test("newest first, each entry once, no more than the card shows", () => {
  const [a, b, c, d] = [30, 20, 10, 0].map((minutes) => entry({ time: at(minutes) }));
  const shown = mergeEntries([a, b], [c, b], config(), now);
  assert.deepEqual(shown.map((e) => e.id), [c.id, b.id, a.id]);
  assert.deepEqual(
    mergeEntries(shown, [d], config(), now).map((e) => e.id),
    [d.id, c.id, b.id],
  );
});

test("a later copy of an entry replaces the earlier (fresh links)", () => {
  const first = entry({ time: at(5) });
  const renewed = { ...first, snapshot_url: "/media/new?authSig=y" };
  const [shown] = mergeEntries([first], [renewed], config(), now);
  assert.equal(shown.snapshot_url, "/media/new?authSig=y");
});

test("entries of one instant keep the server's order (higher id first)", () => {
  const time = at(1);
  const low = entry({ id: "01SETUP:9", time });
  const high = entry({ id: "01SETUP:10", time });
  assert.deepEqual(mergeEntries([low, high], [], config(), now).map((e) => e.id), [
    "01SETUP:10",
    "01SETUP:9",
  ]);
});

test("entries older than the card's hours drop out", () => {
  const old = entry({ time: at(121) });
  const recent = entry({ time: at(119) });
  assert.deepEqual(
    mergeEntries([old, recent], [], config({ hours: 2 }), now).map((e) => e.id),
    [recent.id],
  );
});

test("image names for the editor, each once", () => {
  const names = imageNamesOf([
    entry({ image_name: "garden" }),
    entry({ image_name: "door" }),
    entry({ image_name: "garden" }),
  ]);
  assert.deepEqual(names, ["door", "garden"]);
});

test("a structured answer's fields as words", () => {
  assert.equal(fieldLabel("parcel_count"), "Parcel count");
  assert.equal(fieldValue(true, "ja", "nei"), "ja");
  assert.equal(fieldValue(false, "ja", "nei"), "nei");
  assert.equal(fieldValue(["red", "blue"], "y", "n"), "red, blue");
  assert.equal(fieldValue(2, "y", "n"), "2");
  assert.equal(fieldValue(null, "y", "n"), "");
  assert.equal(fieldValue({ a: 1 }, "y", "n"), '{"a":1}');
});
