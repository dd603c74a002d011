// The time zone picker's filter (static/js/time_zones/tz_filter_data.js).

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { filterZones, listSize, matchNote, normalise } from "../../static/js/time_zones/tz_filter_data.js";

const ZONES = [
  { value: "America/New_York", label: "New York (UTC\u221205:00)" },
  { value: "America/Argentina/Buenos_Aires", label: "Argentina / Buenos Aires (UTC\u221203:00)" },
  { value: "Asia/Kolkata", label: "Kolkata (UTC+05:30)" },
  { value: "Europe/Berlin", label: "Berlin (UTC+01:00)" },
  { value: "Europe/Zürich", label: "Zürich (UTC+01:00)" },
  { value: "UTC", label: "UTC (UTC±00:00)" },
];

describe("time zone filter", () => {
  test("a part of a city's name finds its zone, whatever the case", () => {
    assert.deepEqual(filterZones(ZONES, "berl"), ["Europe/Berlin"]);
    assert.deepEqual(filterZones(ZONES, "BERLIN"), ["Europe/Berlin"]);
  });

  test("every word must match; underscores and slashes read as spaces", () => {
    assert.deepEqual(filterZones(ZONES, "new york"), ["America/New_York"]);
    assert.deepEqual(filterZones(ZONES, "america buenos"), ["America/Argentina/Buenos_Aires"]);
    assert.deepEqual(filterZones(ZONES, "europe york"), []);
  });

  test("accents are ignored and offsets can be typed with a plain minus", () => {
    assert.deepEqual(filterZones(ZONES, "zurich"), ["Europe/Zürich"]);
    assert.deepEqual(filterZones(ZONES, "utc-05"), ["America/New_York"]);
    assert.deepEqual(filterZones(ZONES, "+05:30"), ["Asia/Kolkata"]);
  });

  test("an empty or blank query keeps every zone", () => {
    assert.equal(filterZones(ZONES, "").length, ZONES.length);
    assert.equal(filterZones(ZONES, "   ").length, ZONES.length);
    assert.equal(normalise("  Europe/Isle_of_Man "), "europe isle of man");
  });

  test("the list shows between 2 and 8 rows, and the note counts the matches", () => {
    assert.equal(listSize(0), 2);
    assert.equal(listSize(5), 5);
    assert.equal(listSize(400), 8);
    assert.equal(matchNote(1, "berl"), "1 time zone matches.");
    assert.equal(matchNote(3, "eu"), "3 time zones match.");
    assert.equal(matchNote(0, " xyz "), "No time zone matches “xyz”.");
    assert.equal(matchNote(10, ""), "");
  });
});
