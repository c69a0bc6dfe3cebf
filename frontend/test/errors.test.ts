import assert from "node:assert/strict";
import { test } from "node:test";

import { errorMessage } from "../src/errors";
import { fakeHass } from "./fake-hass";

const notAllowed = {
  code: "unauthorized",
  message: "You may not read the timeline of Garden",
  translation_domain: "ollama_vision",
  translation_key: "timeline_not_allowed",
  translation_placeholders: { setup: "Garden" },
};

test("the integration's own translation, in the user's language", async () => {
  const hass = fakeHass(undefined, "nb", {
    "component.ollama_vision.exceptions.timeline_not_allowed.message":
      "Du har ikke lov til å lese tidslinjen til {setup}.",
  });
  assert.equal(await errorMessage(hass, notAllowed), "Du har ikke lov til å lese tidslinjen til Garden.");
});

test("the server's English message when there is no translation", async () => {
  assert.equal(await errorMessage(fakeHass(), notAllowed), notAllowed.message);
  const broken = fakeHass();
  broken.loadBackendTranslation = async () => {
    throw new Error("offline");
  };
  assert.equal(await errorMessage(broken, notAllowed), notAllowed.message);
  assert.equal(
    await errorMessage(fakeHass(), { code: "unknown_error", message: "Unknown error" }),
    "Unknown error",
  );
  assert.equal(await errorMessage(fakeHass(), "lost"), "lost");
});
