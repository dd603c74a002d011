// The studio's data, apart from the page: the draft as the server last saved it, what the form
// holds now, and the changes between them (what "Save draft" sends). Nothing here touches the DOM.

export const TEXT_FIELDS = [
  "display_name",
  "login_headline",
  "login_text",
  "email_sender_name",
  "email_reply_to",
  "email_footer",
  "custom_css",
];
export const COLOUR_FIELDS = ["primary_colour", "accent_colour"];
export const FIELDS = [...TEXT_FIELDS, ...COLOUR_FIELDS, "legal_links", "hide_powered_by"];
export const MAX_LEGAL_LINKS = 5;

const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** "#abc", "abc", "#AABBCC" -> "#aabbcc"; null when the text is not a colour (yet). */
export function parseHex(text) {
  const match = HEX.exec(String(text ?? "").trim());
  if (!match) return null;
  const digits = match[1].length === 3 ? [...match[1]].map((c) => c + c).join("") : match[1];
  return `#${digits.toLowerCase()}`;
}

/** The rows of the legal links that say something; a row left empty is not a link. */
export function cleanLinks(links) {
  return (links || [])
    .map((link) => ({ label: String(link.label ?? ""), url: String(link.url ?? "") }))
    .filter((link) => link.label.trim() || link.url.trim());
}

/** The editable values of a draft payload, in the form's own shapes. */
export function valuesOf(draft) {
  const values = {};
  for (const name of TEXT_FIELDS) values[name] = draft[name] ?? "";
  for (const name of COLOUR_FIELDS) values[name] = draft[name] ?? "";
  values.legal_links = cleanLinks(draft.legal_links);
  values.hide_powered_by = Boolean(draft.hide_powered_by);
  return values;
}

/** A field's value as it would be sent: colours spelled #rrggbb where they parse, empty links dropped. */
export function sendable(name, value) {
  if (name === "legal_links") return cleanLinks(value);
  if (COLOUR_FIELDS.includes(name)) return parseHex(value) ?? String(value ?? "");
  return value;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The fields of `current` that differ from `saved`, as the PATCH body carries them. */
export function changesBetween(saved, current) {
  const changes = {};
  for (const name of FIELDS) {
    const value = sendable(name, current[name]);
    if (!same(value, sendable(name, saved[name]))) changes[name] = value;
  }
  return changes;
}

/** Where line `line`, column `column` (both from 1, as the CSS errors count) is in `text`. */
export function offsetOf(text, line, column) {
  const lines = String(text).split("\n");
  const row = Math.min(Math.max(1, line || 1), lines.length);
  let offset = 0;
  for (let i = 0; i < row - 1; i += 1) offset += lines[i].length + 1;
  return offset + Math.min(Math.max(0, (column || 1) - 1), lines[row - 1].length);
}

/** The draft being edited: `saved` is the server's, `current` the form's. */
export class DraftState {
  constructor(draft) {
    this.reset(draft);
  }

  /** Start again from `draft` (on load, after a restore): nothing unsaved. */
  reset(draft) {
    this.draft = draft;
    this.saved = valuesOf(draft);
    this.current = structuredClone(this.saved);
  }

  set(name, value) {
    this.current[name] = value;
  }

  get changes() {
    return changesBetween(this.saved, this.current);
  }

  get dirty() {
    return Object.keys(this.changes).length > 0;
  }

  /** The server answered `draft` to a save of `sent` (or to an upload, with nothing sent). The
   * form keeps every edit made meanwhile; a field sent and left alone since takes the server's
   * spelling (trimmed, lower-cased...). Returns the names of the fields whose form value changed. */
  accept(draft, sent = {}) {
    this.draft = draft;
    this.saved = valuesOf(draft);
    const redraw = [];
    for (const name of Object.keys(sent)) {
      if (same(sendable(name, this.current[name]), sent[name]) && !same(this.current[name], this.saved[name])) {
        this.current[name] = structuredClone(this.saved[name]);
        redraw.push(name);
      }
    }
    return redraw;
  }

  /** Everything the form holds, for the preview: it draws what passes and keeps the rest. */
  previewValues() {
    const values = {};
    for (const name of FIELDS) values[name] = sendable(name, this.current[name]);
    return values;
  }

  /** The colours to judge: the form's where they parse, else the saved ones. */
  colours() {
    const pick = (name) => parseHex(this.current[name]) ?? this.saved[name];
    return { primary_colour: pick("primary_colour"), accent_colour: pick("accent_colour") };
  }
}
