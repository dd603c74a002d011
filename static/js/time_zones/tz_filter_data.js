// The time zone picker's filter, apart from the page: which zones match what was typed.
// A zone matches when every word typed is found in its name or its label, ignoring case,
// accents, underscores and slashes ("berl" finds Europe/Berlin, "new york" America/New_York,
// "utc+05:30" the zones at that offset).

/** Lower case, no accents, "_" and "/" as spaces, the minus sign as "-". */
export function normalise(text) {
  return String(text)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\u2212/g, "-")
    .replace(/[_/]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The words of a query; an empty query has none (and matches everything). */
export function words(query) {
  const text = normalise(query);
  return text ? text.split(" ") : [];
}

/** Whether the zone `{ value, label }` matches every word. */
export function matches(zone, queryWords) {
  if (!queryWords.length) return true;
  const haystack = `${normalise(zone.value)} ${normalise(zone.label)}`;
  return queryWords.every((word) => haystack.includes(word));
}

/** The values of the zones that match `query`, in their order. */
export function filterZones(zones, query) {
  const queryWords = words(query);
  return zones.filter((zone) => matches(zone, queryWords)).map((zone) => zone.value);
}

/** How many rows the list shows while filtering: the matches, between 2 and `max`. */
export function listSize(count, max = 8) {
  return Math.max(2, Math.min(count, max));
}

/** What the status line says about `count` matches of `query`. */
export function matchNote(count, query) {
  if (!words(query).length) return "";
  if (count === 0) return `No time zone matches “${query.trim()}”.`;
  return count === 1 ? "1 time zone matches." : `${count} time zones match.`;
}
