// Type-to-filter for the time zone `<select>` (templates/accounts/time_zone_field.html). The
// select works alone without this script; with it, a search box above narrows the options,
// shown as an open list while there is a query. The logic is in tz_filter_data.js.

import { filterZones, listSize, matchNote } from "./tz_filter_data.js";

function enhance(field) {
  const select = field.querySelector("select");
  const box = field.querySelector("[data-tz-filter]");
  const note = field.querySelector("[data-tz-note]");
  if (!select || !box || !note) return;
  const options = Array.from(select.options);
  const zones = options.map((option) => ({ value: option.value, label: option.textContent }));
  const groups = Array.from(select.querySelectorAll("optgroup"));

  function apply() {
    const query = box.value;
    const shown = new Set(filterZones(zones, query));
    for (const option of options) option.hidden = !shown.has(option.value);
    for (const group of groups) group.hidden = !Array.from(group.children).some((option) => !option.hidden);
    note.textContent = matchNote(shown.size, query);
    if (query.trim()) {
      select.size = listSize(shown.size);
      // Never leave a hidden zone selected: what is saved is what is seen.
      if (select.selectedOptions[0]?.hidden) {
        const first = options.find((option) => !option.hidden);
        if (first) first.selected = true;
      }
    } else {
      select.removeAttribute("size");
    }
  }

  box.hidden = false;
  box.addEventListener("input", apply);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // a search box, not the form's submit
      select.focus();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      select.focus();
    }
  });
}

document.querySelectorAll("[data-tz-picker]").forEach(enhance);
