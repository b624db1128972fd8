// ---------------------------------------------------------------- binary.js (after _core.js)
/*
 * The binary loss explorer (chapter 5): a logit z, a log-scale pos_weight w+ and a label y; curves of
 * BCE with logits and of its derivative over the logit (the other label's dashed), a marker at z.
 * Traits: z (finite float), y (0 or 1), pos_weight (float > 0). The z axis spans [-8, 8], or
 * [-R, R] with R = niceMax(|z|) when z is set beyond it from Python (the slider follows).
 * Numbers as xent_book.widgets.binary_loss_values, in PyTorch's pos_weight form (tests compare
 * them to 1e-9, in Node and in the browser).
 */
const BINARY_Z = 8, POS_WEIGHT_RANGE = [0.1, 10], BINARY_POINTS = 161;

/** log sigmoid(z) = min(z, 0) - log1p(e^-|z|), as xent_book.log_sigmoid. */
function logSigmoid(z) { return Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z))); }

/** sigmoid without overflow, as xent_book.sigmoid (no exponential of a positive number). */
function sigmoid(z) {
  if (z >= 0) { return 1 / (1 + Math.exp(-z)); }
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * BCE with logits in PyTorch's pos_weight form, (1 - y) z - (1 + (w+ - 1) y) log sigmoid(z), and its
 * derivative (1 + (w+ - 1) y) sigmoid(z) - w+ y (xent_book.widgets.binary._loss_and_grad).
 */
function binaryLossGrad(z, y, pw) {
  const scale = 1 + (pw - 1) * y;
  return { loss: (1 - y) * z - scale * logSigmoid(z), grad: scale * sigmoid(z) - pw * y };
}

function binaryValues(z, y, pw) {
  const lg = binaryLossGrad(z, y, pw);
  return { z, y, posWeight: pw, p: sigmoid(z), loss: lg.loss, grad: lg.grad };
}

/** Half-width of the z axis: 8, or the next nice number above |z| beyond that. */
function binaryRange(z) { return Math.abs(z) <= BINARY_Z ? BINARY_Z : niceMax(Math.abs(z)); }

function renderBinary(v, R = binaryRange(v.z)) {
  const z = v.z, y = v.y, pw = v.posWeight, W = 540, H = 236;
  const grid = linspace(-R, R, BINARY_POINTS), ticks = [-R, -R / 2, 0, R / 2, R];
  const cur = grid.map((u) => binaryLossGrad(u, y, pw)), oth = grid.map((u) => binaryLossGrad(u, 1 - y, pw));
  const pick = (arr, key) => arr.map((o) => o[key]);
  const label = "Binary cross-entropy with logits for label y = " + y + ", pos_weight " + sig3(pw) +
    ", as a function of the logit z from " + g(-R) + " to " + g(R) + ". At z = " + fmt(z, 2) + ": sigmoid " +
    fmt(v.p, 4) + ", loss " + fmt(v.loss, 4) + " nats, gradient " + signed(v.grad, 4) + ".";
  let out = [svgOpen(W, H, label)];
  const lmax = niceMax(Math.max(Math.max(...pick(cur, "loss")), Math.max(...pick(oth, "loss"))));
  out = out.concat(linePanel([54, 260, 30, 182], [-R, R], [0, lmax],
    [[grid, pick(oth, "loss"), COLORS.neutral, "4,3", 1.5, 0.7], [grid, pick(cur, "loss"), COLORS.model, null, 2.5, null]],
    ticks, [0, lmax / 2, lmax], "logit z", "loss (nats)", [[z, v.loss, COLORS.target]],
    "loss, y = " + y + " (dashed: y = " + (1 - y) + ")"));
  const glo = -niceMax(Math.max(pw, 1));
  out = out.concat(linePanel([326, 532, 30, 182], [-R, R], [glo, 1],
    [[grid, pick(oth, "grad"), COLORS.neutral, "4,3", 1.5, 0.7], [grid, pick(cur, "grad"), COLORS.gradient, null, 2.5, null]],
    ticks, [glo, 0, 1], "logit z", "d loss / dz", [[z, v.grad, COLORS.target]],
    "gradient \u03c3(z) \u2212 y (\u00d7 w+ if y = 1)"));
  out.push("</svg>");
  out.push('<div class="xent-readouts">' + readout("loss", v.loss, "loss", "nats") + readout("grad", v.grad, "d loss/dz") +
    readout("p", v.p, "\u03c3(z)") + readout("z", z, "z", "", 2) + readout("pos_weight", pw, "w+", "", 3) + "</div>");
  return out.join("");
}

function binarySpec(model) {
  const R = binaryRange(model.get("z"));
  let zIn = null, pwIn = null, sel = null;
  return {
    kind: "binary",
    title: "Binary cross-entropy with logits and its gradient, with pos_weight",
    traits: ["z", "y", "pos_weight"],
    build(c, m) {
      zIn = exactSlider(c, { label: "logit z", name: "z", min: -R, max: R, step: 0.1, value: m.get("z"), digits: 1 });
      pwIn = logSlider(c, "log10_pos_weight", "pos_weight w+", POS_WEIGHT_RANGE, m.get("pos_weight"));
      sel = select(c, "y", "label y", [[0, "y = 0 (negative)"], [1, "y = 1 (positive)"]], m.get("y"));
      return [zIn, pwIn, sel];
    },
    compute: () => binaryValues(zIn.xentValue(), Number(sel.value), pwIn.xentValue()),
    render: (v) => renderBinary(v, R),
    status: (v) => "Loss " + fmt(v.loss) + " nats, gradient " + fmt(v.grad) + " at z = " + fmt(v.z, 1) +
      ", y = " + v.y + ", pos_weight " + sig3(v.posWeight) + ".",
    snapshot: (m) => ({ z: m.get("z"), y: m.get("y"), pos_weight: m.get("pos_weight") }),
    restore(s) {
      zIn.xentSet(s.z);
      pwIn.xentSet(s.pos_weight);
      sel.value = String(s.y);
    },
    save(m) {
      m.set("z", zIn.xentValue());
      m.set("y", Number(sel.value));
      m.set("pos_weight", pwIn.xentValue());
    },
    load(m) { this.restore(this.snapshot(m)); },
    // a logit beyond the axis, set from Python: a wider axis and slider
    rebuild: (m) => Math.abs(m.get("z")) > R,
  };
}

export default {
  render({ model, el }) {
    // for the browser tests: the formulas and the chart on inputs beyond the sliders'
    Object.assign(api(), { binaryValues, renderBinary });
    return mount(model, el, binarySpec);
  },
};
