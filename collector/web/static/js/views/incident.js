// The postmortem view of one incident: causes ranked with their evidence, where the phones
// were (CM node, switch, module, port), the timeline, the updates; and the markdown report
// one click away on the clipboard.
import { getJson, getText } from "../api.js";
import { h, note, replace } from "../dom.js";
import { eventsTable, eventDetail } from "../events_table.js";
import { loadInto } from "../load.js";
import { onIncidentsChanged } from "../stream.js";
import { durationText, parseTime, timeEl } from "../time.js";
import { scopeText } from "../panels/incidents.js";
import { copyText } from "../clipboard.js";

const BREAKDOWN_TITLES = {
  phones_by_cm: "by CM node",
  phones_by_switch: "by switch",
  phones_by_module: "by module",
  phones_by_port: "by port",
  phones_by_cluster: "by cluster",
};

function breakdowns(i) {
  const keys = Object.keys(i).filter((k) => k.startsWith("phones_by_") && i[k] && typeof i[k] === "object");
  keys.sort((a, b) => Object.keys(BREAKDOWN_TITLES).indexOf(a) - Object.keys(BREAKDOWN_TITLES).indexOf(b));
  return keys.map((k) => {
    const rows = Object.entries(i[k]).sort((a, b) => b[1] - a[1]);
    return h("table", { class: "breakdown" },
      h("thead", {}, h("tr", {}, h("th", {}, BREAKDOWN_TITLES[k] || k.replace("phones_by_", "by ")), h("th", { class: "num" }, "phones"))),
      h("tbody", {}, rows.map(([name, n]) => h("tr", {}, h("td", { class: "wrap-anywhere" }, name), h("td", { class: "num" }, n)))));
  });
}

function reasonsTable(title, reasons) {
  if (!reasons || !reasons.length) return null;
  return h("table", { class: "breakdown" },
    h("thead", {}, h("tr", {}, h("th", {}, title), h("th", { class: "num" }, "phones"))),
    h("tbody", {}, reasons.map((r) => h("tr", {}, h("td", {}, `${r.name} (${r.code})`), h("td", { class: "num" }, r.phones)))));
}

function causeItem(c, rank, byId) {
  const evidence = (c.evidence || []).map((id) => byId.get(id) || { id });
  return h("li", { class: `cause-item ${rank === 0 ? "top" : ""}` },
    h("div", { class: "line1" },
      h("span", { class: "rank" }, `${rank + 1}.`),
      h("span", { class: "cause-kind" }, c.kind), " on ", h("b", {}, c.subject),
      h("span", { class: "score", title: "ranking score (0–1)" },
        h("span", { class: "score-bar", style: { width: `${Math.round((c.score || 0) * 100)}%` } }), h("span", { class: "score-n" }, c.score))),
    h("p", { class: "explanation" }, c.explanation),
    c.remediation ? h("p", { class: "check-first" }, h("b", {}, "Check first: "), c.remediation) : null,
    evidence.length ? h("div", { class: "evidence" }, h("h4", {}, `Evidence (${evidence.length})`),
      h("ul", { class: "evidence-list" }, evidence.map((e) => h("li", { dataset: { eventId: e.id } },
        e.event_time ? [timeEl(e.event_time), " ", h("span", { class: `kind kind-${e.kind}` }, e.kind), " ",
          h("span", { class: "muted" }, e.origin || ""), " ", eventDetail(e)]
          : `event ${e.id} (outside the timeline shown)`)))) : null);
}

function copyButton(id) {
  const status = h("span", { class: "copy-status", id: "copy-status", role: "status" });
  const button = h("button", { type: "button", id: "copy-markdown" }, "Copy markdown report");
  button.addEventListener("click", async () => {
    replace(status, "fetching…");
    try {
      const text = await getText(`/api/v1/incidents/${encodeURIComponent(id)}`, { format: "markdown" }, "text/markdown");
      const how = await copyText(text);
      replace(status, h("span", { class: "ok" }, how === "clipboard" ? "Copied to the clipboard." : "Copied."));
    } catch (err) {
      replace(status, h("span", { class: "error" }, `Not copied: ${err.message}`));
    }
  });
  return h("span", { class: "copy" }, button, status);
}

function render(doc) {
  const i = doc.incident;
  const byId = new Map((doc.timeline || []).map((e) => [e.id, e]));
  const evidenceIds = new Set([...(i.causes || []).flatMap((c) => c.evidence || [])]);
  const start = parseTime(i.start_time);
  const end = parseTime(i.end_time);
  return [
    h("div", { class: "incident-head" },
      h("div", { class: "count big-count" }, h("span", { class: "n" }, i.phone_count), h("span", {}, "phones")),
      h("div", { class: "grow" },
        h("h1", {}, `Incident on ${scopeText(i.scope)}`,
          h("span", { class: `badge class-${i.class}` }, i.class), h("span", { class: `badge state-${i.state}` }, i.state)),
        h("p", { class: "muted" },
          timeEl(i.start_time), " → ", i.state === "open" ? "still open" : timeEl(i.end_time),
          start && end ? ` (${durationText((i.state === "open" ? Date.now() : end) - start)})` : "",
          ` · ${i.recovered} of ${i.phone_count} recovered`,
          (i.also_scopes || []).length ? ` · also ${i.also_scopes.map(scopeText).join(", ")}` : ""),
        h("p", { class: "muted small mono" }, i.id)),
      copyButton(i.id)),
    h("section", { class: "panel", id: "causes" }, h("h2", {}, "Causes, most likely first"),
      (i.causes || []).length ? h("ol", { class: "causes" }, i.causes.map((c, n) => causeItem(c, n, byId)))
        : note("No cause ranked: nothing upstream was seen before the drops.")),
    h("section", { class: "panel", id: "phones" }, h("h2", {}, "Where the phones were"),
      h("div", { class: "breakdowns" }, breakdowns(i), reasonsTable("unregistration reason", i.reasons),
        reasonsTable("rejection reason", i.rejection_reasons)),
      (i.still_down || []).length ? h("p", { class: "bad" }, `Still down: ${i.still_down.length}`) : null,
      h("details", {}, h("summary", {}, `All ${(i.phones || []).length} phones`),
        h("p", { class: "phone-links" }, (i.phones || []).map((d) => [h("a", {
          href: `#/phone/${encodeURIComponent(d)}`, class: (i.still_down || []).includes(d) ? "bad" : "" }, d), " "])))),
    h("section", { class: "panel", id: "timeline" }, h("h2", {}, `Timeline (${(doc.timeline || []).length} event${(doc.timeline || []).length === 1 ? "" : "s"})`),
      doc.timeline_truncated ? note("The timeline was cut short: the newest events are left out.", "warn") : null,
      eventsTable(doc.timeline || [], { evidence: evidenceIds })),
    h("section", { class: "panel", id: "updates" }, h("h2", {}, "Updates"),
      (doc.updates || []).length ? h("ul", { class: "updates" }, doc.updates.map((u) => h("li", {},
        timeEl(u.at), " ", h("span", { class: `badge state-${u.state}` }, u.state), " ", u.change))) : note("No update recorded.")),
  ];
}

export function incidentView(container, route) {
  const id = route.parts[1];
  const body = h("div", { class: "incident-view" }, note("loading…"));
  container.append(h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← Now")), body);
  const refresh = () => loadInto(body, `incident ${id}`, () => getJson(`/api/v1/incidents/${encodeURIComponent(id)}`), render, { unknownOn404: true });
  refresh();
  // The incident may still be growing: refetch it when the stream says incidents changed.
  return onIncidentsChanged(refresh);
}
