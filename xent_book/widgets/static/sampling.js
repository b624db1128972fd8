// ---------------------------------------------------------------- sampling.js (after _core.js)
/*
 * The sampling explorer (chapter 15): a log-scale temperature T, top-k and top-p over one
 * next-token distribution. Bars for the SHOWN most probable tokens (ranked by logit) and the rest
 * as one bar: q = softmax(z / T) before the filters (outline) and the sampling distribution
 * (filled where the token is kept). Readouts: the entropy of the sampling distribution in bits,
 * the number of tokens kept, their mass under q, the largest sampling probability.
 * Traits: logits, tokens (read-only), temperature (> 0), top_k (int in [1, V]), top_p (in (0, 1]).
 * Numbers as xent_book.widgets.sampling_values, which calls xent_book.lm.sampling_distribution
 * (tests/browser compare them to 1e-9).
 */
const SAMPLING_T_RANGE = [0.05, 5], TOP_P_RANGE = [0.01, 1], SHOWN = 16;

/** Token indices ranked by logit, ties by index (numpy.argsort(-z, kind="stable")). */
function rankByLogit(z) {
  return z.map((_, i) => i).sort((a, b) => (z[b] - z[a]) || (a - b));
}

/**
 * As xent_book.lm.sampling_distribution: q = softmax((z - max z) / T); top-k keeps the k first
 * tokens of the ranking; top-p (p < 1) keeps a token while the mass ranked above it is < p (1 - 1e-12);
 * the first is always kept; the kept q renormalised.
 */
function samplingValues(z, T, k, p) {
  const V = z.length;
  let a = -Infinity;
  for (let i = 0; i < V; i++) { if (z[i] > a) { a = z[i]; } }
  const q = softmaxParts(z.map((x) => (x - a) / T), 1).probs;
  const order = rankByLogit(z), kept = new Array(V).fill(false);
  let cum = 0;
  for (let r = 0; r < V; r++) {
    const i = order[r];
    cum += q[i];
    const before = cum - q[i];  // numpy: cumsum(q) - q, the mass ranked above
    kept[i] = r === 0 || (r < k && (p >= 1 || before < p * (1 - 1e-12)));
  }
  let mass = 0, nKept = 0;
  for (let i = 0; i < V; i++) { if (kept[i]) { mass += q[i]; nKept += 1; } }
  const probs = q.map((x, i) => (kept[i] ? x / mass : 0));
  let h = 0, top = 0;
  for (let i = 0; i < V; i++) {
    if (probs[i] > 0) { h -= probs[i] * Math.log2(probs[i]); }
    if (probs[i] > top) { top = probs[i]; }
  }
  return { temperature: T, topK: k, topP: p, tempered: q, probs, kept, order,
           entropyBits: h + 0, nKept, keptMass: mass, pTop: top };
}

/** A token's label as drawn: the space, newline and tab as visible signs. */
function tokenLabel(s) {
  return String(s).replace(/ /g, "\u2423").replace(/\n/g, "\u23ce").replace(/\t/g, "\u21e5");
}

function renderSampling(v, tokens) {
  const V = v.probs.length, n = Math.min(SHOWN, V), rest = V - n, W = 540, H = 250, top = 40, bottom = 196;
  const x0 = 46, x1 = 530, slots = n + (rest > 0 ? 1 : 0), slot = (x1 - x0) / slots, bw = slot * 0.62;
  const shown = v.order.slice(0, n);
  let restQ = 0, restP = 0, restKept = 0;
  for (let r = n; r < V; r++) { const i = v.order[r]; restQ += v.tempered[i]; restP += v.probs[i]; restKept += v.kept[i] ? 1 : 0; }
  let m = 0;
  shown.forEach((i) => { m = Math.max(m, v.tempered[i], v.probs[i]); });
  m = Math.max(m, restQ, restP);
  const ymax = Math.min(1, Math.max(0.1, Math.ceil(m * 10 - 1e-9) / 10));
  const sy = (u) => bottom - (u / ymax) * (bottom - top);
  const label = "Next-token sampling distribution at temperature " + sig3(v.temperature) + ", top-k " + v.topK +
    ", top-p " + sig3(v.topP) + ": " + v.nKept + " of " + V + " tokens kept, holding " + fix(v.keptMass, 4) +
    " of the probability; entropy " + fix(v.entropyBits, 4) + " bits; most probable token " +
    fix(v.pTop, 4) + ". Most probable tokens: " +
    shown.map((i) => tokenLabel(tokens[i]) + " " + fix(v.probs[i], 4) + (v.kept[i] ? "" : " (removed)")).join(", ") + ".";
  const out = [svgOpen(W, H, label)];
  out.push(svgText((x0 + x1) / 2, 14, "sampling probability of the next token (outline: softmax(z / T) before top-k, top-p)",
    { weight: "600", size: 11 }));
  [0, ymax / 2, ymax].forEach((t) => {
    out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t ? 0.2 : 0.6 }));
    out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
  });
  // one title per token (on its outline): the two numbers the bars show
  const bar = (cx, qT, p, kept, name) => {
    out.push(svgRect(cx - bw / 2, sy(qT), bw, sy(0) - sy(qT), "none", { stroke: COLORS.neutral,
      title: name + ": softmax(z / T) " + fix(qT, 4) + (kept ? ", sampled with " + fix(p, 4) : ", removed") }));
    if (kept) { out.push(svgRect(cx - bw / 2 + 2, sy(p), bw - 4, sy(0) - sy(p), COLORS.model)); }
  };
  shown.forEach((i, r) => {
    const cx = x0 + slot * (r + 0.5), name = tokenLabel(tokens[i]);
    bar(cx, v.tempered[i], v.probs[i], v.kept[i], name);
    out.push(svgText(cx, bottom + 14, name, { size: 11 }));
    if (!v.kept[i]) { out.push(svgText(cx, bottom + 26, "\u00d7", { size: 11, color: COLORS.error })); }
  });
  if (rest > 0) {
    const cx = x0 + slot * (n + 0.5);
    bar(cx, restQ, restP, restKept > 0, "the other " + rest);
    out.push(svgText(cx, bottom + 14, "+" + rest, { size: 10 }));
    out.push(svgText(cx, sy(Math.max(restQ, restP)) - 4, fix(restP, 2), { size: 10 }));  // their sampled mass
  }
  out.push(svgText((x0 + x1) / 2, H - 8, "token, most probable first (\u00d7: removed by top-k or top-p)", { size: 11 }));
  out.push("</svg>");
  out.push('<div class="xent-readouts">' +
    readout("entropy_bits", v.entropyBits, "entropy", "bits") +
    readout("n_kept", v.nKept, "tokens kept", "of " + V, 0) +
    readout("kept_mass", v.keptMass, "kept mass") +
    readout("p_top", v.pTop, "top token") + "</div>" +
    '<div class="xent-readouts">' +
    readout("temperature", v.temperature, "T", "", 3) +
    readout("top_k", v.topK, "k", "", 0) +
    readout("top_p", v.topP, "p", "", 2) + "</div>");
  return out.join("");
}

function samplingSpec(model) {
  const z = model.get("logits"), tokens = model.get("tokens"), V = z.length;
  let tIn = null, kIn = null, pIn = null;
  return {
    kind: "sampling",
    title: "Sampling a next token: temperature, top-k and top-p",
    traits: ["temperature", "top_k", "top_p"],
    build(c, m) {
      tIn = logSlider(c, "log10_temperature", "temperature T", SAMPLING_T_RANGE, m.get("temperature"));
      kIn = exactSlider(c, { label: "top-k: k", name: "top_k", min: 1, max: V, step: 1, value: m.get("top_k"), digits: 0 });
      pIn = exactSlider(c, { label: "top-p: p", name: "top_p", min: TOP_P_RANGE[0], max: TOP_P_RANGE[1], step: 0.01,
        value: m.get("top_p"), digits: 2 });
      return [tIn, kIn, pIn];
    },
    compute: () => samplingValues(z, tIn.xentValue(), kIn.xentValue(), pIn.xentValue()),
    render: (v) => renderSampling(v, tokens),
    status: (v) => "Entropy " + fmt(v.entropyBits) + " bits, " + v.nKept + " of " + V + " tokens kept (mass " +
      fmt(v.keptMass) + "), top token " + fmt(v.pTop) + ".",
    snapshot: (m) => ({ temperature: m.get("temperature"), top_k: m.get("top_k"), top_p: m.get("top_p") }),
    restore(s) {
      tIn.xentSet(s.temperature);
      kIn.xentSet(s.top_k);
      pIn.xentSet(s.top_p);
    },
    save(m) {
      m.set("temperature", tIn.xentValue());
      m.set("top_k", kIn.xentValue());
      m.set("top_p", pIn.xentValue());
    },
    load(m) { this.restore(this.snapshot(m)); },
    rebuild: () => false,  // the logits are read-only: the controls never change
  };
}

export default { render: ({ model, el }) => mount(model, el, samplingSpec) };
