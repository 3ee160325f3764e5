// Open incidents, biggest first: what the NOC wall is for. In a past window, every incident
// that started in it, biggest first too.
import { getJson } from "../api.js";
import { h, note, panel } from "../dom.js";
import { loadInto } from "../load.js";
import { ageEl, durationText, parseTime, timeEl } from "../time.js";

export function scopeText(scope) {
  return scope ? `${scope.type.replace("_", " ")} ${scope.name}` : "";
}

function incidentCard(i, live) {
  const top = (i.causes || [])[0];
  const start = parseTime(i.start_time);
  const end = parseTime(i.end_time);
  const lasted = start && end ? durationText(end - start) : "";
  return h("a", { class: `incident-card state-${i.state}`, href: `#/incident/${encodeURIComponent(i.id)}`,
      dataset: { incidentId: i.id } },
    h("div", { class: "count", title: `${i.phone_count} phones` }, h("span", { class: "n" }, i.phone_count), h("span", {}, "phones")),
    h("div", { class: "what" },
      h("div", { class: "line1" },
        h("span", { class: "scope" }, scopeText(i.scope)),
        h("span", { class: `badge class-${i.class}` }, i.class),
        // Live, every card is open: the badge would only repeat the panel's title.
        !live || i.state !== "open" ? h("span", { class: `badge state-${i.state}` }, i.state) : null,
        (i.also_scopes || []).length ? h("span", { class: "muted small" }, `also ${i.also_scopes.map(scopeText).join(", ")}`) : null),
      top ? h("div", { class: "cause" },
        h("span", { class: "cause-kind" }, top.kind), " on ", h("b", {}, top.subject), ": ",
        h("span", { class: "explanation" }, top.explanation)) : h("div", { class: "cause muted" }, "no cause ranked yet"),
      top && top.remediation ? h("div", { class: "check-first" }, h("b", {}, "Check first: "), top.remediation) : null),
    h("div", { class: "when" },
      live && i.state === "open" ? [h("span", { class: "muted small" }, "open for"), ageEl(i.start_time)]
        : [timeEl(i.start_time), i.state === "open" ? h("span", { class: "muted small" }, "still open")
          : lasted ? h("span", { class: "muted small" }, `lasted ${lasted}`) : null]));
}

export function biggestFirst(incidents) {
  return [...incidents].sort((a, b) => b.phone_count - a.phone_count || (a.start_time < b.start_time ? 1 : -1));
}

export function incidentsPanel(range) {
  const el = panel(range.live ? "Open incidents" : "Incidents in this window", "panel-incidents", note("loading…"));
  const body = el.querySelector(".panel-body");
  const params = range.live ? { state: "open", limit: 1000 } : { since: range.since, until: range.until, limit: 1000 };
  return {
    el,
    refresh: () => loadInto(body, "incidents", () => getJson("/api/v1/incidents", params), (data) => {
      const list = biggestFirst(data.incidents || []);
      if (!list.length) return note(range.live ? "No open incidents." : "No incident started in this window.", "good");
      return [
        h("div", { class: "incident-list" }, list.map((i) => incidentCard(i, range.live))),
        data.truncated ? note("More incidents than shown: narrow the window.", "warn") : null,
      ];
    }),
  };
}
