// Builds DOM nodes from data without innerHTML, so text from the API (device descriptions,
// syslog messages) can never become markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElementNS(tag.startsWith("svg:") ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml",
    tag.replace(/^svg:/, ""));
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    // Styles through the CSSOM: the collector's Content-Security-Policy (style-src 'self')
    // blocks style attributes, not properties set from a script.
    else if (key === "style") for (const [prop, v] of Object.entries(value)) el.style.setProperty(prop, v);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function svg(tag, attrs = {}, ...children) {
  return h("svg:" + tag, attrs, ...children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces everything inside `el` with `children`.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A panel: a titled box whose body a view fills (or fills with a note when its data is missing).
export function panel(title, id, ...body) {
  return h("section", { class: "panel", id },
    h("h2", {}, title),
    h("div", { class: "panel-body" }, ...body));
}

export function note(text, kind = "muted") {
  return h("p", { class: `note ${kind}` }, text);
}
