// Live updates: /api/v1/stream is Server-Sent Events, read with fetch and a ReadableStream
// (EventSource cannot send the Bearer header). Each `incidents` event tells the views to
// refetch. When the stream fails the page falls back to a slow poll, never a tight one.
import { request } from "./api.js";

const FALLBACK_POLL_MS = 15000;
const listeners = new Set();
let state = "connecting";
let stateListeners = new Set();

const MIN_REFETCH_GAP_MS = 500;

// fn runs at once on the first news, then at most every 500 ms while news keeps coming (the
// stream's own pace; a slow answer stretches it: never two fetches at once), and always once
// more after the last news, so what the page shows is never older than the last change.
function coalesced(fn) {
  let running = false;
  let again = false;
  let last = 0;
  async function run() {
    if (running) {
      again = true;
      return;
    }
    const wait = last + MIN_REFETCH_GAP_MS - Date.now();
    if (wait > 0) {
      running = true;
      await new Promise((r) => setTimeout(r, wait));
      running = false;
    }
    running = true;
    again = false;  // news from before this fetch starts is in its answer
    last = Date.now();
    try {
      await fn();
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      run();
    }
  }
  return run;
}

export function onIncidentsChanged(fn) {
  const run = coalesced(fn);
  listeners.add(run);
  return () => listeners.delete(run);
}

export function onStreamState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

function setState(next) {
  state = next;
  for (const fn of stateListeners) fn(next);
}

function notify(data) {
  for (const fn of [...listeners]) fn(data);
}

// Splits the byte stream into SSE events (blank-line separated; `event:` and `data:` fields).
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;  // a keep-alive comment
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") type = val;
        else if (field === "data") data.push(val);
      }
      if (data.length || type !== "message") onEvent(type, data.join("\n"));
    }
  }
}

async function connectOnce() {
  const response = await request("/api/v1/stream", { accept: "text/event-stream" });
  setState("live");
  // Whatever changed before the stream was open (even between the views' first fetch and
  // now) is not announced on it: refetch once on every connect.
  notify(null);
  await readEvents(response, (type, data) => {
    if (type !== "incidents") return;
    let parsed = null;
    try {
      parsed = data ? JSON.parse(data) : null;
    } catch {
      parsed = null;  // the event itself is the news; its body is a hint
    }
    notify(parsed);
  });
}

export async function startStream() {
  let failures = 0;
  for (;;) {
    try {
      await connectOnce();
      failures = 0;  // the server closed a working stream: reconnect straight away
    } catch (err) {
      failures++;
      if (err && err.notAvailable) {
        setState("polling");
        await pollForever();
        return;
      }
    }
    setState(failures ? "reconnecting" : "connecting");
    // While the stream is down, views still refresh: a slow poll doubles as the retry timer.
    const wait = failures ? Math.min(FALLBACK_POLL_MS, 1000 * 2 ** failures) : 250;
    await new Promise((r) => setTimeout(r, wait));
    if (failures) notify(null);
  }
}

async function pollForever() {
  for (;;) {
    await new Promise((r) => setTimeout(r, FALLBACK_POLL_MS));
    notify(null);
  }
}
