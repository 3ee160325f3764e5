// Drops per time step by reason class: the shape of the last hours at a glance (a burst is a
// spike, a flapping port a comb).
import { getJson } from "../api.js";
import { note, panel } from "../dom.js";
import { loadInto } from "../load.js";
import { stackedBars } from "../charts/stacked_bars.js";
import { parseTime } from "../time.js";

const CLASS_ORDER = ["network", "storm", "config", "security", "planned", "infrastructure", "other", "unknown"];

export function classColor(name) {
  const known = CLASS_ORDER.includes(name) ? name : "other";
  return `var(--class-${known})`;
}

// At most ~360 bars whatever the window: a minute a bar for 6 hours, coarser for longer.
export function stepFor(spanMs) {
  const minutes = Math.ceil(spanMs / 60000 / 360);
  return Math.max(1, minutes) * 60;
}

export function dropsPanel(range) {
  const el = panel(range.live ? "Drops per minute, last 6 hours" : "Drops in this window", "panel-drops", note("loading…"));
  const body = el.querySelector(".panel-body");
  const params = range.live ? { since: "6h", step: 60 }
    : { since: range.since, until: range.until, step: stepFor(parseTime(range.until) - parseTime(range.since)) };
  return {
    el,
    refresh: () => loadInto(body, "drops", () => getJson("/api/v1/drops", params), (data) => {
      const points = (data.points || []).map((p) => ({ time: parseTime(p.time), counts: p.counts || {} })).filter((p) => p.time);
      // Only the classes that had drops: a legend of seven names for one burst says nothing.
      const series = [...(data.classes || [])]
        .filter((c) => points.some((p) => p.counts[c] > 0))
        .sort((a, b) => CLASS_ORDER.indexOf(a) - CLASS_ORDER.indexOf(b));
      const total = points.reduce((s, p) => s + Object.values(p.counts).reduce((a, b) => a + b, 0), 0);
      if (!points.length || !total) return note(range.live ? "No drops in the last 6 hours." : "No drops in this window.", "good");
      const per = data.step_s >= 120 ? `${data.step_s / 60} minutes` : "minute";
      el.querySelector("h2").textContent = `Drops per ${per}${range.live ? ", last 6 hours" : " in this window"} (${total})`;
      return stackedBars({ points, series, colors: classColor, label: "drops per time step by reason class" });
    }),
  };
}
