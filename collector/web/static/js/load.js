// Fills a panel from one API call, and says plainly when the call cannot be answered: an
// endpoint this collector does not have yet (404) gets a "not available" note, never a broken page.
import { note, replace } from "./dom.js";

// `unknownOn404`: for one thing by id (an incident, a phone) a 404 means "no such thing", and
// the API's own words say so better than "not available".
export async function loadInto(body, what, fetcher, render, { unknownOn404 = false } = {}) {
  // Refreshes can overlap (a stream event during a slow answer): only the latest one renders.
  const seq = (body.loadSeq || 0) + 1;
  body.loadSeq = seq;
  try {
    const data = await fetcher();
    if (body.loadSeq !== seq) return;
    replace(body, render(data));
    body.dataset.state = "ok";
  } catch (err) {
    if ((err && err.name === "AbortError") || body.loadSeq !== seq) return;
    body.dataset.state = "error";
    if (err && err.status === 404 && unknownOn404) replace(body, note(err.message, "warn"));
    else if (err && err.notAvailable) replace(body, note(`${what}: not available on this collector (${err.message}).`, "unavailable"));
    else replace(body, note(`${what}: ${err && err.message ? err.message : err}`, "error"));
  }
}
