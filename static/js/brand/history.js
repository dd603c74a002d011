// The published versions, newest first: who published what and when, the live one marked, older
// pages on request (keyset: `next_before`), and "Restore", which publishes an old version again.

import { get, post, qs } from "../chat/api.js";
import { formatFull, h } from "../chat/util.js";

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const STEPS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 minutes ago", "yesterday"; "just now" under a minute. */
export function timeAgo(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

function changesText(version) {
  if (version.restored_from) return `Restored from version ${version.restored_from}`;
  if (!version.changes.length) return version.version === 1 ? "The first version" : "Published again";
  const [first, ...rest] = version.changes;
  const list = rest.length ? `${[first, ...rest.slice(0, -1)].join(", ")} and ${rest.at(-1)}` : first;
  return `Changed ${list}`;
}

export class History {
  /** @param opts {api, confirm({title, text, ok}): promise of a yes, isDirty(), onRestored(draft)} */
  constructor(root, { api, confirm, isDirty, onRestored }) {
    this.api = api;
    this.confirm = confirm;
    this.isDirty = isDirty;
    this.onRestored = onRestored;
    this.list = root.querySelector("#version-list");
    this.more = root.querySelector("#history-more");
    this.empty = root.querySelector("#history-empty");
    this.error = root.querySelector("#history-error");
    this.versions = [];
    this.nextBefore = null;
    this.live = null;
    this.more.addEventListener("click", () => this.loadOlder());
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-restore]");
      if (button) this.restore(Number(button.dataset.restore), button);
    });
  }

  show(versions, nextBefore, live) {
    this.versions = versions;
    this.nextBefore = nextBefore;
    this.live = live;
    this.render();
  }

  render() {
    this.list.replaceChildren(...this.versions.map((version) => this.row(version)));
    this.more.hidden = this.nextBefore === null || this.nextBefore === undefined;
    const count = this.versions.length;
    this.empty.hidden = count > 1 || !this.more.hidden;
    this.empty.textContent =
      count === 0
        ? "Nothing has been published yet. Publish the draft to make it the workspace's brand."
        : "This is the only version so far. Each time you publish, a new one appears here, and you can go back to any of them.";
  }

  row(version) {
    const live = version.version === this.live;
    const picture = version.logo || version.icon;
    const mark = h(
      "span",
      { class: "version-mark", "aria-hidden": "true", style: `--primary: ${version.primary_colour}; --accent: ${version.accent_colour}` },
      picture && h("img", { src: picture, alt: "", loading: "lazy" }),
    );
    // Version 1 of a workspace is published by its creation, not by a person.
    const who = version.published_by
      ? version.published_by.name || "Someone"
      : version.version === 1 && !version.changes.length
        ? "Created with the workspace"
        : "A former member";
    const time = h("time", { datetime: version.published_at, title: formatFull(version.published_at) }, timeAgo(version.published_at));
    return h(
      "li",
      { class: `version${live ? " is-live" : ""}` },
      mark,
      h(
        "div",
        { class: "version-body" },
        h("h3", { class: "version-title" }, `Version ${version.version}`, live && " ", live && h("span", { class: "badge badge-brand" }, "Live")),
        h("p", { class: "version-meta" }, `${who} · `, time),
        h("p", { class: "version-changes" }, changesText(version)),
      ),
      !live &&
        h(
          "button",
          { type: "button", class: "btn btn-secondary btn-sm", "data-restore": version.version, "aria-label": `Restore version ${version.version}` },
          "Restore",
        ),
    );
  }

  setError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  async loadOlder() {
    this.more.disabled = true;
    this.more.textContent = "Loading…";
    this.setError("");
    try {
      const page = await get(`${this.api}versions/${qs({ before: this.nextBefore })}`);
      this.versions = [...this.versions, ...page.results];
      this.nextBefore = page.next_before;
      const focusAt = this.list.children.length;
      this.render();
      this.list.children[focusAt]?.querySelector("button")?.focus();
    } catch (error) {
      this.setError(`Older versions could not be loaded: ${error.message}`);
    } finally {
      this.more.disabled = false;
      this.more.textContent = "Load older versions";
    }
  }

  /** The first page again, after a publish or a restore. */
  async reload(live) {
    const page = await get(`${this.api}versions/`);
    this.show(page.results, page.next_before, live);
  }

  async restore(number, button) {
    const lost = this.isDirty() ? " Your unsaved changes in the form will be lost." : "";
    const ok = await this.confirm({
      title: `Restore version ${number}?`,
      text: `Version ${number} becomes the draft and is published at once as a new version; everyone sees it from their next page.${lost}`,
      ok: `Restore and publish`,
    });
    if (!ok) return;
    button.disabled = true;
    this.setError("");
    try {
      const draft = await post(`${this.api}versions/${number}/restore/`, { publish: true });
      await this.onRestored(draft);
      await this.reload(draft.published_version);
      this.list.querySelector(".version")?.setAttribute("tabindex", "-1");
      this.list.querySelector(".version")?.focus();
    } catch (error) {
      button.disabled = false;
      this.setError(`Version ${number} could not be restored: ${error.message}`);
    }
  }
}
