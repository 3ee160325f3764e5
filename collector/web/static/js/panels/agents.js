// Agents (lag, spool depth, drops) and the inputs that went silent: is regwatch itself
// seeing everything it should?
import { getJson } from "../api.js";
import { h, note, panel } from "../dom.js";
import { loadInto } from "../load.js";
import { ageEl, durationText } from "../time.js";

// Field names as the status answer may spell them; "—" where this collector does not say.
function pick(obj, ...names) {
  for (const n of names) if (obj[n] !== undefined && obj[n] !== null) return obj[n];
  return undefined;
}

function cell(value, cls = "num") {
  return h("td", { class: cls }, value === undefined ? h("span", { class: "muted" }, "—") : value);
}

// Columns the status answer may carry (newer collectors): shown only when some agent has them.
const OPTIONAL = [
  ["lag", (a) => pick(a, "lag_s", "lag_seconds"), (v) => durationText(v * 1000)],
  ["spool", (a) => pick(a, "spool_records", "spool_depth", "unacked_records"), (v) => v],
  ["dropped", (a) => pick(a, "dropped", "drops", "events_dropped"), (v) => v],
];

function agentsTable(status) {
  const agents = status.agents || [];
  if (!agents.length) return note("No agent has sent anything yet.", "warn");
  const extra = OPTIONAL.filter(([, get]) => agents.some((a) => get(a) !== undefined));
  return [
    h("table", { class: "agents" },
      h("thead", {}, h("tr", {}, h("th", {}, "agent"), h("th", {}, "last stored"),
        extra.map(([name]) => h("th", { class: "num" }, name)), h("th", { class: "num" }, "events"))),
      h("tbody", {}, agents.map((a) => h("tr", {},
        h("td", { class: "wrap-anywhere" }, a.agent_id),
        h("td", { class: "nowrap" }, a.last_store_time ? [ageEl(a.last_store_time), " ago"] : "—"),
        extra.map(([, get, show]) => cell(get(a) === undefined ? undefined : show(get(a)))),
        cell(a.events))))),
    extra.length < OPTIONAL.length ? h("p", { class: "muted small" },
      "Spool depth and drops are each agent's own metrics (regwatch-agent --metrics, /metrics); ",
      "this collector's status does not carry them.") : null,
    receiversTable(status.receivers || []),
  ];
}

// Where alerts go (webhook, PagerDuty, mail, Alertmanager): failing deliveries are news too.
function receiversTable(receivers) {
  if (!receivers.length) return null;
  return [h("h3", {}, "Receivers"), h("table", { class: "receivers" },
    h("thead", {}, h("tr", {}, h("th", {}, "receiver"), h("th", { class: "num" }, "pending"),
      h("th", { class: "num" }, "delivered"), h("th", { class: "num" }, "failed"), h("th", {}, "last error"))),
    h("tbody", {}, receivers.map((r) => h("tr", { class: r.given_up || r.pending > 10 ? "silent" : "" },
      h("td", {}, r.receiver), cell(r.pending), cell(r.delivered), cell(r.failed_attempts),
      h("td", { class: "wrap-anywhere" }, r.last_error || "")))))];
}

function inputsTable(data) {
  const inputs = data.inputs || [];
  if (!inputs.length) return note("No input has been heard from.");
  const silent = inputs.filter((i) => i.silent);
  return [
    silent.length ? note(`${silent.length} of ${inputs.length} inputs silent.`, "bad") : note(`All ${inputs.length} inputs heard from.`, "good"),
    h("table", { class: "inputs" },
      h("thead", {}, h("tr", {}, h("th", {}, "origin"), h("th", {}, "source"), h("th", { title: "since the input's last event" }, "quiet for"), h("th", {}, "agent"))),
      h("tbody", {}, [...silent, ...inputs.filter((i) => !i.silent)].map((i) => h("tr", { class: i.silent ? "silent" : "" },
        h("td", { class: "wrap-words" }, i.origin), h("td", {}, i.source),
        h("td", { class: "nowrap" }, ageEl(i.last_event), i.silent ? [" ", h("span", { class: "badge bad" }, "silent")] : null),
        h("td", { class: "wrap-anywhere muted" }, i.agent))))),
  ];
}

export function agentsPanel() {
  const el = panel("Agents and inputs", "panel-agents");
  const body = el.querySelector(".panel-body");
  const agents = h("div", {}, note("loading…"));
  const inputs = h("div", { class: "inputs-box" }, note("loading…"));
  body.append(agents, h("h3", {}, "Inputs"), inputs);
  return {
    el,
    refresh: () => Promise.all([
      loadInto(agents, "agents", () => getJson("/api/v1/status"), agentsTable),
      loadInto(inputs, "inputs", () => getJson("/api/v1/inputs"), inputsTable),
    ]),
  };
}
