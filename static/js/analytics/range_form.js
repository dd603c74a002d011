// The range form of the analytics page, made quicker: a new interval shows at once, dates
// changed by hand make a range of one's own, and a preset left as it was travels as its name
// alone (`?range=90&interval=week`), so the address stays short and keeps meaning "the last 90
// days" tomorrow. Without this the form works as it is: pick, then press Show.

// The control that sent the form, focused again on the page it brings (keyboard users who pick
// an interval with the arrow keys stay on the switch rather than back at the top).
const REFOCUS = "analytics-refocus";

export function enhanceRangeForm(form, storage = window.sessionStorage) {
  if (!form) return;
  refocus(storage);
  const preset = form.querySelector("[data-preset]");
  const dates = [...form.querySelectorAll("input[type=date]")];
  const shown = dates.map((input) => input.value);
  const unchanged = () => dates.every((input, n) => input.value === shown[n]);

  for (const input of dates) {
    input.addEventListener("change", () => {
      form.querySelector(".an-days")?.classList.toggle("an-days--current", !preset || !unchanged());
    });
  }
  for (const radio of form.querySelectorAll("input[name=interval]")) {
    radio.addEventListener("change", () => {
      remember(storage, radio.id);
      form.requestSubmit();
    });
  }
  form.addEventListener("submit", () => {
    // Dates changed by hand go with the preset's name, and win over it (analytics.dashboard.choose).
    if (preset && unchanged()) {
      for (const input of dates) input.disabled = true;
    }
  });
  // Back to this page from the next one: the browser may restore it as it was left.
  window.addEventListener("pageshow", () => {
    for (const input of dates) input.disabled = false;
  });
}

function remember(storage, id) {
  try {
    storage.setItem(REFOCUS, id);
  } catch {
    // A storage that refuses (private modes): the page works, focus starts at the top.
  }
}

function refocus(storage) {
  try {
    const id = storage.getItem(REFOCUS);
    storage.removeItem(REFOCUS);
    if (id) document.getElementById(id)?.focus();
  } catch {
    // As above: nothing to restore.
  }
}
