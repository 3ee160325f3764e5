// The search box on every page: a device name, a MAC in any common form, an IP or a piece of
// a description. The server's /api/v1/phones?q= finds them; where a collector lacks it, a MAC
// or device name still opens the phone directly.
import { getJson } from "./api.js";
import { h, replace } from "./dom.js";
import { deviceFromMac, looksLikeDeviceName } from "./device.js";
import { timeEl } from "./time.js";

function open(device) {
  location.hash = `#/phone/${encodeURIComponent(device)}`;
}

export function searchBox() {
  const input = h("input", { type: "search", id: "search", name: "q", placeholder: "phone: name, MAC, IP, description  ( / )",
    autocomplete: "off", "aria-label": "find a phone", spellcheck: "false" });
  const results = h("div", { class: "search-results", id: "search-results", hidden: true });
  const form = h("form", { class: "search", role: "search" }, input, h("button", { type: "submit" }, "Find"), results);

  function show(...children) {
    replace(results, ...children);
    results.hidden = false;
  }

  async function find(q) {
    const mac = deviceFromMac(q);
    try {
      const data = await getJson("/api/v1/phones", { q });
      const phones = data.phones || [];
      if (phones.length === 1) return open(phones[0].device);
      if (!phones.length) {
        if (mac) return open(mac);  // nothing stored yet: the phone page says so in its own words
        return show(h("p", { class: "muted" }, `No phone matches “${q}”.`));
      }
      show(h("ul", {}, phones.map((p) => h("li", {}, h("a", { href: `#/phone/${encodeURIComponent(p.device)}` },
        h("b", {}, p.device), " ", h("span", { class: "muted" }, [p.ip, p.description].filter(Boolean).join(" · ")), " ",
        p.last_seen ? timeEl(p.last_seen, { short: true }) : "")))));
    } catch (err) {
      if (err.notAvailable && (mac || looksLikeDeviceName(q))) return open(mac || q.trim().toUpperCase());
      show(h("p", { class: "error" }, err.notAvailable
        ? "Searching by IP or description needs /api/v1/phones, which this collector does not have; a MAC or device name works."
        : err.message));
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    results.hidden = true;
    const q = input.value.trim();
    if (q) find(q);
  });
  // Picking a result or going elsewhere closes the list.
  window.addEventListener("hashchange", () => { results.hidden = true; });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") results.hidden = true;
    // "/" jumps to the search box, as in most consoles, unless typing somewhere already.
    if (e.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      e.preventDefault();
      input.focus();
    }
  });
  return form;
}
