// ---------------------------------------------------------------- entropy.js (after _core.js)
/*
 * The entropy explorers, one module for both: chapter 3's (a distribution p: its bars, and H(p)
 * against its maximum log C) and chapter 4's (p and q: their bars, and H(p, q) = H(p) + KL(p || q)
 * as a stacked bar, with the reverse KL(q || p) beside it). One slider of non-negative weight per
 * outcome, normalised for display (all weights 0: shown as uniform, with a note); a unit selector.
 * Traits: p (and q for chapter 4's: its model has a q) as lists of weights, base (2 for bits, e for
 * nats, or any base > 1 set from Python). Numbers as xent_book.widgets.entropy_values and
 * entropy_kl_values, with xent_book.info's formulas (0 log 0 = 0; KL = inf where q_k = 0 < p_k;
 * tests compare them to 1e-9, in Node and in the browser).
 */
const WEIGHT_MAX = 1;

/** Non-negative weights -> a distribution; all zero -> uniform (flagged), as widgets.entropy.normalise_weights. */
function normaliseWeights(w) {
  let total = 0;
  for (let i = 0; i < w.length; i++) { total += w[i]; }
  if (total === 0) { return { p: w.map(() => 1 / w.length), zero: true }; }
  return { p: w.map((x) => x / total), zero: false };
}

/** x log y with 0 log y = 0 (scipy.special.xlogy); y = 0 < x gives -inf. */
function xlogy(x, y) { return x === 0 ? 0 : x * Math.log(y); }

function logOfBase(base) { return base === Math.E ? 1 : Math.log(base); }

/** H(p) = -sum p log p, as xent_book.info.entropy (+ 0: no -0). */
function entropyOf(p, logB) {
  let s = 0;
  for (let i = 0; i < p.length; i++) { s += xlogy(p[i], p[i]); }
  return -s / logB + 0;
}

/** H(p, q) = -sum p log q, as xent_book.info.cross_entropy (inf where q_k = 0 < p_k). */
function crossEntropyOf(p, q, logB) {
  let s = 0;
  for (let i = 0; i < p.length; i++) { s += xlogy(p[i], q[i]); }
  return -s / logB + 0;
}

/** KL(p || q) = sum (p log p - p log q), clamped at 0 (rounding), as xent_book.info.kl_divergence. */
function klOf(p, q, logB) {
  let s = 0;
  for (let i = 0; i < p.length; i++) { s += xlogy(p[i], p[i]) - xlogy(p[i], q[i]); }
  return Math.max(s, 0) / logB;
}

function unitOf(base) {
  if (base === 2) { return "bits"; }
  if (base === Math.E) { return "nats"; }
  if (base === 10) { return "hartleys"; }
  return "base-" + sig(base, 6) + " units";
}

function zeroNote(names) {
  return names.length ? "All weights of " + names.join(" and ") + " are 0: shown as uniform." : "";
}

function entropyValues(w, base) {
  const n = normaliseWeights(w), logB = logOfBase(base);
  return { weights: w, p: n.p, entropy: entropyOf(n.p, logB), maxEntropy: Math.log(w.length) / logB,
           perplexity: Math.exp(entropyOf(n.p, 1)), unit: unitOf(base), base,
           note: zeroNote(n.zero ? ["p"] : []) };
}

function entropyKLValues(wp, wq, base) {
  if (wp.length !== wq.length) { throw new Error("p and q have " + wp.length + " and " + wq.length + " outcomes"); }
  const np = normaliseWeights(wp), nq = normaliseWeights(wq), logB = logOfBase(base), zero = [];
  if (np.zero) { zero.push("p"); }
  if (nq.zero) { zero.push("q"); }
  return { p: np.p, q: nq.p, entropy: entropyOf(np.p, logB), crossEntropy: crossEntropyOf(np.p, nq.p, logB),
           kl: klOf(np.p, nq.p, logB), klReverse: klOf(nq.p, np.p, logB),
           maxEntropy: Math.log(wp.length) / logB, unit: unitOf(base), base, note: zeroNote(zero) };
}

// ------------------------------------------------------------------ charts

/** Grouped bars: series = [[name, values, colour], ...] over the same outcomes. */
function distributionBars(out, series, top, bottom, x0, x1, vmax) {
  const n = series[0][1].length, m = series.length, sy = (u) => bottom - u / vmax * (bottom - top);
  [0, vmax / 2, vmax].forEach((t) => {
    out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t === 0 ? 0.6 : 0.2 }));
    out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
  });
  const slot = (x1 - x0) / n, bw = slot * 0.7 / m;
  for (let k = 0; k < n; k++) {
    const left = x0 + slot * k + slot * 0.15;
    series.forEach((s, j) => {
      const x = left + j * bw, val = s[1][k], u = Math.min(val, vmax);
      out.push(svgRect(x + 1, sy(u), bw - 2, sy(0) - sy(u), s[2], { title: s[0] + k + " = " + fix(val, 4) }));
      out.push(svgText(x + bw / 2, sy(u) - 4, fmt(val, 2), { size: 9 }));
    });
    out.push(svgText(x0 + slot * (k + 0.5), bottom + 14, String(k), { size: 11 }));
  }
}

function legend(out, x, y, items, gap) {
  items.forEach((it) => {
    out.push(svgRect(x, y - 9, 10, 10, it[1]));
    out.push(svgText(x + 14, y, it[0], { anchor: "start", size: 11 }));
    x += gap + 7 * it[0].length;
  });
}

function distributionText(p) { return p.map((x) => fix(x, 4)).join(", "); }

function renderEntropy(v) {
  const p = v.p, unit = v.unit, h = v.entropy, hmax = v.maxEntropy, W = 540, H = 250;
  const label = "p = " + distributionText(p) + ". Entropy H(p) " + fmt(h) + " " + unit + " of a maximum log C = " +
    fmt(hmax) + " " + unit + "; perplexity " + fmt(v.perplexity, 3) + ".";
  const out = [svgOpen(W, H, label)];
  out.push(svgText(W / 2, 14, "distribution p", { weight: "600" }));
  distributionBars(out, [["p", p, COLORS.model]], 34, 130, 46, W - 10, Math.max(...p) > 0.5 ? 1 : 0.5);
  out.push(svgText(W / 2, 158, "outcome i", { size: 11 }));
  const x0 = 46, x1 = W - 30, yb = 192, hb = 22, axisMax = niceMax(hmax);
  const sx = (u) => x0 + u / axisMax * (x1 - x0);
  out.push(svgText(W / 2, 180, "entropy H(p) against its maximum log C   (" + unit + ")", { weight: "600" }));
  out.push(svgRect(x0, yb, sx(hmax) - x0, hb, "none", { stroke: "currentColor" }));
  out.push(svgRect(x0, yb, sx(h) - x0, hb, COLORS.model, { title: "H(p) = " + fmt(h) + " " + unit }));
  out.push(svgText(sx(hmax), yb + hb + 16, "log C = " + fmt(hmax, 3), { size: 10 }));
  out.push(svgText(x0, yb + hb + 16, "0", { size: 10 }));
  out.push("</svg>");
  out.push('<div class="xent-readouts">' + readout("entropy", h, "H(p)", unit) +
    readout("max_entropy", hmax, "log C", unit) + readout("perplexity", v.perplexity, "perplexity", "", 3) +
    '</div><div class="xent-readouts"><span class="xent-item">p = [' +
    p.map((x, i) => readout("p" + i, x)).join(", ") + "]</span></div>");
  if (v.note) { out.push('<div class="xent-note">' + esc(v.note) + "</div>"); }
  return out.join("");
}

function renderEntropyKL(v) {
  const p = v.p, q = v.q, unit = v.unit, h = v.entropy, hpq = v.crossEntropy, kl = v.kl, hmax = v.maxEntropy;
  const W = 540, H = 262;
  const label = "p = " + distributionText(p) + "; q = " + distributionText(q) + ". Entropy H(p) " + fmt(h) + " " +
    unit + ", cross-entropy H(p, q) " + fmt(hpq) + " " + unit + " = H(p) + KL(p || q), with KL " + fmt(kl) + " " +
    unit + "; reverse KL(q || p) " + fmt(v.klReverse) + " " + unit + ".";
  const out = [svgOpen(W, H, label)];
  out.push(svgText(W / 2, 14, "distributions p (data) and q (model)", { weight: "600" }));
  legend(out, W / 2 - 75, 32, [["p (data)", COLORS.target], ["q (model)", COLORS.model]], 16);
  distributionBars(out, [["p", p, COLORS.target], ["q", q, COLORS.model]], 52, 148, 46, W - 10,
    Math.max(...p, ...q) > 0.5 ? 1 : 0.5);
  out.push(svgText(W / 2, 176, "outcome i", { size: 11 }));
  // the stacked bar H(p, q) = H(p) + KL(p || q), on an axis that shows log C (an arrow: it goes on)
  const x0 = 46, x1 = W - 30, yb = 216, hb = 22, axisMax = niceMax(Math.min(Math.max(hpq, hmax), 4 * hmax));
  const sx = (u) => x0 + Math.min(u, axisMax) / axisMax * (x1 - x0);
  out.push(svgText(x0, 196, "H(p, q) = H(p) + KL(p \u2016 q)   (" + unit + ")", { anchor: "start", weight: "600" }));
  legend(out, 330, 196, [["H(p)", COLORS.target], ["KL(p \u2016 q)", COLORS.error]], 22);
  out.push(svgRect(x0, yb, sx(h) - x0, hb, COLORS.target, { title: "H(p) = " + fmt(h) + " " + unit }));
  out.push(svgRect(sx(h), yb, sx(h + kl) - sx(h), hb, COLORS.error, { title: "KL(p || q) = " + fmt(kl) + " " + unit }));
  if (hpq > axisMax) { out.push(svgText(x1 + 4, yb + 16, "\u2192", { anchor: "start", size: 14, color: COLORS.error })); }
  const xm = sx(hmax);
  out.push(svgLine(xm, yb - 4, xm, yb + hb + 4, { width: 2, dash: "3,2" }));
  out.push(svgText(xm, yb + hb + 16, "log C = " + fmt(hmax, 3), { size: 10 }));
  [0, axisMax].forEach((t) => out.push(svgText(sx(t), yb + hb + 16, g(t), { size: 10 })));
  out.push(svgLine(x0, yb + hb, x1, yb + hb, { opacity: 0.6 }));
  out.push("</svg>");
  out.push('<div class="xent-readouts">' + readout("entropy", h, "H(p)", unit) +
    readout("kl", kl, "KL(p \u2016 q)", unit) + readout("cross_entropy", hpq, "H(p, q)", unit) +
    readout("kl_reverse", v.klReverse, "KL(q \u2016 p)", unit) + readout("max_entropy", hmax, "log C", unit) +
    '</div><div class="xent-readouts"><span class="xent-item">p = [' +
    p.map((x, i) => readout("p" + i, x)).join(", ") + ']</span><span class="xent-item">q = [' +
    q.map((x, i) => readout("q" + i, x)).join(", ") + "]</span></div>");
  if (v.note) { out.push('<div class="xent-note">' + esc(v.note) + "</div>"); }
  return out.join("");
}

// ------------------------------------------------------------------ controls

/** The unit selector: bits and nats, and the explorer's own base if it is another one. */
function baseOptions(base) {
  const opts = [[2, "bits (base 2)"], [Math.E, "nats (base e)"]];
  if (base !== 2 && base !== Math.E) { opts.push([base, unitOf(base) + " (base " + sig(base, 6) + ")"]); }
  return opts;
}

/** One exact slider of weight per outcome, in a labelled group; each spans [0, 1] or up to its weight. */
function weightGroup(parent, name, legendText, w) {
  const fs = el("fieldset", { "class": "xent-live-group" });
  fs.appendChild(el("legend", {}, legendText));
  parent.appendChild(fs);
  return w.map((v, k) => exactSlider(fs, { label: name + " weight " + k, name: name + k, min: 0,
    max: Math.max(WEIGHT_MAX, v), step: 0.01, value: v, digits: 2 }));
}

/** A weight set from Python beyond its slider's top, or another number of outcomes: new controls. */
function outgrown(ws, inputs) {
  return ws.length !== inputs.length || ws.some((v, k) => v > Number(inputs[k].max));
}

function hasOption(sel, base) { return Array.from(sel.options).some((o) => o.value === String(base)); }

function entropySpec(model) {
  let ps = [], sel = null, built = null;
  return {
    kind: "entropy",
    title: "Entropy of a distribution against its maximum log C",
    traits: ["p", "base"],
    build(c, m) {
      ps = weightGroup(c, "p", "p: weights, normalised", m.get("p"));
      sel = select(c, "base", "unit", baseOptions(m.get("base")), m.get("base"));
      built = this.snapshot(m);
      return ps.concat([sel]);
    },
    compute: () => entropyValues(ps.map((i) => i.xentValue()), Number(sel.value)),
    render: renderEntropy,
    status: (v) => "H(p) " + fmt(v.entropy) + " of at most " + fmt(v.maxEntropy) + " " + v.unit +
      ", perplexity " + fmt(v.perplexity, 3) + ".",
    snapshot: (m) => ({ p: m.get("p").slice(), base: m.get("base") }),
    restore(s) {
      // Reset after Python changed the number of outcomes or the unit's options: the state of this build
      if (s.p.length !== ps.length || !hasOption(sel, s.base)) { s = built; }
      ps.forEach((i, k) => i.xentSet(s.p[k]));
      sel.value = String(s.base);
    },
    save(m) {
      m.set("p", ps.map((i) => i.xentValue()));
      m.set("base", Number(sel.value));
    },
    load(m) { this.restore(this.snapshot(m)); },
    // another number of outcomes, a weight beyond its slider, or a base the selector lacks: new controls
    rebuild: (m) => outgrown(m.get("p"), ps) || !hasOption(sel, m.get("base")),
  };
}

function entropyKLSpec(model) {
  let ps = [], qs = [], sel = null, built = null;
  return {
    kind: "entropy-kl",
    title: "Entropy, cross-entropy and KL divergence of two distributions",
    traits: ["p", "q", "base"],
    build(c, m) {
      ps = weightGroup(c, "p", "p (data): weights, normalised", m.get("p"));
      qs = weightGroup(c, "q", "q (model): weights, normalised", m.get("q"));
      sel = select(c, "base", "unit", baseOptions(m.get("base")), m.get("base"));
      built = this.snapshot(m);
      return ps.concat(qs, [sel]);
    },
    compute: () => entropyKLValues(ps.map((i) => i.xentValue()), qs.map((i) => i.xentValue()), Number(sel.value)),
    render: renderEntropyKL,
    status: (v) => "H(p) " + fmt(v.entropy) + ", KL(p || q) " + fmt(v.kl) + ", H(p, q) " + fmt(v.crossEntropy) +
      ", KL(q || p) " + fmt(v.klReverse) + " " + v.unit + ".",
    snapshot: (m) => ({ p: m.get("p").slice(), q: m.get("q").slice(), base: m.get("base") }),
    restore(s) {
      if (s.p.length !== ps.length || s.q.length !== qs.length || !hasOption(sel, s.base)) { s = built; }
      ps.forEach((i, k) => i.xentSet(s.p[k]));
      qs.forEach((i, k) => i.xentSet(s.q[k]));
      sel.value = String(s.base);
    },
    save(m) {
      m.set("p", ps.map((i) => i.xentValue()));
      m.set("q", qs.map((i) => i.xentValue()));
      m.set("base", Number(sel.value));
    },
    load(m) { this.restore(this.snapshot(m)); },
    rebuild: (m) => outgrown(m.get("p"), ps) || outgrown(m.get("q"), qs) || !hasOption(sel, m.get("base")),
  };
}

export default {
  render({ model, el }) {
    // for the browser tests: the formulas and the charts on inputs beyond the sliders'
    Object.assign(api(), { entropyValues, entropyKLValues, renderEntropy, renderEntropyKL });
    // chapter 4's explorer has a distribution q, chapter 3's does not
    return mount(model, el, model.get("q") === undefined || model.get("q") === null ? entropySpec : entropyKLSpec);
  },
};
