// What a search box entry means: a MAC in any common form becomes the phone's device name
// (SEP + 12 upper-case hex), so the page can open a phone even where /api/v1/phones?q= is
// missing; anything else is left for the server to match (IP, description, other names).
const MAC_FORMS = [
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i,
  /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i,
  /^([0-9a-f]{12})$/i,
];

// "00:17:94:3a:98:ba", "0017.943a.98ba", "00-17-94-3A-98-BA", "0017943A98BA", "sep0017943a98ba"
// -> "SEP0017943A98BA"; null when `text` is not a MAC or a SEP name.
export function deviceFromMac(text) {
  const t = text.trim();
  const sep = /^sep([0-9a-f]{12})$/i.exec(t);
  if (sep) return "SEP" + sep[1].toUpperCase();
  for (const form of MAC_FORMS) {
    const m = form.exec(t);
    if (m) return "SEP" + m.slice(1).join("").toUpperCase();
  }
  return null;
}

export function looksLikeIp(text) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text.trim()) || /^[0-9a-f:]+:[0-9a-f:]*$/i.test(text.trim());
}

// A device name as the collector spells them (SEP..., ATA..., CIPC...): one word, no spaces.
export function looksLikeDeviceName(text) {
  return /^[A-Za-z][A-Za-z0-9_.-]{2,63}$/.test(text.trim()) && !looksLikeIp(text);
}
