// Fills a panel from one API call, and says plainly when the call cannot be answered: an
// endpoint this collector does not have yet (404) gets a "not available" note, never a broken page.
import { note, replace } from "./dom.js";

// `unknownOn404`: for one thing by id (an incident, a phone) a 404 means "no such thing", and
// the API's own words say so better than "not available".
export async function loadInto(body, what, fetcher, render, { unknownOn404 = false } = {}) {
  try {
    const data = await fetcher();
    replace(body, render(data));
    body.dataset.state = "ok";
  } catch (err) {
    if (err && err.name === "AbortError") return;
    body.dataset.state = "error";
    if (err && err.status === 404 && unknownOn404) replace(body, note(err.message, "warn"));
    else if (err && err.notAvailable) replace(body, note(`${what}: not available on this collector (${err.message}).`, "unavailable"));
    else replace(body, note(`${what}: ${err && err.message ? err.message : err}`, "error"));
  }
}
