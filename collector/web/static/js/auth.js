// The API token: asked for once (a small form, not prompt()) when the API answers 401, kept in
// sessionStorage so it lasts the browser session and no longer.
import { h } from "./dom.js";

const KEY = "regwatch.token";
let pending = null;  // one form at a time: every request that got a 401 waits on the same answer

export function token() {
  return sessionStorage.getItem(KEY) || "";
}

export function setToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
  window.dispatchEvent(new CustomEvent("regwatch:token"));
}

// Shows the token form and resolves once a token is entered. `why` says what went wrong
// (no token yet, or the last one was refused).
export function askToken(why) {
  if (pending) return pending;
  pending = new Promise((resolve) => {
    const input = h("input", { type: "password", id: "token-input", name: "token", autocomplete: "off",
      required: true, placeholder: "token", "aria-label": "API token" });
    const form = h("form", { class: "token-form", id: "token-form" },
      h("h2", {}, "This collector needs a token"),
      h("p", { class: "muted" }, why),
      h("p", { class: "muted" }, "It is kept for this browser session only."),
      h("div", { class: "row" }, input, h("button", { type: "submit", id: "token-submit" }, "Use token")));
    const overlay = h("div", { class: "overlay", id: "token-overlay", role: "dialog", "aria-modal": "true" }, form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      overlay.remove();
      pending = null;
      setToken(value);
      resolve(value);
    });
    document.body.append(overlay);
    input.focus();
  });
  return pending;
}
