// ---------------------------------------------------------------- focal.js (after _core.js)
/*
 * The focal loss explorer (chapter 8): the focusing parameter gamma and the model's probability q_y
 * of the true class (Lin et al.'s p_t, the name the trait and the readout keep). Curves over q_y of
 * cross-entropy -log q_y (dashed) and the focal loss (1 - q_y)^gamma (-log q_y), clipped at 5 nats,
 * and of the factor (1 - q_y)^gamma; markers at q_y.
 * Traits: gamma (float >= 0), p_t (float in (0, 1]).
 * Numbers as xent_book.widgets.focal_values, which calls xent_book.focal_loss (tests compare them
 * to 1e-9, in Node and in the browser).
 */
const GAMMA_MAX = 5, P_T_RANGE = [0.01, 1], FOCAL_LOSS_TOP = 5, FOCAL_POINTS = 199;

/** Factor, CE and focal loss at q_y, as xent_book.focal_loss (1 - q_y computed as -expm1(log q_y)). */
function focalParts(p, gamma) {
  const logp = Math.log(p), ce = -logp + 0;  // + 0: -0 (q_y = 1) -> 0
  return { factor: Math.pow(1 - p, gamma), ce, focal: Math.pow(-Math.expm1(logp), gamma) * ce + 0 };
}

function focalValues(p, gamma) {
  const f = focalParts(p, gamma);
  return { pT: p, gamma, factor: f.factor, ce: f.ce, focal: f.focal };
}

const FOCAL_GRID = linspace(P_T_RANGE[0], 1, FOCAL_POINTS);

function renderFocal(v) {
  const p = v.pT, gm = v.gamma, W = 540, H = 236, xt = [0, 0.25, 0.5, 0.75, 1];
  const parts = FOCAL_GRID.map((u) => focalParts(u, gm)), pick = (key) => parts.map((o) => o[key]);
  const label = "Cross-entropy \u2212log q_y and focal loss with \u03b3 = " + sig(gm, 2) +
    " as functions of the true-class probability q_y, and the focal factor (1 \u2212 q_y)^\u03b3. At q_y = " +
    fmt(p, 2) + ": CE " + fmt(v.ce, 4) + " nats, focal " + fmt(v.focal, 4) + " nats, factor " + fmt(v.factor, 4) + ".";
  let out = [svgOpen(W, H, label)];
  out = out.concat(linePanel([54, 260, 30, 182], [0, 1], [0, FOCAL_LOSS_TOP],
    [[FOCAL_GRID, pick("ce"), COLORS.neutral, "5,3", 2, null], [FOCAL_GRID, pick("focal"), COLORS.alt, null, 2.5, null]],
    xt, [0, 1, 2, 3, 4, 5], "q_y", "loss (nats)", [[p, v.ce, COLORS.neutral], [p, v.focal, COLORS.alt]],
    "focal (\u03b3 = " + fmt(gm, 1) + ") vs CE (dashed)"));
  out = out.concat(linePanel([326, 532, 30, 182], [0, 1], [0, 1],
    [[FOCAL_GRID, pick("factor"), COLORS.model, null, 2.5, null]], xt, [0, 0.5, 1], "q_y", "factor",
    [[p, v.factor, COLORS.model]], "focal factor (1 \u2212 q_y)^\u03b3"));
  out.push("</svg>");
  out.push('<div class="xent-readouts">' + readout("focal", v.focal, "focal", "nats") + readout("ce", v.ce, "CE", "nats") +
    readout("factor", v.factor, "(1 \u2212 q<sub>y</sub>)<sup>\u03b3</sup>") + readout("p_t", p, "q<sub>y</sub>", "", 2) +
    readout("gamma", gm, "\u03b3", "", 1) + "</div>");
  return out.join("");
}

function focalSpec(model) {
  let gIn = null, pIn = null;
  return {
    kind: "focal",
    title: "Focal loss against cross-entropy, and the focal factor",
    traits: ["gamma", "p_t"],
    build(c, m) {
      const g0 = m.get("gamma");
      gIn = exactSlider(c, { label: "focusing \u03b3", name: "gamma", min: 0, max: Math.max(GAMMA_MAX, g0), step: 0.1,
        value: g0, digits: 1 });
      pIn = exactSlider(c, { label: "q_y (true class)", name: "p_t", min: P_T_RANGE[0], max: P_T_RANGE[1], step: 0.01,
        value: m.get("p_t"), digits: 2 });
      return [gIn, pIn];
    },
    compute: () => focalValues(pIn.xentValue(), gIn.xentValue()),
    render: renderFocal,
    status: (v) => "Focal " + fmt(v.focal) + " nats, CE " + fmt(v.ce) + " nats, factor " + fmt(v.factor) +
      " at q_y = " + fmt(v.pT, 2) + ", \u03b3 = " + fmt(v.gamma, 1) + ".",
    snapshot: (m) => ({ gamma: m.get("gamma"), p_t: m.get("p_t") }),
    restore(s) {
      gIn.xentSet(s.gamma);
      pIn.xentSet(s.p_t);
    },
    save(m) {
      m.set("gamma", gIn.xentValue());
      m.set("p_t", pIn.xentValue());
    },
    load(m) { this.restore(this.snapshot(m)); },
    // a gamma beyond the slider, set from Python: a longer slider
    rebuild: (m) => m.get("gamma") > Number(gIn.max),
  };
}

export default {
  render({ model, el }) {
    // for the browser tests: the formulas and the chart on inputs beyond the sliders'
    Object.assign(api(), { focalValues, renderFocal });
    return mount(model, el, focalSpec);
  },
};
