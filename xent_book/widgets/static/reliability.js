// ---------------------------------------------------------------- reliability.js (after _core.js)
/*
 * The reliability explorer (chapter 10): a log-scale temperature T; the reliability diagram of
 * softmax(logits / T) (accuracy per confidence bin, its gap to the bin's mean confidence, the
 * diagonal), the share of examples per bin, the ECE, NLL, accuracy and mean confidence.
 * Traits: logits (N x C), labels (N), temperature, n_bins, best_shown (T*, or null where the
 * NLL has no finite minimiser: best_limit then says "0" or "inf").
 * Numbers as xent_book.widgets.reliability_values (tests/browser compare them to 1e-9).
 */
const RELIABILITY_T_RANGE = [0.1, 10];

/**
 * Reliability bins, ECE, NLL, accuracy and mean confidence of softmax(z / T), as
 * xent_book.calibration.calibration_bins: top-label confidence, bins (edges[m], edges[m + 1]]
 * with edges[m] = m / M (the first bin also holds 0), ECE = sum_m |B_m| / N |acc_m - conf_m|.
 */
function reliabilityValues(logits, labels, T, M) {
  const N = labels.length, step = 1 / M, edges = new Array(M + 1);
  for (let m = 0; m <= M; m++) { edges[m] = m === M ? 1 : m * step; }
  const counts = new Array(M).fill(0), sumConf = new Array(M).fill(0), sumAcc = new Array(M).fill(0);
  let nllSum = 0, correct = 0, confSum = 0;
  for (let i = 0; i < N; i++) {
    const sm = softmaxParts(logits[i], T), conf = sm.probs[sm.argmax], hit = sm.argmax === labels[i] ? 1 : 0;
    nllSum -= sm.logProbs[labels[i]];
    correct += hit;
    confSum += conf;
    let id = 0;  // numpy.searchsorted(edges[1:-1], conf, side="left")
    while (id < M - 1 && edges[id + 1] < conf) { id++; }
    counts[id] += 1; sumConf[id] += conf; sumAcc[id] += hit;
  }
  const acc = new Array(M), cf = new Array(M);
  let ece = 0;
  for (let m = 0; m < M; m++) {
    acc[m] = counts[m] > 0 ? sumAcc[m] / counts[m] : 0;
    cf[m] = counts[m] > 0 ? sumConf[m] / counts[m] : 0;
    ece += counts[m] / N * Math.abs(acc[m] - cf[m]);
  }
  return { temperature: T, nBins: M, ece, nll: nllSum / N, accuracy: correct / N,
           meanConfidence: confSum / N, edges, binAccuracy: acc, binConfidence: cf, counts };
}

/** 45-degree hatching inside a rectangle, on a fixed grid so neighbouring boxes line up. */
function hatch(x, y, w, h) {
  const spacing = 5;
  if (h < 0) { y += h; h = -h; }
  if (w <= 0 || h <= 0) { return ""; }
  const xa = x, xb = x + w, ya = y, yb = y + h, segs = [];
  let c = Math.ceil((xa + ya) / spacing) * spacing;
  while (c < xb + yb) {
    const lo = Math.max(xa, c - yb), hi = Math.min(xb, c - ya);
    if (hi > lo) { segs.push("M" + num(lo) + " " + num(c - lo) + "L" + num(hi) + " " + num(c - hi)); }
    c += spacing;
  }
  return segs.join("");
}

/** A bin's gap between accuracy and mean confidence: an outlined, hatched box (never a blended fill). */
function gap(x, y, w, h, colour) {
  if (h < 0) { y += h; h = -h; }
  const d = hatch(x, y, w, h);
  return '<g class="xent-gap">' + (d ? '<path d="' + d + '" stroke="' + colour + '" stroke-width="1.6" fill="none"/>' : "") +
    '<rect x="' + num(x) + '" y="' + num(y) + '" width="' + num(w) + '" height="' + num(h) + '" fill="none" stroke="' +
    colour + '" stroke-width="1.5" class="xent-gap"/></g>';
}

function renderReliability(v) {
  const edges = v.edges, acc = v.binAccuracy, conf = v.binConfidence, counts = v.counts, M = counts.length;
  const W = 540, H = 268, per = [];
  for (let m = 0; m < M; m++) { if (counts[m] > 0) { per.push(fix(acc[m], 2) + " / " + fix(conf[m], 2)); } }
  const label = "Reliability diagram at temperature " + sig3(v.temperature) + " with " + M + " confidence bins: " +
    "expected calibration error " + fix(v.ece, 4) + ", negative log-likelihood " + fix(v.nll, 4) + " nats, " +
    "accuracy " + fix(v.accuracy, 4) + ", mean confidence " + fix(v.meanConfidence, 4) +
    ". Per non-empty bin, accuracy / mean confidence: " + per.join("; ") + ".";
  let out = [svgOpen(W, H, label)];
  let x0 = 54, x1 = 264;
  const top = 30, bottom = 200;
  let sx = (u) => x0 + u * (x1 - x0);
  const sy = (u) => bottom - u * (bottom - top);
  out.push(svgText((x0 + x1) / 2, 16, "reliability: accuracy per confidence bin", { weight: "600" }));
  [0, 0.5, 1].forEach((t) => {
    out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t === 0 ? 0.6 : 0.2 }));
    out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
    out.push(svgText(sx(t), bottom + 15, g(t), { size: 10 }));
  });
  const gaps = [];
  for (let m = 0; m < M; m++) {
    if (counts[m] === 0) { continue; }
    const a = sx(edges[m]), b = sx(edges[m + 1]);
    out.push(svgRect(a, sy(acc[m]), b - a, sy(0) - sy(acc[m]), COLORS.model,
      { title: "bin " + m + ": accuracy " + fix(acc[m], 4) + ", confidence " + fix(conf[m], 4) + ", n = " + counts[m] }));
    const lo = Math.min(acc[m], conf[m]), hi = Math.max(acc[m], conf[m]);
    gaps.push(gap(a, sy(hi), b - a, sy(lo) - sy(hi), COLORS.error));
  }
  out = out.concat(gaps);  // after all bars: a gap is never covered by the next bin's bar
  out.push(svgLine(sx(0), sy(0), sx(1), sy(1), { dash: "4,3", width: 1.5 }));
  out.push(svgText((x0 + x1) / 2, bottom + 31, "confidence (top-label probability)", { size: 11 }));
  const mid = (top + bottom) / 2;
  out.push(svgText(x0 - 34, mid, "accuracy", { size: 11, transform: "rotate(-90 " + (x0 - 34) + " " + mid + ")" }));
  const ly = H - 14;
  out.push(svgRect(x0 - 30, ly, 10, 10, COLORS.model));
  out.push(svgText(x0 - 16, ly + 9, "accuracy", { anchor: "start", size: 10 }));
  out.push(gap(x0 + 40, ly, 10, 10, COLORS.error));
  out.push(svgText(x0 + 54, ly + 9, "gap to confidence", { anchor: "start", size: 10 }));
  out.push(svgLine(x0 + 148, ly + 5, x0 + 166, ly + 5, { dash: "4,3", width: 1.5 }));
  out.push(svgText(x0 + 170, ly + 9, "perfect calibration", { anchor: "start", size: 10 }));

  x0 = 322; x1 = 510;  // room on the right for a marker label at confidence 1
  sx = (u) => x0 + u * (x1 - x0);
  const total = counts.reduce((s, c) => s + c, 0), share = counts.map((c) => c / total);
  const smax = Math.max(0.25, Math.ceil(Math.max.apply(null, share) * 4) / 4);
  const sy2 = (u) => bottom - u / smax * (bottom - top);
  out.push(svgText((x0 + x1) / 2, 16, "share of examples per bin", { weight: "600" }));
  [0, smax / 2, smax].forEach((t) => {
    out.push(svgLine(x0, sy2(t), x1, sy2(t), { opacity: t === 0 ? 0.6 : 0.2 }));
    out.push(svgText(x0 - 5, sy2(t) + 4, g(t), { anchor: "end", size: 10 }));
  });
  [0, 0.5, 1].forEach((t) => out.push(svgText(sx(t), bottom + 15, g(t), { size: 10 })));
  for (let m = 0; m < M; m++) {
    if (counts[m]) {
      const a = sx(edges[m]), b = sx(edges[m + 1]);
      out.push(svgRect(a + 0.5, sy2(share[m]), b - a - 1, sy2(0) - sy2(share[m]), COLORS.neutral,
        { title: "bin " + m + ": " + counts[m] + " examples" }));
    }
  }
  const markers = [[v.accuracy, COLORS.model, "acc"], [v.meanConfidence, COLORS.error, "conf"]];
  markers.forEach((mk) => out.push(svgLine(sx(mk[0]), top, sx(mk[0]), bottom, { color: mk[1], width: 2 })));
  // labels on the outer sides of the two lines, so they never overlap however close they are
  markers.sort((p, q) => p[0] - q[0]);
  out.push(svgText(sx(markers[0][0]) - 3, top - 3, markers[0][2], { anchor: "end", size: 9, color: markers[0][1] }));
  out.push(svgText(sx(markers[1][0]) + 3, top - 3, markers[1][2], { anchor: "start", size: 9, color: markers[1][1] }));
  out.push(svgText((x0 + x1) / 2, bottom + 31, "confidence", { size: 11 }));
  out.push("</svg>");
  out.push('<div class="xent-readouts">' + readout("ece", v.ece, "ECE") + readout("nll", v.nll, "NLL", "nats") +
    readout("accuracy", v.accuracy, "accuracy") + readout("mean_confidence", v.meanConfidence, "mean confidence") +
    readout("temperature", v.temperature, "T", "", 3) +
    (typeof v.bestTemperature === "number" ? readout("best_temperature", v.bestTemperature, "T* (min NLL)", "", 3) : "") +
    "</div>");
  if (v.bestLimit) {
    out.push('<div class="xent-note">No finite T minimises the NLL of these logits: it keeps falling as T \u2192 ' +
      (v.bestLimit === "0" ? "0" : "\u221e") + ".</div>");
  }
  return out.join("");
}

function reliabilitySpec(model) {
  let tIn = null;
  const built = { logits: model.get("logits"), labels: model.get("labels"), M: model.get("n_bins") };
  const data = () => ({ logits: model.get("logits"), labels: model.get("labels"), M: model.get("n_bins") });
  return {
    kind: "reliability",
    title: "Temperature scaling: reliability diagram, ECE and NLL of " + model.get("labels").length + " examples",
    traits: ["logits", "labels", "temperature", "n_bins", "best_shown", "best_limit"],
    build(c, m) {
      tIn = logSlider(c, "log10_temperature", "temperature T", RELIABILITY_T_RANGE, m.get("temperature"));
      return [tIn];
    },
    compute() {
      const d = data(), v = reliabilityValues(d.logits, d.labels, tIn.xentValue(), d.M);
      const best = model.get("best_shown");
      if (typeof best === "number") { v.bestTemperature = best; }
      v.bestLimit = model.get("best_limit") || "";
      return v;
    },
    render: renderReliability,
    status: (v) => "ECE " + fmt(v.ece) + ", NLL " + fmt(v.nll) + " nats, accuracy " + fmt(v.accuracy) +
      ", mean confidence " + fmt(v.meanConfidence) + " at T = " + sig3(v.temperature) + ".",
    snapshot: (m) => ({ temperature: m.get("temperature") }),
    restore(s) { tIn.xentSet(s.temperature); },
    save(m) { m.set("temperature", tIn.xentValue()); },
    load(m) { tIn.xentSet(m.get("temperature")); },
    // new data from Python (another model's logits): new title and controls
    rebuild: (m) => m.get("logits") !== built.logits || m.get("labels") !== built.labels || m.get("n_bins") !== built.M,
  };
}

export default {
  render({ model, el }) {
    // for the browser tests: the formulas and the chart on inputs beyond the chapter's
    Object.assign(api(), { reliabilityValues, renderReliability, hatch });
    return mount(model, el, reliabilitySpec);
  },
};
