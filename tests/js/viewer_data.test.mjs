// The document viewer's logic: search words, page jumps, zoom steps, drawn pages, who may delete.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  canDelete,
  countHits,
  firstHitFrom,
  fitWidthZoom,
  hitLabel,
  hitRanges,
  isOcr,
  nextZoom,
  pagesToKeep,
  parsePageJump,
  renderFailure,
  searchPattern,
  stepHit,
  zoomLabel,
} from "../../static/js/documents/viewer_data.js";

test("the search marks each word from its start, taking in the rest of the word", () => {
  const pattern = searchPattern("contract renewal");
  assert.deepEqual(hitRanges("Contracts and the renewal; subcontract", pattern), [
    [0, 9],
    [18, 25],
  ]);
  assert.equal(countHits(["contract", "no", "renewals, contract"], pattern), 3);
});

test("a search of nothing, or of one-letter words and punctuation only, marks nothing", () => {
  assert.equal(searchPattern(""), null);
  assert.equal(searchPattern("a , ."), null);
  assert.deepEqual(hitRanges("anything", null), []);
});

test("words of a script without spaces match anywhere, and regex characters are plain text", () => {
  assert.deepEqual(hitRanges("見積書の契約書", searchPattern("契約")), [[4, 6]]);
  assert.deepEqual(hitRanges("cost (usd) c++", searchPattern("c++ (usd)")), [[6, 9]]);
});

test("a page jump takes a page of the document, and says why it refuses anything else", () => {
  assert.deepEqual(parsePageJump(" 12 ", 31), { page: 12 });
  assert.deepEqual(parsePageJump("9999", 31), { error: "There is no page 9999: this document has 31 pages." });
  assert.deepEqual(parsePageJump("2", 1), { error: "There is no page 2: this document has 1 page." });
  assert.deepEqual(parsePageJump("abc", 31), { error: "“abc” is not a page number." });
  assert.deepEqual(parsePageJump("-3", 31), { error: "“-3” is not a page number." });
  assert.deepEqual(parsePageJump("0", 31), { error: "Page numbers start at 1." });
  assert.deepEqual(parsePageJump("", 31), { error: "Type a page number." });
  assert.match(parsePageJump("99999999999999999999", 31).error, /^There is no page 999999999…: /);
});

test("zoom steps go in and out from any zoom, and stop at the ends", () => {
  assert.equal(nextZoom(1, 1), 1.25);
  assert.equal(nextZoom(1, -1), 0.8);
  assert.equal(nextZoom(1.1, 1), 1.25);
  assert.equal(nextZoom(1.1, -1), 1);
  assert.equal(nextZoom(4, 1), 4);
  assert.equal(nextZoom(0.5, -1), 0.5);
  assert.equal(zoomLabel(1.25), "125%");
});

test("fit width fills the space given with the page", () => {
  // 612 points (Letter) are 816 CSS pixels at 100%.
  assert.equal(fitWidthZoom(816, 612), 1);
  assert.equal(fitWidthZoom(408, 612), 0.5);
  assert.equal(fitWidthZoom(0, 612), 1);
  assert.equal(fitWidthZoom(100000, 612), 4);
});

test("drawn pages kept are those on screen, then the nearest, up to the limit", () => {
  const keep = pagesToKeep([1, 2, 3, 10, 11, 12, 40], [11, 12], 11, 4);
  assert.deepEqual([...keep].sort((a, b) => a - b), [3, 10, 11, 12]);
  assert.equal(pagesToKeep(Array.from({ length: 300 }, (_, i) => i + 1), [150], 150, 9).size, 9);
});

test("next and previous go round the hits, and the first hit is from the page asked for", () => {
  assert.equal(stepHit(3, -1, 1), 0);
  assert.equal(stepHit(3, -1, -1), 2);
  assert.equal(stepHit(3, 2, 1), 0);
  assert.equal(stepHit(3, 0, -1), 2);
  assert.equal(stepHit(0, 0, 1), -1);
  const hits = [{ page: 1, index: 0 }, { page: 3, index: 0 }, { page: 3, index: 1 }];
  assert.equal(firstHitFrom(hits, 2), 1);
  assert.equal(firstHitFrom(hits, 9), 0);
  assert.equal(hitLabel(3, 1, true), "2 of 3");
  assert.equal(hitLabel(0, -1, true), "No matches");
  assert.equal(hitLabel(0, -1, false), "");
});

test("the uploader may delete, and owners and admins may delete anyone's", () => {
  const doc = { id: 1, uploader: { id: 7 } };
  assert.equal(canDelete(doc, { id: 7 }, false), true);
  assert.equal(canDelete(doc, { id: 8 }, false), false);
  assert.equal(canDelete(doc, { id: 8 }, true), true);
  assert.equal(canDelete({ id: 2, uploader: null }, { id: 8 }, false), false);
});

test("only an explicit ocr: true marks a page as OCR text", () => {
  assert.equal(isOcr({ number: 1, ocr: true }), true);
  assert.equal(isOcr({ number: 1 }), false);
  assert.equal(isOcr({ number: 1, ocr: "yes" }), false);
  assert.equal(isOcr(null), false);
});

test("why a PDF cannot be drawn is said in words", () => {
  assert.match(renderFailure({ name: "PasswordException" }), /protected by a password/);
  assert.match(renderFailure({ name: "InvalidPDFException" }), /damaged/);
  assert.match(renderFailure(new Error("x")), /can't be shown here/);
});
