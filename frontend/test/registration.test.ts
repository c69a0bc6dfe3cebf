import assert from "node:assert/strict";
import { test } from "node:test";

import { settle } from "./fake-hass";

test("in Home Assistant's page, the card waits for the app's registry", async () => {
  // The page as index.html starts it: <home-assistant>, not defined yet.
  document.body.innerHTML = "<home-assistant></home-assistant>";
  await import("../src/index");
  await settle();
  assert.equal(customElements.get("ollama-vision-timeline-card"), undefined);
  assert.equal(window.customCards?.length ?? 0, 0);

  customElements.define("home-assistant", class extends HTMLElement {});
  await settle();
  assert.ok(customElements.get("ollama-vision-timeline-card"));
  assert.ok(customElements.get("ollama-vision-timeline-card-editor"));
  assert.ok(customElements.get("ollama-vision-entry-dialog"));
  assert.deepEqual(
    window.customCards?.map((card) => card.type),
    ["ollama-vision-timeline-card"],
  );
});
