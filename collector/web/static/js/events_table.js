// A table of stored events (an incident's or a phone's timeline), oldest first, with the
// evidence rows marked so the eye finds what the ranking rests on.
import { h } from "./dom.js";
import { timeEl } from "./time.js";

export function eventDetail(e) {
  if (e.reason) return `${e.reason}${e.reason_code !== undefined ? ` (${e.reason_code})` : ""}`;
  if (e.alert_name) return e.alert_name + (e.detail ? `: ${e.detail.trim()}` : "");
  return e.syslog_text || e.detail || e.closed_by || "";
}

export function eventsTable(events, { evidence = new Set(), showDevice = true } = {}) {
  const rows = events.map((e) => h("tr", { class: evidence.has(e.id) ? "evidence" : "", dataset: { eventId: e.id } },
    h("td", { class: "nowrap" }, timeEl(e.event_time)),
    h("td", { class: "nowrap" }, h("span", { class: `kind kind-${e.kind}` }, e.kind)),
    h("td", { class: "nowrap" }, e.source || ""),
    h("td", { class: "origin", title: e.origin || "" }, e.origin || ""),
    showDevice ? h("td", { class: "nowrap" }, e.device ? h("a", { href: `#/phone/${encodeURIComponent(e.device)}` }, e.device) : "") : null,
    h("td", { class: "detail", title: e.raw || "" }, eventDetail(e))));
  return h("table", { class: "events" },
    h("thead", {}, h("tr", {}, h("th", {}, "time"), h("th", {}, "kind"), h("th", {}, "source"), h("th", {}, "origin"),
      showDevice ? h("th", {}, "device") : null, h("th", {}, "detail"))),
    h("tbody", {}, rows));
}
