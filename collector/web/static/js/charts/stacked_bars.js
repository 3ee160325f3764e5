// A small stacked-bar chart in SVG: one bar per time step, one segment per series. Our own
// code (no chart library): the dashboard must work with nothing but the collector's binary.
import { h, svg } from "../dom.js";
import { localText, utcText } from "../time.js";

const W = 1000;
const H = 240;
const PAD = { left: 44, right: 8, top: 10, bottom: 26 };

// A round number at or above `max` for the top of the y axis: 1, 2, 5, 10, 20, 50, ...
function niceMax(max) {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

// points: [{time: Date, counts: {series: n}}]; series: names in stacking order; colors: name -> css var.
export function stackedBars({ points, series, colors, label }) {
  const totals = points.map((p) => series.reduce((s, name) => s + (p.counts[name] || 0), 0));
  const top = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = points.length ? plotW / points.length : plotW;
  const y = (v) => PAD.top + plotH - (v / top) * plotH;
  const parts = [];
  for (let g = 0; g <= 4; g++) {
    const v = (top * g) / 4;
    parts.push(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: PAD.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, Number.isInteger(v) ? v : v.toFixed(1)));
  }
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((p, i) => {
    const x = PAD.left + i * bw;
    let base = 0;
    const tip = [`${localText(p.time)} (${utcText(p.time)})`];
    for (const name of series) {
      const n = p.counts[name] || 0;
      if (!n) continue;
      tip.push(`${name}: ${n}`);
      parts.push(svg("rect", { x: x + bw * 0.08, width: Math.max(bw * 0.84, 0.6), y: y(base + n), height: y(base) - y(base + n),
        style: { fill: colors(name) }, class: "bar" }));
      base += n;
    }
    // A full-height transparent target per step so hovering anywhere on the column shows its counts.
    parts.push(svg("rect", { x, width: bw, y: PAD.top, height: plotH, class: "hover" }, svg("title", {}, tip.join("\n"))));
    if (i % labelEvery === 0) {
      parts.push(svg("text", { x: x + bw / 2, y: H - 8, class: "axis", "text-anchor": "middle" }, localText(p.time, true)));
    }
  });
  const legend = h("ul", { class: "legend" }, series.map((name) =>
    h("li", {}, h("span", { class: "swatch", style: { background: colors(name) } }), name)));
  return h("figure", { class: "chart" },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: "stacked-bars" }, parts),
    legend);
}
