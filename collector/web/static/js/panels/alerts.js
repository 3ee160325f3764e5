// Conditions firing now (or, in a past window, those that fired in it).
import { getJson } from "../api.js";
import { h, note, panel } from "../dom.js";
import { loadInto } from "../load.js";
import { ageEl, parseTime, timeEl } from "../time.js";

function alertRow(a, live) {
  return h("li", { class: `alert sev-${a.severity || "none"}` },
    h("div", { class: "line1" },
      h("b", {}, a.alertname || a.condition),
      a.severity ? h("span", { class: `badge sev-${a.severity}` }, a.severity) : null,
      a.state && a.state !== "firing" ? h("span", { class: "badge" }, a.state) : null,
      h("span", { class: "right" }, live ? ageEl(a.start_time) : timeEl(a.start_time))),
    a.summary ? h("div", {}, a.summary) : null,
    a.remediation ? h("div", { class: "check-first" }, h("b", {}, "Check first: "), a.remediation) : null);
}

export function alertsPanel(range) {
  const el = panel("Conditions firing", "panel-alerts", note("loading…"));
  const body = el.querySelector(".panel-body");
  const params = range.live ? {} : { all: "true", since: range.since };
  return {
    el,
    refresh: () => loadInto(body, "alerts", () => getJson("/api/v1/alerts", params), (data) => {
      let list = data.alerts || [];
      if (!range.live) {  // the API has no `until`: keep those that started before the window ended
        const until = parseTime(range.until);
        list = list.filter((a) => !until || parseTime(a.start_time) <= until);
      }
      if (!list.length) return note(range.live ? "Nothing firing." : "Nothing fired in this window.", "good");
      return h("ul", { class: "alert-list" }, list.map((a) => alertRow(a, range.live)));
    }),
  };
}
