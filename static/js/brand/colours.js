// The primary and accent colours: a native colour input and a hex field kept in step, the
// contrast the server measures for them as badges, a failure explained in a sentence with the
// nearest passing colour one click away, and the palette the pages derive from them.

import { get, qs } from "../chat/api.js";
import { debounce, h } from "../chat/util.js";
import { COLOUR_FIELDS, parseHex } from "./state.js";

// WCAG AA: text on the colour, and the colour against the page (CONTRACT.md, "White-label").
const TEXT_CONTRAST = 4.5;
const PAGE_CONTRAST = 3;
const RATIO_KEYS = {
  primary_colour: { text: "primary_text", page: "primary_on_surface" },
  accent_colour: { text: "accent_text", page: "accent_on_surface" },
};
const SCHEMES = [
  ["light", "Light mode"],
  ["dark", "Dark mode"],
];

/** 4.49 shows as 4.4, never rounded up past what it needs. */
function shownRatio(ratio) {
  return (Math.floor(ratio * 10) / 10).toFixed(1);
}

export class ColourFields {
  /** @param opts {api, current(): {primary_colour, accent_colour} to judge, onChange(name, value),
   *               onKeep(): save again, accepting the colours} */
  constructor(root, { api, current, onChange, onKeep }) {
    this.api = api;
    this.current = current;
    this.onChange = onChange;
    this.onKeep = onKeep;
    this.result = null;
    this.refusal = null;
    this.checked = "";
    this.controller = null;
    this.fields = {};
    for (const name of COLOUR_FIELDS) {
      const box = root.querySelector(`[data-colour="${name}"]`);
      const field = {
        picker: box.querySelector("[data-picker]"),
        hex: box.querySelector("[data-field]"),
        ratios: box.querySelector("[data-ratios]"),
        problem: box.querySelector("[data-problem]"),
      };
      this.fields[name] = field;
      field.picker.addEventListener("input", () => {
        field.hex.value = field.picker.value;
        this.changed(name, field.picker.value);
      });
      // The hex field's edits reach the state through the form (fields.js); here the picker follows.
      field.hex.addEventListener("input", () => {
        const colour = parseHex(field.hex.value);
        if (colour) field.picker.value = colour;
        this.dropRefusal(name);
        this.schedule();
      });
    }
    this.palette = root.querySelector("#palette");
    this.schedule = debounce(() => this.check(), 250);
  }

  changed(name, value) {
    this.dropRefusal(name);
    this.onChange(name, value);
    this.schedule();
  }

  fill(values, palette) {
    for (const name of COLOUR_FIELDS) {
      const field = this.fields[name];
      field.hex.value = values[name];
      field.picker.value = parseHex(values[name]) || "#000000";
    }
    if (palette) this.renderPalette(palette);
    this.check();
  }

  async check() {
    const colours = this.current();
    const key = JSON.stringify(colours);
    if (key === this.checked) return;
    this.controller?.abort();
    this.controller = new AbortController();
    try {
      this.result = await get(`${this.api}contrast/${qs(colours)}`, { signal: this.controller.signal });
      this.checked = key;
    } catch (error) {
      if (error.name === "AbortError") return;
      this.result = null; // the badges go; the save still judges
    }
    this.render();
  }

  /** A save was refused with `low_contrast`: explain it at the field, with "Keep it anyway". */
  showRefusal(body) {
    this.refusal = body;
    this.render();
  }

  dropRefusal(name) {
    if (this.refusal && (this.refusal.problems || []).some((p) => p.field === name)) {
      this.refusal = null;
      this.render();
    }
  }

  render() {
    for (const name of COLOUR_FIELDS) {
      this.renderRatios(name);
      this.renderProblem(name);
    }
    if (this.result) this.renderPalette(this.result.palette);
  }

  renderRatios(name) {
    const list = this.fields[name].ratios;
    list.replaceChildren();
    if (!this.result) return;
    const keys = RATIO_KEYS[name];
    for (const [label, ratio, needed] of [
      ["Text on it", this.result.ratios[keys.text], TEXT_CONTRAST],
      ["Against the page", this.result.ratios[keys.page], PAGE_CONTRAST],
    ]) {
      const passes = ratio >= needed;
      const badge = h(
        "li",
        { class: `ratio ${passes ? "ratio--pass" : "ratio--fail"}`, title: `Needs at least ${needed}:1` },
        `${label} `,
        h("b", {}, `${shownRatio(ratio)}:1`),
        " ",
        h("span", { "aria-hidden": "true" }, passes ? "✓" : "✗"),
        h("span", { class: "visually-hidden" }, passes ? ", passes" : `, fails: needs ${needed}:1`),
      );
      list.append(badge);
    }
  }

  renderProblem(name) {
    const box = this.fields[name].problem;
    const refused = this.refusal ? (this.refusal.problems || []).filter((p) => p.field === name) : [];
    const problems = refused.length ? refused : (this.result?.problems || []).filter((p) => p.field === name);
    box.replaceChildren();
    box.hidden = problems.length === 0;
    box.classList.toggle("is-refusal", refused.length > 0);
    if (!problems.length) return;
    for (const detail of new Set(problems.map((p) => p.detail))) box.append(h("p", {}, detail));
    const suggestion = problems[0].suggestion;
    const actions = h(
      "div",
      { class: "colour-problem-actions" },
      suggestion &&
        h(
          "button",
          { type: "button", class: "btn btn-secondary btn-sm", onclick: () => this.apply(name, suggestion) },
          h("span", { class: "swatch-dot", style: `--swatch: ${suggestion}` }),
          `Use ${suggestion}`,
        ),
      refused.length > 0 &&
        h("button", { type: "button", class: "btn btn-secondary btn-sm", onclick: () => this.onKeep() }, "Keep this colour anyway"),
    );
    box.append(actions);
  }

  apply(name, colour) {
    const field = this.fields[name];
    field.hex.value = colour;
    field.picker.value = colour;
    this.changed(name, colour);
    this.check();
    field.hex.focus();
  }

  renderPalette(palette) {
    const rows = SCHEMES.filter(([scheme]) => palette[scheme]).map(([scheme, title]) =>
      h(
        "div",
        { class: `palette-row palette-row--${scheme}` },
        h("span", { class: "palette-scheme", id: `palette-${scheme}` }, title),
        h(
          "ul",
          { class: "swatches", "aria-labelledby": `palette-${scheme}` },
          Object.entries(palette[scheme]).map(([key, colour]) => {
            const name = `${key.replace(/^brand-/, "").replaceAll("-", " ")}: ${colour}`;
            return h("li", { class: "swatch", title: name, style: `--swatch: ${colour}` }, h("span", { class: "visually-hidden" }, name));
          }),
        ),
      ),
    );
    this.palette.replaceChildren(...rows);
  }
}
