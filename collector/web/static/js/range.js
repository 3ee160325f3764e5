// The time-range picker: live, a recent span, or any past window (last Tuesday 09:00–10:00),
// shown in the Now view's panels. The window lives in the URL (#/?since=...&until=...), so a
// postmortem link opens the same window for whoever follows it.
import { h } from "./dom.js";
import { fromLocalInput, parseTime, rfc3339, toLocalInput } from "./time.js";

const PRESETS = [
  ["live", "Live"],
  ["1", "Last hour"],
  ["6", "Last 6 hours"],
  ["24", "Last 24 hours"],
  ["168", "Last 7 days"],
  ["custom", "Window…"],
];

export function rangePicker() {
  const preset = h("select", { id: "range-preset", "aria-label": "time range" },
    PRESETS.map(([value, text]) => h("option", { value }, text)));
  const since = h("input", { type: "datetime-local", id: "range-since", "aria-label": "from" });
  const until = h("input", { type: "datetime-local", id: "range-until", "aria-label": "to" });
  const go = h("button", { type: "submit", id: "range-show" }, "Show");
  const custom = h("span", { class: "range-custom" }, since, "–", until, go);
  const form = h("form", { class: "range", id: "range" }, preset, custom);

  function showWindow(t0, t1) {
    location.hash = `#/?since=${encodeURIComponent(rfc3339(t0))}&until=${encodeURIComponent(rfc3339(t1))}`;
  }

  preset.addEventListener("change", () => {
    const v = preset.value;
    custom.hidden = v !== "custom";
    if (v === "live") location.hash = "#/";
    else if (v !== "custom") showWindow(new Date(Date.now() - Number(v) * 3600e3), new Date());
    else {
      if (!since.value) since.value = toLocalInput(new Date(Date.now() - 3600e3));
      if (!until.value) until.value = toLocalInput(new Date());
      since.focus();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const t0 = fromLocalInput(since.value);
    const t1 = fromLocalInput(until.value) || new Date();
    if (!t0 || t1 <= t0) {
      since.setCustomValidity("the window's start must come before its end");
      since.reportValidity();
      return;
    }
    since.setCustomValidity("");
    showWindow(t0, t1);
  });

  // Reflects the route: the picker says what the page shows.
  function update(route) {
    const s = parseTime(route.params.get("since"));
    const u = parseTime(route.params.get("until"));
    if (route.name === "now" && s) {
      preset.value = "custom";
      custom.hidden = false;
      since.value = toLocalInput(s);
      until.value = toLocalInput(u || new Date());
    } else if (route.name === "now") {
      preset.value = "live";
      custom.hidden = true;
    }
  }
  custom.hidden = true;
  return { el: form, update };
}
