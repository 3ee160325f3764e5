// Silences: the active ones, a form to create one and a button to expire one. Only an operator
// may write; a viewer's attempt comes back 403 and the form then stays disabled with the API's
// own words for why (until the token changes).
import { getJson, sendJson } from "../api.js";
import { token } from "../auth.js";
import { h, note, panel, replace } from "../dom.js";
import { loadInto } from "../load.js";
import { timeEl } from "../time.js";

const REFUSED_KEY = "regwatch.silence-refused";

function refusal() {
  try {
    const r = JSON.parse(sessionStorage.getItem(REFUSED_KEY) || "null");
    return r && r.token === token() ? r.error : null;
  } catch {
    return null;
  }
}

function rememberRefusal(error) {
  sessionStorage.setItem(REFUSED_KEY, JSON.stringify({ token: token(), error }));
}

function matcherText(m) {
  return typeof m === "string" ? m : `${m.name}${m.type}${m.value}`;
}

export function silencesPanel(range, { onChange } = {}) {
  const el = panel("Silences active", "panel-silences");
  const body = el.querySelector(".panel-body");
  const list = h("div", { class: "silence-list" }, note("loading…"));
  const status = h("p", { class: "form-status", id: "silence-status", role: "status" });
  const matchers = h("textarea", { id: "silence-matchers", name: "matchers", rows: 2, required: true,
    placeholder: "alertname=RegistrationBurst\nscope=~ucm-.*" });
  const until = h("input", { id: "silence-until", name: "until", value: "2h", required: true, size: 10,
    title: "how long (90s, 30m, 2h, 7d) or an RFC 3339 end time" });
  const comment = h("input", { id: "silence-comment", name: "comment", required: true, placeholder: "why: change number, maintenance" });
  const submit = h("button", { type: "submit", id: "silence-submit" }, "Create silence");
  const fieldset = h("fieldset", { id: "silence-fieldset" },
    h("legend", {}, "New silence"),
    h("label", {}, "Matchers, one a line (name=value, name=~regex, name!=value)", matchers),
    h("div", { class: "row" },
      h("label", { class: "narrow" }, "For / until", until),
      h("label", { class: "grow" }, "Comment", comment)),
    h("div", { class: "row" }, submit, status));
  const form = h("form", { class: "silence-form", id: "silence-form" }, fieldset);

  function showRefusal() {
    const why = refusal();
    if (!why && form.classList.contains("refused")) replace(status);
    fieldset.disabled = Boolean(why);
    form.classList.toggle("refused", Boolean(why));
    if (why) replace(status, h("span", { class: "error" }, `Not allowed: ${why}`));
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    replace(status, "creating…");
    const body = {
      matchers: matchers.value.split("\n").map((s) => s.trim()).filter(Boolean),
      until: until.value.trim(),
      comment: comment.value.trim(),
    };
    try {
      const created = await sendJson("POST", "/api/v1/silences", body);
      replace(status, h("span", { class: "ok" }, `Silence ${created.id || ""} created.`));
      comment.value = "";
      refresh();
      if (onChange) onChange();
    } catch (err) {
      if (err.status === 403) {
        rememberRefusal(err.message);
        showRefusal();
      } else {
        replace(status, h("span", { class: "error" }, err.message));
      }
    }
  });

  async function expire(silence, button, where) {
    button.disabled = true;
    try {
      await sendJson("DELETE", `/api/v1/silences/${encodeURIComponent(silence.id)}`);
      refresh();
    } catch (err) {
      button.disabled = false;
      replace(where, h("span", { class: "error" }, err.status === 403 ? `Not allowed: ${err.message}` : err.message));
    }
  }

  function silenceRow(s) {
    const where = h("span", { class: "row-status" });
    const button = h("button", { class: "small", type: "button", title: "end this silence now" }, "Expire");
    button.addEventListener("click", () => expire(s, button, where));
    return h("li", { class: "silence", dataset: { silenceId: s.id } },
      h("div", { class: "line1" },
        h("code", {}, (s.matchers || []).map(matcherText).join(", ")),
        h("span", { class: "right" }, "until ", timeEl(s.ends))),
      h("div", { class: "muted" }, s.comment, s.author ? ` — ${s.author}` : ""),
      s.state === "expired" ? null : h("div", { class: "row" }, button, where));
  }

  function refresh() {
    return loadInto(list, "silences", () => getJson("/api/v1/silences"), (data) => {
      const active = (data.silences || []).filter((s) => s.state !== "expired");
      return active.length ? h("ul", { class: "silence-list-items" }, active.map(silenceRow)) : note("No silence active.");
    });
  }

  replace(body, list, range.live ? form : note("New silences start now: go back to live to create one.", "muted"));
  showRefusal();
  window.addEventListener("regwatch:token", showRefusal);
  return { el, refresh, dispose: () => window.removeEventListener("regwatch:token", showRefusal) };
}
