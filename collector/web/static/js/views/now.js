// The Now view (and, with since/until, the same view over a past window): incidents, what is
// firing, silences, CM nodes, drops, agents. Incidents refetch when the stream says they
// changed; the lighter panels refresh on a slow timer.
import { h } from "../dom.js";
import { onIncidentsChanged } from "../stream.js";
import { localText, parseTime } from "../time.js";
import { incidentsPanel } from "../panels/incidents.js";
import { alertsPanel } from "../panels/alerts.js";
import { silencesPanel } from "../panels/silences.js";
import { cmNodesPanel } from "../panels/cm_nodes.js";
import { dropsPanel } from "../panels/drops.js";
import { agentsPanel } from "../panels/agents.js";

const SLOW_REFRESH_MS = 30000;

export function nowView(container, route) {
  const since = route.params.get("since");
  const until = route.params.get("until");
  const live = !since;
  const range = { live, since, until: until || (live ? null : new Date().toISOString()) };
  const incidents = incidentsPanel(range);
  const alerts = alertsPanel(range);
  const silences = silencesPanel(range, { onChange: () => alerts.refresh() });
  const cmNodes = cmNodesPanel();
  const drops = dropsPanel(range);
  const agents = agentsPanel();
  const t0 = parseTime(range.since);
  const t1 = parseTime(range.until);
  const banner = live ? null : h("div", { class: "history-banner", id: "history-banner" },
    "History: ", h("b", {}, t0 ? localText(t0) : range.since), " to ", h("b", {}, t1 ? localText(t1) : range.until),
    h("span", { class: "muted" }, " — CM nodes, agents and silences show the collector now."),
    h("a", { href: "#/", class: "button" }, "Back to live"));
  container.append(
    banner || "",
    h("div", { class: "now-grid" },
      h("div", { class: "col-main" }, incidents.el, drops.el),
      h("div", { class: "col-side" }, alerts.el, silences.el, cmNodes.el, agents.el)));

  const all = [incidents, alerts, silences, cmNodes, drops, agents];
  all.forEach((p) => p.refresh());
  const off = live ? onIncidentsChanged(() => Promise.all([incidents.refresh(), alerts.refresh()])) : () => {};
  const timer = setInterval(() => (live ? all.filter((p) => p !== incidents) : [silences, cmNodes, agents]).forEach((p) => p.refresh()),
    SLOW_REFRESH_MS);
  return () => {
    off();
    clearInterval(timer);
    all.forEach((p) => p.dispose && p.dispose());
  };
}

