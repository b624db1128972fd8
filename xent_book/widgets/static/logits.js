// ---------------------------------------------------------------- logits.js (after _core.js)
/*
 * The logits explorer (chapters 2 and 7): a slider per logit z_k, a log-scale temperature T, a target
 * y; bars of q = softmax(z / T) and of the gradient q - e_y with respect to z / T; the loss -log q_y
 * in nats. Traits: logits (list of float), temperature (float > 0), target (int), temperature_range
 * ([low, high], the temperature slider's ends; chapter 7 goes lower than the default [0.05, 5]; a
 * state saved without it gets the default). Numbers as xent_book.widgets.logits_explorer_values
 * (tests compare them to 1e-9, in Node and in the browser).
 */
const LOGIT_RANGE = [-10, 10], TEMPERATURE_RANGE = [0.05, 5];

function logitsValues(z, T, y) {
  const sm = softmaxParts(z, T), grad = sm.probs.map((p, k) => p - (k === y ? 1 : 0));
  return { logits: z, temperature: T, target: y, probs: sm.probs, logProbs: sm.logProbs,
           loss: -sm.logProbs[y], grad };
}

function renderLogits(v) {
  const p = v.probs, gr = v.grad, y = v.target, n = p.length, W = 540, H = 230, top = 34, bottom = 186;
  const label = "Softmax probabilities at temperature " + sig3(v.temperature) + ": " +
    p.map((x, i) => "class " + i + " " + fix(x, 4)).join(", ") +
    ". Target class " + y + "; loss " + fmt(v.loss) + " nats. Gradient q minus e_y: " +
    gr.map((x, i) => "class " + i + " " + signed(x, 4)).join(", ") + ".";
  const out = [svgOpen(W, H, label)];
  let x0 = 46, x1 = 258;
  const sy = (u) => bottom - u * (bottom - top);
  out.push(svgText((x0 + x1) / 2, 14, "probability q = softmax(z / T)", { weight: "600" }));
  [0, 0.5, 1].forEach((t) => {
    out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t ? 0.2 : 0.6 }));
    out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
  });
  const slot = (x1 - x0) / n, bw = slot * 0.62;
  for (let k = 0; k < n; k++) {
    const cx = x0 + slot * (k + 0.5);
    out.push(svgRect(cx - bw / 2, sy(p[k]), bw, sy(0) - sy(p[k]), k === y ? COLORS.target : COLORS.model,
      { title: "q" + k + " = " + fix(p[k], 4) }));
    out.push(svgText(cx, sy(p[k]) - 4, fmt(p[k], 3), { size: 10 }));
    out.push(svgText(cx, bottom + 15, k + (k === y ? " (y)" : ""), { size: 11 }));
  }
  out.push(svgText((x0 + x1) / 2, H - 10, "class k", { size: 11 }));

  x0 = 318; x1 = 530;
  const mid = (top + bottom) / 2, gy = (u) => mid - u * (bottom - top) / 2;
  out.push(svgText((x0 + x1) / 2, 14, "gradient q \u2212 e_y  (\u2202loss/\u2202(z/T))", { weight: "600" }));
  [-1, 0, 1].forEach((t) => {
    out.push(svgLine(x0, gy(t), x1, gy(t), { opacity: t === 0 ? 0.6 : 0.2 }));
    out.push(svgText(x0 - 5, gy(t) + 4, fmt(t, 0), { anchor: "end", size: 10 }));
  });
  for (let k = 0; k < n; k++) {
    const cx = x0 + slot * (k + 0.5);
    out.push(svgRect(cx - bw / 2, gy(Math.max(gr[k], 0)), bw, Math.abs(gy(gr[k]) - gy(0)), COLORS.gradient,
      { title: "grad" + k + " = " + signed(gr[k], 4) }));
    // a negative bar's number sits above the zero line (below the bar it would meet the class labels)
    out.push(svgText(cx, gy(Math.max(gr[k], 0)) - 4, fmt(gr[k], 3), { size: 10 }));
    out.push(svgText(cx, bottom + 15, k + (k === y ? " (y)" : ""), { size: 11 }));
  }
  out.push(svgText((x0 + x1) / 2, H - 10, "class k", { size: 11 }));
  out.push("</svg>");
  out.push('<div class="xent-readouts">' +
    readout("loss", v.loss, "loss \u2212log q<sub>y</sub>", "nats") +
    readout("p_target", p[y], "q<sub>" + y + "</sub>") +
    readout("temperature", v.temperature, "T", "", 3) + "</div>" +
    '<div class="xent-readouts"><span class="xent-item">q = [' +
    p.map((x, i) => readout("p" + i, x)).join(", ") +
    ']</span><span class="xent-item">q \u2212 e<sub>y</sub> = [' +
    gr.map((x, i) => readout("grad" + i, x)).join(", ") + "]</span></div>");
  return out.join("");
}

/** The temperature slider's ends: the trait, or the default for a state saved before it existed. */
function temperatureRange(m) {
  const r = m.get("temperature_range");
  return Array.isArray(r) && r.length === 2 ? r.slice() : TEMPERATURE_RANGE.slice();
}

/** A temperature set from Python beyond the log slider's ends (the slider is then rebuilt to hold it). */
function outside(T, input) {
  return T < Math.pow(10, Number(input.min)) * (1 - 1e-9) || T > Math.pow(10, Number(input.max)) * (1 + 1e-9);
}

function logitsSpec(model) {
  const n = model.get("logits").length, tRange = temperatureRange(model);
  let zs = [], tIn = null, sel = null, built = null;
  return {
    kind: "logits",
    // another temperature range (chapter 7's) is named in the title: the two views differ in print too
    title: "Logits, softmax with temperature, loss and gradient" + (tRange.some((v, i) => v !== TEMPERATURE_RANGE[i]) ?
      ", temperature " + g(tRange[0]) + " to " + g(tRange[1]) : ""),
    traits: ["logits", "temperature", "target", "temperature_range"],
    build(c, m) {
      const z0 = m.get("logits"), T0 = m.get("temperature"), y0 = m.get("target");
      zs = z0.map((v, k) => exactSlider(c, { label: "logit z" + k, name: "z" + k, min: Math.min(LOGIT_RANGE[0], v),
        max: Math.max(LOGIT_RANGE[1], v), step: 0.1, value: v, digits: 1 }));
      tIn = logSlider(c, "log10_temperature", "temperature T", tRange, T0);
      sel = select(c, "target", "target class y", z0.map((_, k) => [k, "class " + k]), y0);
      built = this.snapshot(m);
      return zs.concat([tIn, sel]);
    },
    compute: () => logitsValues(zs.map((i) => i.xentValue()), tIn.xentValue(), Number(sel.value)),
    render: renderLogits,
    status: (v) => "Loss " + fmt(v.loss) + " nats, q" + v.target + " = " + fmt(v.probs[v.target]) +
      " at T = " + sig3(v.temperature) + ".",
    snapshot: (m) => ({ logits: m.get("logits").slice(), temperature: m.get("temperature"), target: m.get("target") }),
    restore(s) {
      if (s.logits.length !== zs.length) { s = built; }  // Reset after Python changed the number of classes
      zs.forEach((i, k) => i.xentSet(s.logits[k]));
      tIn.xentSet(s.temperature);
      sel.value = String(s.target);
    },
    save(m) {
      m.set("logits", zs.map((i) => i.xentValue()));
      m.set("temperature", tIn.xentValue());
      m.set("target", Number(sel.value));
    },
    load(m) { this.restore(this.snapshot(m)); },
    // another number of classes, a logit beyond a slider's range or another temperature range,
    // from Python: new controls
    rebuild: (m) => m.get("logits").length !== n ||
      m.get("logits").some((v, k) => v < Number(zs[k].min) || v > Number(zs[k].max)) ||
      temperatureRange(m).some((v, i) => v !== tRange[i]) || outside(m.get("temperature"), tIn),
  };
}

export default {
  render({ model, el }) {
    // for the tests: the formulas and the chart on inputs beyond the sliders' (chapter 7's extremes)
    Object.assign(api(), { logitsValues, renderLogits });
    return mount(model, el, logitsSpec);
  },
};
