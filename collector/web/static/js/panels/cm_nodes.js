// Registered phones per CUCM node, from the CCM-MIB polls: the first place to look when a
// node loses its phones.
import { getJson } from "../api.js";
import { h, note, panel } from "../dom.js";
import { loadInto } from "../load.js";
import { timeEl } from "../time.js";

function bar(n, total, cls) {
  const pct = total ? (100 * n) / total : 0;
  return h("span", { class: `seg ${cls}`, style: { width: `${pct.toFixed(2)}%` }, title: `${cls}: ${n}` });
}

export function cmNodesPanel() {
  const el = panel("Phones per CM node", "panel-cm-nodes", note("loading…"));
  const body = el.querySelector(".panel-body");
  return {
    el,
    refresh: () => loadInto(body, "CM nodes", () => getJson("/api/v1/cm_nodes"), (data) => {
      const nodes = data.cm_nodes || [];
      if (!nodes.length) return note("No CCM-MIB poll stored yet (snmp targets with role cucm).");
      return h("table", { class: "cm-nodes" },
        h("thead", {}, h("tr", {}, h("th", {}, "node"), h("th", { class: "num" }, "registered"),
          h("th", { class: "num" }, "unregistered"), h("th", { class: "num" }, "rejected"),
          h("th", { class: "num", title: "registered phones since the poll before" }, "change"), h("th", {}, ""), h("th", {}, "polled"))),
        h("tbody", {}, nodes.map((n) => {
          const total = n.registered + n.unregistered + n.rejected;
          return h("tr", {},
            h("td", {}, n.cm_node),
            h("td", { class: "num big" }, n.registered),
            h("td", { class: `num ${n.unregistered ? "bad" : ""}` }, n.unregistered),
            h("td", { class: `num ${n.rejected ? "warn" : ""}` }, n.rejected),
            h("td", { class: `num ${n.change_from_previous < 0 ? "bad" : ""}` },
              n.change_from_previous ? (n.change_from_previous > 0 ? "+" : "") + n.change_from_previous : ""),
            h("td", { class: "bar-cell" }, h("span", { class: "stack" },
              bar(n.registered, total, "registered"), bar(n.unregistered, total, "unregistered"), bar(n.rejected, total, "rejected"))),
            h("td", { class: "nowrap" }, timeEl(n.time, { short: true })));
        })));
    }),
  };
}
