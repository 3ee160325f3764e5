// Times: the API speaks RFC 3339 UTC; people read their own zone, with UTC on hover.
import { h } from "./dom.js";

const local = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "short", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});
const localShort = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });

export function parseTime(text) {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

// A <time> element: local time as text, the UTC instant in its title.
export function timeEl(text, { short = false } = {}) {
  const t = parseTime(text);
  if (!t) return h("span", { class: "muted" }, "—");
  return h("time", { datetime: t.toISOString(), title: utcText(t) },
    short ? localShort.format(t) : local.format(t));
}

export function utcText(t) {
  return t.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
}

export function localText(t, short = false) {
  return (short ? localShort : local).format(t);
}

// "4 min", "2 h 5 min", "3 d": how long something has lasted, for a glance from across the room.
export function durationText(ms) {
  if (!(ms >= 0)) return "—";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours} h ${m % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function ageEl(text, now = Date.now()) {
  const t = parseTime(text);
  if (!t) return h("span", { class: "muted" }, "—");
  return h("time", { class: "age", datetime: t.toISOString(), title: `since ${utcText(t)}` }, durationText(Math.max(0, now - t.getTime())));
}

// Ages count on between fetches: a wall screen may go minutes without a change to refetch.
export function tickAges() {
  const now = Date.now();
  for (const el of document.querySelectorAll("time.age")) {
    // A device clock a little ahead of ours is "0 s", not a negative age.
    el.textContent = durationText(Math.max(0, now - Date.parse(el.getAttribute("datetime"))));
  }
}

// <input type="datetime-local"> value (browser zone) <-> RFC 3339 UTC for the API.
export function toLocalInput(t) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

export function fromLocalInput(value) {
  if (!value) return null;
  const t = new Date(value);  // a datetime-local string without zone is read as local time
  return Number.isNaN(t.getTime()) ? null : t;
}

export function rfc3339(t) {
  return t.toISOString().replace(/\.\d{3}Z$/, "Z");
}
