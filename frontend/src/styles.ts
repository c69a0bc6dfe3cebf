/**
 * Looks taken from Home Assistant's theme variables, so light, dark and any
 * custom theme apply; the fallbacks are the default light theme's.
 */
import { css } from "lit";

export const entryStyles = css`
  :host {
    --ov-gap: 12px;
    --ov-radius: var(--ha-card-border-radius, 12px);
    --ov-thumb-radius: 8px;
    --ov-muted: var(--secondary-text-color, #727272);
    --ov-text: var(--primary-text-color, #212121);
    --ov-surface: var(--secondary-background-color, #e5e5e5);
    --ov-focus: var(--primary-color, #03a9f4);
  }
  .name {
    font-weight: 500;
    color: var(--ov-text);
  }
  time,
  .setup {
    color: var(--ov-muted);
    font-size: 0.875em;
  }
  .no-snapshot {
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--ov-surface);
    color: var(--ov-muted);
    font-size: 0.75em;
    text-align: center;
  }
  img {
    display: block;
    object-fit: cover;
    background: var(--ov-surface);
  }
`;

export const cardStyles = css`
  ha-card {
    overflow: hidden;
    height: 100%;
  }
  .content {
    padding: 0 var(--ov-gap) var(--ov-gap);
  }
  .content.no-header {
    padding-top: var(--ov-gap);
  }
  .message {
    padding: var(--ov-gap) 0;
    color: var(--ov-muted);
  }
  .message.error {
    color: var(--error-color, #db4437);
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  button.entry {
    all: unset;
    box-sizing: border-box;
    cursor: pointer;
    display: flex;
    gap: var(--ov-gap);
    width: 100%;
    padding: 8px;
    border-radius: var(--ov-thumb-radius);
    color: var(--ov-text);
  }
  button.entry:hover {
    background: var(--ov-surface);
  }
  button.entry:focus-visible {
    outline: 2px solid var(--ov-focus);
    outline-offset: 1px;
  }
  .text {
    display: flex;
    flex-direction: column;
    gap: 2px;
    min-width: 0;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0 8px;
    align-items: baseline;
  }
  .title {
    overflow: hidden;
    display: -webkit-box;
    -webkit-line-clamp: 3;
    -webkit-box-orient: vertical;
    line-height: 1.35;
  }

  /* List: a thumbnail beside its text. */
  .list li + li {
    border-top: 1px solid var(--divider-color, rgba(0, 0, 0, 0.12));
  }
  .list .thumb {
    flex: 0 0 auto;
    width: 96px;
    height: 72px;
    border-radius: var(--ov-thumb-radius);
  }

  /* Strip: pictures side by side, scrolled sideways. */
  .strip ul {
    display: flex;
    gap: var(--ov-gap);
    overflow-x: auto;
    scroll-snap-type: x mandatory;
    padding-bottom: 4px;
  }
  .strip li {
    flex: 0 0 auto;
    width: min(200px, 70%);
    scroll-snap-align: start;
  }
  .strip button.entry,
  .latest button.entry {
    flex-direction: column;
    padding: 0 0 8px;
  }
  .strip .thumb {
    width: 100%;
    aspect-ratio: 4 / 3;
    border-radius: var(--ov-thumb-radius);
  }
  .strip .title {
    -webkit-line-clamp: 2;
  }

  /* Latest: one picture, as large as the card. */
  .latest .thumb {
    width: 100%;
    aspect-ratio: 16 / 9;
    border-radius: var(--ov-thumb-radius);
  }
  .latest .text {
    padding: 0 4px;
  }
`;

export const dialogStyles = css`
  dialog {
    box-sizing: border-box;
    width: min(720px, calc(100vw - 24px));
    max-height: calc(100vh - 24px);
    padding: 0;
    border: none;
    border-radius: var(--ov-radius);
    background: var(--card-background-color, var(--ha-card-background, #fff));
    color: var(--ov-text);
    box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3);
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.6);
  }
  header {
    display: flex;
    align-items: flex-start;
    gap: var(--ov-gap);
    padding: 16px 16px 8px;
  }
  header .heading {
    flex: 1;
    min-width: 0;
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
    font-weight: 500;
    overflow-wrap: anywhere;
  }
  .close {
    all: unset;
    cursor: pointer;
    flex: 0 0 auto;
    width: 40px;
    height: 40px;
    border-radius: 50%;
    display: flex;
    align-items: center;
    justify-content: center;
    font-size: 24px;
    color: var(--ov-muted);
  }
  .close:hover {
    background: var(--ov-surface);
  }
  .close:focus-visible {
    outline: 2px solid var(--ov-focus);
  }
  .body {
    padding: 0 16px 16px;
  }
  .setup time {
    font-size: inherit;
  }
  .picture {
    width: 100%;
    height: auto;
    max-height: 50vh;
    object-fit: contain;
    border-radius: var(--ov-thumb-radius);
  }
  .picture.no-snapshot {
    aspect-ratio: 16 / 9;
    border-radius: var(--ov-thumb-radius);
  }
  h3 {
    margin: 16px 0 6px;
    font-size: 1em;
    font-weight: 500;
    color: var(--ov-muted);
  }
  p.description {
    margin: 0;
    white-space: pre-wrap;
    line-height: 1.45;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    vertical-align: top;
    padding: 6px 8px 6px 0;
    border-bottom: 1px solid var(--divider-color, rgba(0, 0, 0, 0.12));
    overflow-wrap: anywhere;
  }
  th {
    font-weight: 500;
    width: 40%;
  }
  thead th {
    color: var(--ov-muted);
  }
`;
