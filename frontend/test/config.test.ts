import assert from "node:assert/strict";
import { test } from "node:test";

import { cleanConfig, ConfigError, requestFilters, resolveConfig } from "../src/config";
import { translator } from "../src/i18n";
import type { CardConfig } from "../src/types";

const en = translator("en");
const card = (config: Partial<CardConfig>): CardConfig => ({
  type: "custom:ollama-vision-timeline-card",
  ...config,
});

test("defaults: every setup and image name, ten entries, a list", () => {
  assert.deepEqual(resolveConfig(card({}), en), {
    title: undefined,
    configEntryId: undefined,
    imageNames: [],
    entries: 10,
    hours: undefined,
    layout: "list",
  });
});

test("latest only shows one entry, whatever the number says", () => {
  assert.equal(resolveConfig(card({ layout: "latest" }), en).entries, 1);
  assert.equal(resolveConfig(card({ layout: "latest", entries: 20 }), en).entries, 1);
  assert.equal(resolveConfig(card({ layout: "strip", entries: 20 }), en).entries, 20);
});

test("what is wrong is said, in the user's language", () => {
  assert.throws(
    () => resolveConfig(card({ layout: "grid" as never }), en),
    new ConfigError("layout must be list, strip or latest, not grid"),
  );
  assert.throws(() => resolveConfig(card({ entries: 0 }), en), /from 1 to 500, not 0/);
  assert.throws(() => resolveConfig(card({ entries: 2.5 }), en), /not 2.5/);
  assert.throws(() => resolveConfig(card({ entries: 501 }), en), /not 501/);
  assert.throws(() => resolveConfig(card({ hours: -1 }), en), /above 0, not -1/);
  assert.throws(() => resolveConfig(card({ image_names: "door" as never }), en), /list of names/);
  assert.throws(() => resolveConfig(card({ title: 5 as never }), en), /title must be text/);
  assert.throws(() => resolveConfig(card({ entries: 0 }), translator("nb")), /heltall fra 1 til 500/);
});

test("the request's filters: setup, image names, the start of the window", () => {
  const now = new Date("2026-11-05T12:00:00Z");
  const config = resolveConfig(
    card({ config_entry_id: "01ABC", image_names: ["door", " "], hours: 6 }),
    en,
  );
  assert.deepEqual(requestFilters(config, now), {
    config_entry_id: "01ABC",
    image_names: ["door"],
    start: "2026-11-05T06:00:00.000Z",
  });
  assert.deepEqual(requestFilters(resolveConfig(card({}), en), now), {});
});

test("the editor hands back no empty fields", () => {
  assert.deepEqual(
    cleanConfig(card({ title: "", image_names: [], hours: undefined, entries: 4 })),
    { type: "custom:ollama-vision-timeline-card", entries: 4 },
  );
});
