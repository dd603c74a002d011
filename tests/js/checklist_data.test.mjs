// The first-run checklist's memory (static/js/first_run/checklist_data.js).

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { isDismissed, rememberDismissed } from "../../static/js/first_run/checklist_data.js";

function memoryStorage() {
  const items = new Map();
  return { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => items.set(key, String(value)) };
}

const broken = {
  getItem() {
    throw new Error("denied");
  },
  setItem() {
    throw new Error("quota");
  },
};

describe("checklist dismissal", () => {
  test("a dismissal is remembered for its key only (one person in one workspace)", () => {
    const storage = memoryStorage();
    assert.equal(isDismissed(storage, "first-run.dismissed.3.1"), false);
    assert.equal(rememberDismissed(storage, "first-run.dismissed.3.1"), true);
    assert.equal(isDismissed(storage, "first-run.dismissed.3.1"), true);
    assert.equal(isDismissed(storage, "first-run.dismissed.4.1"), false);
    assert.equal(isDismissed(storage, "first-run.dismissed.3.2"), false);
  });

  test("a storage that throws counts as not dismissed, and no key is never dismissed", () => {
    assert.equal(isDismissed(broken, "k"), false);
    assert.equal(rememberDismissed(broken, "k"), false);
    assert.equal(isDismissed(memoryStorage(), ""), false);
    assert.equal(rememberDismissed(memoryStorage(), undefined), false);
  });
});
