// The document viewer's logic without the page: the words of a search as a pattern and where
// they fall in a text, what the page box takes ("12", "past the end"), the zoom steps, which pages
// stay drawn, and who may delete a document. Tested by tests/js/viewer_data.test.mjs.

// pdf.js measures pages in PDF points (1/72 in); the screen in CSS pixels (1/96 in). "100%" is a
// page at its printed size, as in every PDF reader.
export const CSS_UNITS = 96 / 72;
export const ZOOM_STEPS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4];
export const MIN_ZOOM = ZOOM_STEPS[0];
export const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1];

const LATIN_LIKE = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}]/u;

/** The words of the search as one pattern, or null when there is none. A word of a script that
 * separates words matches from a word's start and takes in the rest of the word (the search
 * matches stems: "contract" finds "contracts"); a word of another script (Japanese, say)
 * matches wherever it is. */
export function searchPattern(query) {
  const pieces = (query || "")
    .split(/[\s"'“”‘’.,;:!?()[\]{}<>&|*+-]+/u)
    .filter((word) => word.length >= 2)
    .map((word) => {
      const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return LATIN_LIKE.test(word)
        ? `(?<![\\p{L}\\p{N}])${escaped}[\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}\\p{N}]*`
        : escaped;
    });
  return pieces.length ? new RegExp(pieces.join("|"), "giu") : null;
}

/** [start, end) of every match of `pattern` in `text`, in order. */
export function hitRanges(text, pattern) {
  if (!pattern || !text) return [];
  const out = [];
  for (const match of text.matchAll(pattern)) {
    if (match[0].length) out.push([match.index, match.index + match[0].length]);
  }
  return out;
}

/** How many hits each of `strings` holds (a page's text items), all together. */
export function countHits(strings, pattern) {
  return strings.reduce((sum, text) => sum + hitRanges(text, pattern).length, 0);
}

/** What the page box asks for: {page} to go to, or {error} to say beside it (nothing moves). */
export function parsePageJump(raw, total) {
  const text = String(raw ?? "").trim();
  if (!text) return { error: "Type a page number." };
  if (!/^\d+$/.test(text)) return { error: `“${text.slice(0, 12)}” is not a page number.` };
  const page = Number(text);
  if (page < 1) return { error: "Page numbers start at 1." };
  if (total && page > total) {
    return { error: `There is no page ${text.length > 9 ? `${text.slice(0, 9)}…` : page}: this document has ${total} page${total === 1 ? "" : "s"}.` };
  }
  return { page };
}

/** The next zoom step from `current` in direction +1 (in) or -1 (out), within the steps. */
export function nextZoom(current, direction) {
  if (direction > 0) return ZOOM_STEPS.find((step) => step > current + 0.001) ?? MAX_ZOOM;
  return [...ZOOM_STEPS].reverse().find((step) => step < current - 0.001) ?? MIN_ZOOM;
}

/** The zoom at which a page `pageWidth` points wide fills `available` CSS pixels. */
export function fitWidthZoom(available, pageWidth) {
  if (!(available > 0) || !(pageWidth > 0)) return 1;
  return Math.min(MAX_ZOOM, Math.max(0.25, available / (pageWidth * CSS_UNITS)));
}

export function zoomLabel(zoom) {
  return `${Math.round(zoom * 100)}%`;
}

/** Pages to keep drawn, nearest to `centre` first, at most `limit`: a long document never holds
 * a canvas per page. `visible` are the pages on screen (or about to be), always kept. */
export function pagesToKeep(drawn, visible, centre, limit) {
  const keep = new Set(visible);
  const rest = [...drawn].filter((n) => !keep.has(n)).sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre));
  for (const n of rest) {
    if (keep.size >= limit) break;
    keep.add(n);
  }
  return keep;
}

/** The hit after (direction +1) or before (-1) `current` in the list, going round; -1 when none. */
export function stepHit(count, current, direction) {
  if (!count) return -1;
  if (current < 0) return direction > 0 ? 0 : count - 1;
  return (current + direction + count) % count;
}

/** The first hit at or after page `page` (hits are [{page, index}], in page order), or 0. */
export function firstHitFrom(hits, page) {
  const found = hits.findIndex((hit) => hit.page >= page);
  return found < 0 ? 0 : found;
}

/** "3 of 12", "No matches", or "" with no search. */
export function hitLabel(count, current, searching) {
  if (!searching) return "";
  if (!count) return "No matches";
  return current >= 0 ? `${current + 1} of ${count}` : `${count} match${count === 1 ? "" : "es"}`;
}

/** Its uploader may delete a document; owners and admins (`deleteAny`) may delete any. */
export function canDelete(doc, me, deleteAny) {
  if (deleteAny) return true;
  return Boolean(doc && doc.uploader && me && doc.uploader.id === me.id);
}

/** A page's text came from OCR: only an explicit `ocr: true` says so (older answers lack it). */
export function isOcr(page) {
  return Boolean(page && page.ocr === true);
}

/** Why pdf.js could not open a PDF, in words, from the error it threw. */
export function renderFailure(error) {
  const name = (error && error.name) || "";
  if (name === "PasswordException") return "This PDF is protected by a password, so its pages can't be shown here.";
  if (name === "InvalidPDFException") return "This PDF is damaged, so its pages can't be shown here.";
  if (name === "ResponseException" || name === "MissingPDFException") return "The PDF could not be downloaded. Check your connection and reload the page.";
  return "This PDF's pages can't be shown here.";
}
