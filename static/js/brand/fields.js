// The form's plain fields: text, text areas, the checkbox and the rows of legal links. Reads and
// writes values by `data-field`, reports each edit, and shows a refusal at the field it names
// (`#f-<field>-error`, which the control's aria-describedby already points at).

import { h } from "../chat/util.js";
import { MAX_LEGAL_LINKS, offsetOf } from "./state.js";

const $ = (id) => document.getElementById(id);

export class FormFields {
  /** @param form the studio's form; @param onChange(name, value) after every edit */
  constructor(form, { onChange }) {
    this.form = form;
    this.onChange = onChange;
    this.links = $("legal-links");
    this.rowTemplate = $("legal-row");
    this.rowCount = 0;
    form.addEventListener("input", (event) => this.edited(event.target));
    form.addEventListener("change", (event) => event.target.type === "checkbox" && this.edited(event.target));
    $("legal-add").addEventListener("click", () => this.addLink());
    this.links.addEventListener("click", (event) => {
      const button = event.target.closest("[data-link-remove]");
      if (button) this.removeLink(button.closest("li"));
    });
  }

  input(name) {
    return this.form.querySelector(`[data-field="${name}"]`);
  }

  edited(target) {
    if (target.closest("#legal-links")) {
      this.clearError("legal_links");
      this.onChange("legal_links", this.readLinks());
      return;
    }
    const name = target.dataset.field;
    if (!name || target.type === "color") return;
    this.clearError(name);
    this.onChange(name, target.type === "checkbox" ? target.checked : target.value);
  }

  /** Show `values` (all fields, or some of them) in the form. */
  fill(values) {
    for (const [name, value] of Object.entries(values)) {
      if (name === "legal_links") this.renderLinks(value);
      else {
        const input = this.input(name);
        if (!input) continue;
        if (input.type === "checkbox") input.checked = Boolean(value);
        else if (input.value !== value) input.value = value;
      }
    }
  }

  /** The "Powered by" checkbox: the plan decides whether it may be ticked. */
  setMayHidePoweredBy(allowed) {
    const box = this.input("hide_powered_by");
    box.disabled = !allowed && !box.checked;
  }

  // ---------- Legal links ----------

  readLinks() {
    return [...this.links.children].map((row) => ({
      label: row.querySelector('[data-link="label"]').value,
      url: row.querySelector('[data-link="url"]').value,
    }));
  }

  renderLinks(links) {
    this.links.replaceChildren(...links.map((link) => this.linkRow(link)));
    this.linksChanged();
  }

  linkRow(link) {
    this.rowCount += 1;
    const row = this.rowTemplate.content.firstElementChild.cloneNode(true);
    for (const part of ["label", "url"]) {
      const input = row.querySelector(`[data-link="${part}"]`);
      input.id = `legal-${this.rowCount}-${part}`;
      input.value = link[part] || "";
      row.querySelector(`[data-for="${part}"]`).setAttribute("for", input.id);
    }
    return row;
  }

  addLink() {
    if (this.links.children.length >= MAX_LEGAL_LINKS) return;
    const row = this.linkRow({ label: "", url: "" });
    this.links.append(row);
    this.linksChanged();
    row.querySelector("input").focus();
  }

  removeLink(row) {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    this.linksChanged();
    (next ? next.querySelector("input") : $("legal-add")).focus();
    this.clearError("legal_links");
    this.onChange("legal_links", this.readLinks());
  }

  /** Numbers the rows for people using a screen reader and keeps "Add" within the limit. */
  linksChanged() {
    const rows = [...this.links.children];
    rows.forEach((row, index) => {
      const n = index + 1;
      row.querySelector('[data-for="label"]').textContent = `Label ${n}`;
      row.querySelector('[data-for="url"]').textContent = `Address ${n}`;
      row.querySelector("[data-link-remove]").setAttribute("aria-label", `Remove link ${n}`);
    });
    const add = $("legal-add");
    add.disabled = rows.length >= MAX_LEGAL_LINKS;
    add.textContent = rows.length >= MAX_LEGAL_LINKS ? `${MAX_LEGAL_LINKS} links at most` : "Add a link";
    $("legal-empty").hidden = rows.length > 0;
  }

  // ---------- Errors ----------

  controlsOf(name) {
    if (name === "legal_links") return [...this.links.querySelectorAll("input")];
    const input = this.input(name);
    return input ? [input] : [];
  }

  /** A refusal at its field: `error` is the API's body ({detail, code, field, line, column}). */
  setError(name, error) {
    const box = $(`f-${name}-error`);
    if (!box) return false;
    const detail = error.detail || error.message || "This value was refused.";
    if (name === "custom_css" && error.line) box.replaceChildren(...this.cssError(detail, error.line, error.column));
    else box.textContent = detail;
    box.hidden = false;
    for (const control of this.controlsOf(name)) control.setAttribute("aria-invalid", "true");
    return true;
  }

  cssError(detail, line, column) {
    const go = () => {
      const area = this.input("custom_css");
      const at = offsetOf(area.value, line, column);
      area.focus();
      area.setSelectionRange(at, at);
    };
    return [
      h(
        "p",
        {},
        h("strong", {}, `Line ${line}, column ${column || 1}: `),
        detail,
        " ",
        h("button", { type: "button", class: "link-button", onclick: go }, `Go to line ${line}`),
      ),
    ];
  }

  clearError(name) {
    const box = $(`f-${name}-error`);
    if (box && !box.hidden) {
      box.hidden = true;
      box.replaceChildren();
    }
    for (const control of this.controlsOf(name)) control.removeAttribute("aria-invalid");
  }

  clearErrors() {
    for (const box of this.form.querySelectorAll('[id^="f-"][id$="-error"]')) this.clearError(box.id.slice(2, -6));
  }

  /** Focus the first control of a refused field, so the person lands at the sentence. */
  focus(name) {
    const [control] = this.controlsOf(name);
    if (control) control.focus();
  }
}
