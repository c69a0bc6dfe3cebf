/**
 * One entry in full: the picture at full size, the whole description, a
 * structured answer as a table and the pictures of a clip with their times.
 *
 * A native <dialog> shown as a modal: the browser keeps focus inside it, puts
 * it above the whole dashboard, and closes it on Escape.
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";

import { altText, fieldLabel, fieldValue } from "./entries";
import { absoluteTime, seconds } from "./format";
import type { Translate } from "./i18n";
import { dialogStyles, entryStyles } from "./styles";
import type { TimelineEntry } from "./types";

export const DIALOG_TYPE = "ollama-vision-entry-dialog";

export class OllamaVisionEntryDialog extends LitElement {
  static override properties = {
    entry: { attribute: false },
    t: { attribute: false },
    language: { attribute: false },
    timeZone: { attribute: false },
  };
  static override styles = [entryStyles, dialogStyles];

  entry?: TimelineEntry;
  t?: Translate;
  language = "en";
  timeZone?: string;

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector("dialog");
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("entry") && this.entry && !this.dialog?.open) {
      this.dialog?.showModal();
      this.renderRoot.querySelector<HTMLElement>(".close")?.focus();
    }
  }

  close(): void {
    this.dialog?.close();
  }

  private closed(): void {
    this.dispatchEvent(new CustomEvent("closed", { bubbles: true, composed: true }));
  }

  private clickedOutside(event: MouseEvent): void {
    // A click on the backdrop lands on the <dialog> itself.
    if (event.target === this.dialog) this.close();
  }

  protected override render() {
    const { entry, t } = this;
    if (!entry || !t) return html`<dialog @close=${this.closed}></dialog>`;
    const time = new Date(entry.time);
    return html`
      <dialog
        aria-labelledby="heading"
        @close=${this.closed}
        @click=${this.clickedOutside}
      >
        <header>
          <div class="heading">
            <h2 id="heading">${entry.image_name}</h2>
            <div class="setup">
              ${t("analysed_at")}:
              <time datetime=${entry.time}
                >${absoluteTime(time, this.language, this.timeZone)}</time
              >
            </div>
            <div class="setup">${t("setup")}: ${entry.setup}</div>
          </div>
          <button class="close" aria-label=${t("close")} @click=${this.close}>
            ✕
          </button>
        </header>
        <div class="body">
          ${entry.snapshot_url
            ? html`<img class="picture" src=${entry.snapshot_url} alt=${altText(entry)} />`
            : html`<div class="picture no-snapshot">${t("no_snapshot")}</div>`}
          ${this.renderData(entry, t) ?? this.renderDescription(entry, t)}
          ${this.renderFrames(entry, t)}
        </div>
      </dialog>
    `;
  }

  private renderDescription(entry: TimelineEntry, t: Translate) {
    return html`
      <h3>${t("description")}</h3>
      <p class="description">${entry.description}</p>
    `;
  }

  /** A structured answer as a table; its description is only the model's JSON. */
  private renderData(entry: TimelineEntry, t: Translate) {
    if (!entry.data || Object.keys(entry.data).length === 0) return undefined;
    return html`
      <h3>${t("data")}</h3>
      <table class="data">
        <tbody>
          ${Object.entries(entry.data).map(
            ([name, value]) => html`
              <tr>
                <th scope="row">${fieldLabel(name)}</th>
                <td>${fieldValue(value, t("yes"), t("no"))}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }

  private renderFrames(entry: TimelineEntry, t: Translate) {
    // One picture without a time says nothing the header does not.
    const clip = entry.frames.length > 1 || entry.frames.some((f) => f.time !== null);
    if (!clip) return nothing;
    return html`
      <h3>${t("frames")}</h3>
      <table class="frames">
        <thead>
          <tr>
            <th scope="col">${t("frame_time")}</th>
            <th scope="col">${t("frame_source")}</th>
          </tr>
        </thead>
        <tbody>
          ${entry.frames.map(
            (frame) => html`
              <tr>
                <td>
                  ${frame.time === null
                    ? t("single_picture")
                    : t("seconds", { seconds: seconds(frame.time, this.language) })}
                </td>
                <td>${frame.source}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }
}
