// The dashboard's entry point: the header (search, time range, live state, token), the hash
// router (#/, #/incident/<id>, #/phone/<device>) and the live stream that drives refetches.
import { h, replace } from "./dom.js";
import { setToken, token } from "./auth.js";
import { tickAges } from "./time.js";
import { rangePicker } from "./range.js";
import { searchBox } from "./search.js";
import { onStreamState, startStream } from "./stream.js";
import { nowView } from "./views/now.js";
import { incidentView } from "./views/incident.js";
import { phoneView } from "./views/phone.js";

const VIEWS = { now: nowView, incident: incidentView, phone: phoneView };

// "#/incident/abc?x=1" -> {name: "incident", parts: ["incident", "abc"], params}
export function parseRoute(hash) {
  const raw = hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const name = parts.length >= 2 && VIEWS[parts[0]] ? parts[0] : "now";
  return { name, parts, params };
}

const main = document.getElementById("view");
const range = rangePicker();
let dispose = () => {};

function route() {
  dispose();
  const r = parseRoute(location.hash);
  range.update(r);
  replace(main);
  main.dataset.view = r.name;
  document.title = r.name === "now" ? (r.params.get("since") ? "regwatch — history" : "regwatch — now")
    : `regwatch — ${r.parts[1]}`;
  dispose = VIEWS[r.name](main, r) || (() => {});
  window.scrollTo(0, 0);
}

function liveIndicator() {
  const el = h("span", { class: "live", id: "live-state", title: "the incident stream" });
  onStreamState((state) => {
    el.dataset.state = state;
    el.textContent = { live: "● live", connecting: "○ connecting", reconnecting: "○ reconnecting", polling: "◐ polling" }[state] || state;
    el.title = state === "polling" ? "no stream on this collector: refreshing every 15 s" : `incident stream: ${state}`;
  });
  return el;
}

// Lets the person at the screen change the token (a viewer handing over to an operator).
function tokenButton() {
  const b = h("button", { type: "button", class: "small quiet", id: "token-change" });
  const label = () => { b.textContent = token() ? "change token" : "token"; };
  label();
  b.addEventListener("click", () => {
    setToken("");
    location.reload();
  });
  window.addEventListener("regwatch:token", label);
  return b;
}

function clock() {
  const el = h("time", { class: "clock" });
  const tick = () => {
    tickAges();
    const now = new Date();
    el.textContent = now.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
    el.title = now.toISOString().replace(/\.\d+Z$/, " UTC").replace("T", " ");
  };
  tick();
  setInterval(tick, 10000);
  return el;
}

replace(document.getElementById("header-tools"), searchBox(), range.el, liveIndicator(), clock(), tokenButton());
window.addEventListener("hashchange", route);
route();
startStream();
