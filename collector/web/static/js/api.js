// Every call to the collector's JSON API goes through here: it adds the Bearer token, asks for
// one on 401, and turns the API's {"error": ...} answers into ApiError with that text.
import { askToken, token } from "./auth.js";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
  get notAvailable() {
    return this.status === 404 || this.status === 405 || this.status === 501;
  }
}

function headers(extra = {}) {
  const t = token();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

async function errorOf(response) {
  let text = `${response.status} ${response.statusText}`;
  try {
    const body = await response.clone().json();
    if (body && body.error) text = body.error;
  } catch {
    // not JSON (a proxy's page, or no body): the status line says enough
  }
  return new ApiError(response.status, text);
}

// Until a token is known, the first call goes alone and the others wait for it: a collector
// that wants a token then answers 401 once, not once per panel, and the page asks once.
let firstCall = null;

export async function request(path, options = {}) {
  if (token()) return send(path, options);
  if (firstCall) {
    await firstCall;
    return send(path, options);
  }
  let done;
  firstCall = new Promise((resolve) => { done = resolve; });
  try {
    return await send(path, options);
  } finally {
    done();
  }
}

// fetch with the token; a 401 asks for a token and tries again with it.
async function send(path, { method = "GET", body, accept = "application/json", signal } = {}) {
  for (let attempt = 0; ; attempt++) {
    const init = { method, signal, headers: headers({ Accept: accept }), cache: "no-store" };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const response = await fetch(path, init);
    if (response.status === 401 && attempt < 3) {
      const why = token() ? (await errorOf(response)).message || "The collector refused the token."
        : "The collector asks for a token before it shows anything.";
      await askToken(why);
      continue;
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

export async function getJson(path, params = {}, options = {}) {
  const response = await request(withParams(path, params), options);
  return response.json();
}

export async function getText(path, params = {}, accept = "text/plain") {
  const response = await request(withParams(path, params), { accept });
  return response.text();
}

export async function sendJson(method, path, body) {
  const response = await request(path, { method, body });
  const text = await response.text();
  return text ? JSON.parse(text) : {};
}

export function withParams(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, value);
  }
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}
