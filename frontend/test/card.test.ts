import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import "../src/index";
import type { OllamaVisionTimelineCard } from "../src/card";
import type { OllamaVisionEntryDialog } from "../src/dialog";
import type { CardConfig } from "../src/types";
import { entry, fakeHass, FakeConnection, settle } from "./fake-hass";

const TYPE = "custom:ollama-vision-timeline-card";

async function mount(
  config: Partial<CardConfig>,
  hass = fakeHass(),
): Promise<{ card: OllamaVisionTimelineCard; hass: ReturnType<typeof fakeHass> }> {
  const card = document.createElement("ollama-vision-timeline-card") as OllamaVisionTimelineCard;
  card.setConfig({ type: TYPE, ...config });
  card.hass = hass;
  document.body.append(card);
  await settle();
  return { card, hass };
}

const root = (card: OllamaVisionTimelineCard) => card.shadowRoot as ShadowRoot;
const text = (card: OllamaVisionTimelineCard) =>
  (root(card).textContent ?? "").replace(/\s+/g, " ").trim();
const buttons = (card: OllamaVisionTimelineCard) =>
  [...root(card).querySelectorAll<HTMLButtonElement>("button.entry")];

beforeEach(() => {
  document.body.innerHTML = "";
});

test("the card is in the card picker, with a preview and an editor", () => {
  const picked = window.customCards?.find((c) => c.type === "ollama-vision-timeline-card");
  assert.ok(picked);
  assert.match(picked.name, /Ollama Vision/);
  assert.equal(picked.preview, true);
  const Card = customElements.get("ollama-vision-timeline-card") as unknown as {
    getConfigElement(): HTMLElement;
    getStubConfig(): object;
  };
  assert.equal(Card.getConfigElement().localName, "ollama-vision-timeline-card-editor");
  assert.deepEqual(Card.getStubConfig(), { entries: 5, layout: "list" });
});

test("subscribes first, then lists, with the card's filters", async () => {
  const connection = new FakeConnection();
  await mount(
    { config_entry_id: "01SETUP", image_names: ["doorbell"], entries: 4 },
    fakeHass(connection),
  );
  assert.deepEqual(
    connection.sent.map((m) => m.type),
    ["ollama_vision/timeline/subscribe", "ollama_vision/timeline/list"],
  );
  assert.deepEqual(connection.sent[1], {
    type: "ollama_vision/timeline/list",
    config_entry_id: "01SETUP",
    image_names: ["doorbell"],
    limit: 4,
  });
  assert.equal(connection.sent[0].limit, undefined);
});

test("each entry: its picture (alt: the description), name, relative time, title", async () => {
  const connection = new FakeConnection();
  const first = entry({ title: "A parcel on the step" });
  connection.answer = { entries: [first], next: null };
  const { card } = await mount({}, fakeHass(connection));

  const [button] = buttons(card);
  const img = button.querySelector("img") as HTMLImageElement;
  assert.equal(img.getAttribute("src"), first.snapshot_url);
  assert.equal(img.getAttribute("alt"), first.description);
  assert.match(button.textContent ?? "", /doorbell/);
  assert.match(button.textContent ?? "", /1 minute ago/);
  assert.match(button.textContent ?? "", /A parcel on the step/);
  assert.equal(button.querySelector("time")?.getAttribute("datetime"), first.time);
});

test("a new analysis appears at the top, live, once", async () => {
  const connection = new FakeConnection();
  const old = entry();
  connection.answer = { entries: [old], next: null };
  const { card } = await mount({}, fakeHass(connection));
  const fresh = entry({ time: new Date().toISOString(), title: "Just now" });

  connection.push(fresh);
  connection.push(fresh);
  await settle();

  assert.deepEqual(
    buttons(card).map((b) => b.querySelector(".title")?.textContent),
    ["Just now", old.title],
  );
  assert.match(buttons(card)[0].textContent ?? "", /now/);
});

test("empty, loading and error states, in the user's language", async () => {
  const { card } = await mount({ hours: 6 });
  assert.equal(text(card), "No analyses in the last 6 h.");

  const slow = new FakeConnection();
  slow.subscribeMessage = () => new Promise(() => undefined);
  const { card: loading } = await mount({}, fakeHass(slow, "pt"));
  assert.equal(text(loading), "A carregar a linha do tempo…");
  assert.equal(root(loading).querySelector("[role=status]")?.textContent?.trim(), "A carregar a linha do tempo…");

  const failing = new FakeConnection();
  failing.answer = {
    error: {
      code: "not_loaded",
      message: "The setup Garden is not loaded",
      translation_domain: "ollama_vision",
      translation_key: "timeline_setup_not_loaded",
      translation_placeholders: { setup: "Garden" },
    },
  };
  const hass = fakeHass(failing, "nb", {
    "component.ollama_vision.exceptions.timeline_setup_not_loaded.message":
      "Oppsettet {setup} er ikke lastet.",
  });
  const { card: broken } = await mount({}, hass);
  const alert = root(broken).querySelector("[role=alert]");
  assert.equal(
    alert?.textContent?.replace(/\s+/g, " ").trim(),
    "Tidslinjen kunne ikke lastes inn: Oppsettet Garden er ikke lastet.",
  );
});

test("tapping an entry opens it in full; closing goes back to it", async () => {
  const connection = new FakeConnection();
  const clip = entry({
    title: "Parcel: ja · Vehicles: 1 · Vehicle colour: white",
    description: '{"parcel": true, "vehicles": 1, "vehicle_colour": "white"}',
    data: { parcel: true, vehicles: 1, vehicle_colour: "white" },
    frames: [
      { source: "https://cam/clip.mp4", time: 0 },
      { source: "https://cam/clip.mp4", time: 2.5 },
    ],
  });
  connection.answer = { entries: [clip], next: null };
  const { card } = await mount({ layout: "strip" }, fakeHass(connection, "nb"));
  const [button] = buttons(card);
  button.focus();
  button.click();
  await settle();

  const dialog = root(card).querySelector("ollama-vision-entry-dialog") as OllamaVisionEntryDialog;
  const native = dialog.shadowRoot?.querySelector("dialog") as HTMLDialogElement;
  assert.equal(native.open, true);
  assert.equal(native.getAttribute("aria-labelledby"), "heading");
  const shown = dialog.shadowRoot as ShadowRoot;
  assert.equal(shown.querySelector("h2")?.textContent, "doorbell");
  assert.equal(shown.querySelector("img.picture")?.getAttribute("src"), clip.snapshot_url);
  // A structured answer's description is the model's JSON: the table says it.
  assert.equal(shown.querySelector("p.description"), null);
  assert.equal(shown.querySelector("img.picture")?.getAttribute("alt"), clip.title);
  assert.equal(button.querySelector("img")?.getAttribute("alt"), clip.title);
  const rows = [...shown.querySelectorAll("table.data tr")].map((row) =>
    [...row.children].map((cell) => cell.textContent?.trim()),
  );
  assert.deepEqual(rows, [
    ["Parcel", "ja"],
    ["Vehicles", "1"],
    ["Vehicle colour", "white"],
  ]);
  const frames = [...shown.querySelectorAll("table.frames tbody tr")].map(
    (row) => row.firstElementChild?.textContent?.trim(),
  );
  assert.deepEqual(frames, ["0 s", "2,5 s"]);
  assert.equal(shown.querySelector(".close")?.getAttribute("aria-label"), "Lukk");

  (shown.querySelector(".close") as HTMLButtonElement).click();
  await settle();
  assert.equal(native.open, false);
  assert.equal(card.shadowRoot?.activeElement, button);
});

test("an entry without a picture says so; latest shows one entry", async () => {
  const connection = new FakeConnection();
  const newest = entry({ snapshot_url: null, snapshot: null });
  const older = entry({ time: new Date(Date.now() - 3_600_000).toISOString() });
  connection.answer = { entries: [newest, older], next: null };
  const { card } = await mount({ layout: "latest" }, fakeHass(connection));
  assert.equal(buttons(card).length, 1);
  assert.equal(connection.sent[1].limit, 1);
  const placeholder = root(card).querySelector(".no-snapshot");
  assert.equal(placeholder?.getAttribute("role"), "img");
  assert.equal(placeholder?.getAttribute("aria-label"), newest.description);
  (buttons(card)[0] as HTMLButtonElement).click();
  await settle();
  const dialog = root(card).querySelector("ollama-vision-entry-dialog")?.shadowRoot;
  assert.equal(dialog?.querySelector("p.description")?.textContent, newest.description);
  assert.equal(dialog?.querySelector(".picture.no-snapshot")?.textContent, "No picture");
  // One picture, no clip: no table of frames.
  assert.equal(dialog?.querySelector("table.frames"), null);
});

test("after a reconnect it lists again; removed, it unsubscribes", async () => {
  const connection = new FakeConnection();
  const { card } = await mount({}, fakeHass(connection));
  const renewed = entry({ snapshot_url: "/media/local/x.jpg?authSig=new" });
  connection.answer = { entries: [renewed], next: null };

  connection.fire("ready");
  await settle();
  assert.equal(connection.sent.filter((m) => m.type === "ollama_vision/timeline/list").length, 2);
  assert.equal(buttons(card)[0].querySelector("img")?.getAttribute("src"), renewed.snapshot_url);

  card.remove();
  await settle();
  assert.equal(connection.active.length, 0);
  connection.fire("ready");
  await settle();
  assert.equal(connection.sent.filter((m) => m.type === "ollama_vision/timeline/list").length, 2);
});

test("a new configuration (the editor's preview) starts over with it", async () => {
  const connection = new FakeConnection();
  const { card } = await mount({}, fakeHass(connection));
  card.setConfig({ type: TYPE, image_names: ["garden"] });
  await settle();
  assert.equal(connection.active.length, 1);
  assert.deepEqual(connection.active[0].message.image_names, ["garden"]);
  assert.throws(() => card.setConfig({ type: TYPE, layout: "grid" as never }), /layout must be/);
});
