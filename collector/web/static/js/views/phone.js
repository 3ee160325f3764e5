// One phone explained: its state, the reason in words, where it sits, the incident it dropped
// in, what to check next, and its timeline. `#/phone/<device>?at=<time>` explains a past moment.
import { getJson } from "../api.js";
import { h, note } from "../dom.js";
import { eventsTable } from "../events_table.js";
import { loadInto } from "../load.js";
import { onIncidentsChanged } from "../stream.js";
import { fromLocalInput, rfc3339, timeEl, toLocalInput, parseTime } from "../time.js";
import { scopeText } from "../panels/incidents.js";

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

// A SIP phone as the agent saw it register on the wire (docs/sip.md): the Expires granted, its
// firmware and its changes, and the phone's own account of its last loss beside CUCM's.
function sipPanel(s) {
  const loss = s.last_loss;
  const cucm = loss ? loss.cucm_reason : null;
  return h("section", { class: "panel wide", id: "sip" }, h("h2", {}, "SIP registration"),
    facts([
      ["registered", s.registered_at ? timeEl(s.registered_at) : null],
      ["Expires granted", s.expires_s ? `${s.expires_s} s (its REGISTER refresh is its keepalive)` : null],
      ["transport", s.transport],
      ["line", s.line],
      ["through", s.via_proxy],
      ["user agent", s.user_agent],
      ["firmware", s.load_name],
      ["firmware changes", (s.firmware_history || []).map((c) => `${c.from || "?"} → ${c.to} (${c.at})`).join("; ")],
      ["phone says it lost its last registration", loss ? `Last=${loss.words}${loss.name ? ` (${loss.name})` : ""}${loss.meaning ? `: ${loss.meaning}` : ""}` : null],
      ["its class", loss && loss.class ? h("span", { class: `badge reason-${loss.class}` }, loss.class) : null],
      ["CUCM said for that drop", cucm && cucm.name ? `${cucm.name}${cucm.code !== undefined ? ` (${cucm.code})` : ""}` : null],
    ]));
}

function render(d) {
  const r = d.reason;
  const a = d.attachment;
  const latest = [...(d.timeline || [])].reverse().find((e) => e.ip || e.description || e.mac) || {};
  return [
    h("div", { class: "phone-head" },
      h("h1", {}, d.device, h("span", { class: `badge big phone-state state-${d.state}` }, d.state)),
      h("p", { class: "muted" }, "as of ", timeEl(d.at), d.since ? [" · since ", timeEl(d.since)] : "")),
    h("div", { class: "phone-grid" },
      h("section", { class: "panel", id: "explain" }, h("h2", {}, "Why"),
        r ? null : note("No drop reason stored."),
        facts([
          ["reason", r ? (r.name ? `${r.name}${r.code !== undefined ? ` (${r.code})` : ""}` : r.text) : null],
          ["meaning", r ? r.meaning : null],
          ["class", r && r.class ? h("span", { class: `badge reason-${r.class}` }, r.class) : null],
          ["phone said", r && r.name ? r.text : null],
          ["last drop", d.last_drop ? timeEl(d.last_drop) : null],
          ["reported by", (d.reported_by || []).join("; ")],
        ])),
      h("section", { class: "panel", id: "place" }, h("h2", {}, "Where"),
        facts([
          ["CM node", d.cm_node],
          ["protocol", d.protocol],
          ["switch", a ? a.switch : null],
          ["module", a && a.module !== undefined && a.module !== "" ? a.module : null],
          ["port", a ? a.port : null],
          ["voice VLAN", a && a.voice_vlan ? a.voice_vlan : null],
          ["seen on the port", a ? timeEl(a.seen) : null],
          ["MAC", latest.mac], ["IP", latest.ip], ["description", latest.description],
          ["model", latest.device_type_name],
        ])),
      h("section", { class: "panel", id: "phone-incident" }, h("h2", {}, "Incident"),
        d.incident ? h("p", {}, h("a", { href: `#/incident/${encodeURIComponent(d.incident.id)}`, class: "incident-link" },
          `${d.incident.phone_count} phones on ${scopeText(d.incident.scope)}`), " ",
          h("span", { class: `badge class-${d.incident.class}` }, d.incident.class))
          : note("Not part of an incident: a drop of its own.")),
      d.boot_chain ? h("section", { class: "panel wide", id: "boot-chain" }, h("h2", {}, "Boot chain"),
        h("p", {}, d.boot_chain.summary),
        facts([
          ["stage", d.boot_chain.stage],
          ["since", d.boot_chain.stage_since ? timeEl(d.boot_chain.stage_since) : null],
          ["lease", d.boot_chain.lease ? `${d.boot_chain.lease.ip} (TFTP ${(d.boot_chain.lease.tftp_servers || []).join(", ") || "none"})` : null],
          ["files", (d.boot_chain.files || []).map((f) => `${f.file}: fetched ${f.fetched}${f.failed ? `, failed ${f.failed} (${f.last_failure})` : ""}`).join("; ")],
          ["trouble", (d.boot_chain.problems || []).join("; ")],
          ["rule", d.boot_chain.rule],
        ])) : null,
      d.sip ? sipPanel(d.sip) : null,
      h("section", { class: "panel wide", id: "next-steps" }, h("h2", {}, "What to check next"),
        (d.next_steps || []).length ? h("ol", { class: "next-steps" }, d.next_steps.map((s) => h("li", {}, s))) : note("Nothing to suggest."))),
    h("section", { class: "panel", id: "phone-timeline" }, h("h2", {}, `Timeline (${(d.timeline || []).length} event${(d.timeline || []).length === 1 ? "" : "s"})`),
      (d.timeline || []).length ? eventsTable(d.timeline, { showDevice: false }) : note("No event stored for this phone.")),
  ];
}

export function phoneView(container, route) {
  const device = route.parts[1];
  const at = route.params.get("at");
  const atInput = h("input", { type: "datetime-local", id: "phone-at", value: at && parseTime(at) ? toLocalInput(parseTime(at)) : "" });
  const atForm = h("form", { class: "inline-form" }, h("label", {}, "Explain as of ", atInput),
    h("button", { type: "submit" }, "Show"), at ? h("a", { href: `#/phone/${encodeURIComponent(device)}`, class: "button" }, "Now") : null);
  atForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const t = fromLocalInput(atInput.value);
    location.hash = `#/phone/${encodeURIComponent(device)}${t ? `?at=${encodeURIComponent(rfc3339(t))}` : ""}`;
  });
  const body = h("div", { class: "phone-view" }, note("loading…"));
  container.append(h("div", { class: "crumbs" }, h("a", { href: "#/" }, "← Now"), atForm), body);
  const refresh = () => loadInto(body, device, () => getJson(`/api/v1/phones/${encodeURIComponent(device)}`, { at }), render, { unknownOn404: true });
  refresh();
  return at ? () => {} : onIncidentsChanged(refresh);
}
