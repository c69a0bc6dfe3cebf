import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";

// @ts-expect-error: a plain ES module, without types
import { bundle, OUTPUT } from "../build.mjs";

test("the committed card is what its sources build to", async () => {
  const built: Uint8Array = await bundle();
  const committed = await readFile(OUTPUT as string);
  assert.ok(
    Buffer.from(built).equals(committed),
    "custom_components/ollama_vision/frontend/ollama-vision-timeline-card.js is stale: run scripts/build-card",
  );
});
