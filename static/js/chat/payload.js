// The shapes of the API's answers and frames, read the same way everywhere. Pure: no page, no
// network, so the data modules (and their tests under Node) can use it.

/** The list inside an API answer, whether paginated ({results}) or a bare array. */
export function results(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.results)) return data.results;
  for (const key of ["messages", "rooms", "people", "members", "users"]) {
    if (data && Array.isArray(data[key])) return data[key];
  }
  return [];
}

/** A query string of the parameters that have a value ("" when none has). */
export function qs(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The id of a person, room or message, whether a frame names it by id or by object. */
export function idOf(value) {
  if (value && typeof value === "object") return Number(value.id);
  return value === undefined || value === null ? null : Number(value);
}

/** A keyset cursor of a page (`next_before`, `next_after`, `next`): null or absent means none. */
export function hasCursor(value) {
  return value !== null && value !== undefined;
}
