import assert from "node:assert/strict";
import { test } from "node:test";

import "../src/index";
import type { OllamaVisionTimelineCardEditor } from "../src/editor";
import { entry, fakeHass, FakeConnection, settle } from "./fake-hass";

interface Field {
  name: string;
  selector: Record<string, { options?: { value: string; label: string }[] }>;
}

/** Home Assistant's ha-form, as far as the editor uses it. */
class FakeForm extends HTMLElement {
  data?: Record<string, unknown>;
  schema?: Field[];
  computeLabel?: (field: Field) => string;
  change(value: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent("value-changed", { detail: { value } }));
  }
}
customElements.define("ha-form", FakeForm);

test("the editor: setup, image names, layout, entries and hours, labelled", async () => {
  const connection = new FakeConnection();
  connection.answer = {
    entries: [entry({ image_name: "garden" }), entry({ image_name: "door" })],
    next: null,
  };
  const editor = document.createElement(
    "ollama-vision-timeline-card-editor",
  ) as OllamaVisionTimelineCardEditor;
  editor.setConfig({ type: "custom:ollama-vision-timeline-card", image_names: ["porch"] });
  editor.hass = fakeHass(connection, "pt");
  document.body.append(editor);
  await settle();

  const form = editor.shadowRoot?.querySelector("ha-form") as FakeForm;
  const schema = form.schema ?? [];
  assert.deepEqual(
    schema.map((field) => field.name),
    ["title", "config_entry_id", "image_names", "layout", "entries", "hours"],
  );
  assert.deepEqual(schema[1].selector, { config_entry: { integration: "ollama_vision" } });
  assert.deepEqual(
    schema[2].selector.select.options?.map((o) => o.value),
    ["door", "garden", "porch"],
  );
  assert.deepEqual(
    schema[3].selector.select.options?.map((o) => o.label),
    ["Lista", "Faixa horizontal", "Só a mais recente"],
  );
  assert.equal(form.computeLabel?.(schema[4]), "Número de entradas");
  assert.equal(form.data?.layout, "list");
  assert.deepEqual(connection.sent[0], { type: "ollama_vision/timeline/list", limit: 500 });

  const changes: unknown[] = [];
  editor.addEventListener("config-changed", (event) =>
    changes.push((event as CustomEvent).detail.config),
  );
  form.change({ ...form.data, layout: "strip", title: "", hours: 12 });
  assert.deepEqual(changes, [
    {
      type: "custom:ollama-vision-timeline-card",
      image_names: ["porch"],
      layout: "strip",
      entries: 10,
      hours: 12,
    },
  ]);
});
