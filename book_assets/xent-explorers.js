/*
 * xent-explorers.js - the book's explorers, live in the web page (no kernel, no dependencies).
 *
 * In JupyterLab the explorers are ipywidgets (xent_book/widgets/); in the static
 * book their sliders only show the initial view. This file turns every
 *
 *   <div class="xent-live" data-explorer="logits" data-logits="2,1,0.1"
 *        data-temperature="1" data-target="0"></div>
 *   <div class="xent-live" data-explorer="entropy-kl" data-p="0.5,0.3,0.2"
 *        data-q="0.2,0.3,0.5" data-base="2"></div>
 *
 * into native range sliders plus the same SVG view and readouts, recomputed on
 * every `input` event with the formulas of xent_book:
 *
 *   logits:     p = softmax(z / T) with the max shift, log p = s - a - log1p(sum_{i != argmax} e^(s_i - a)),
 *               loss = -log p_y (nats), gradient p - y with respect to z / T
 *               (xent_book.widgets.logits_explorer_values);
 *   entropy-kl: weights normalised (all zero: uniform), H(p) = -sum p log p with 0 log 0 = 0,
 *               H(p, q) = -sum p log q (+inf where q = 0 < p), KL(p || q) = sum_{p > 0} p (log p - log q),
 *               clipped at 0, in bits or nats (xent_book.widgets.entropy_kl_values, xent_book.info).
 *
 * Markup conventions are those of xent_book/widgets/_base.py: each number is a
 * <span class="xent-readout" data-name="NAME" data-value="FULL_PRECISION">ROUNDED</span>,
 * the chart is <svg role="img" aria-label="..."> starting with <title>, ink is
 * currentColor (follows the light/dark theme), data use the Okabe-Ito palette.
 * Each control carries data-control="NAME" (z0.., log10_temperature, target; p0.., q0.., base).
 * The browser test tests/browser/test_live_book_explorers.py checks the numbers
 * against xent_book. On a page without .xent-live this script does nothing.
 */
(function () {
  "use strict";

  // Okabe-Ito roles, as xent_book.plotting.COLORS.
  var COLORS = { model: "#0072B2", target: "#E69F00", gradient: "#009E73", error: "#D55E00" };
  var LOGIT_RANGE = [-10, 10];
  var TEMPERATURE_RANGE = [0.05, 5];
  var MAX_CLASSES = 6;
  var MAX_OUTCOMES = 8;

  // ------------------------------------------------------------------ numbers

  /** Stable softmax / log-softmax of z / T (max shift, log1p of the rest), as xent_book.activations. */
  function softmaxParts(z, T) {
    var n = z.length, s = new Array(n), k = 0, i;
    for (i = 0; i < n; i++) {
      s[i] = T === 1 ? z[i] : z[i] / T;
      if (s[i] > s[k]) { k = i; }
    }
    var a = s[k], e = new Array(n), rest = 0;
    for (i = 0; i < n; i++) {
      e[i] = i === k ? 1 : Math.exp(s[i] - a);
      if (i !== k) { rest += e[i]; }
    }
    var logTotal = Math.log1p(rest), total = 1 + rest, probs = new Array(n), logProbs = new Array(n);
    for (i = 0; i < n; i++) {
      probs[i] = e[i] / total;
      logProbs[i] = (s[i] - a) - logTotal;
    }
    return { probs: probs, logProbs: logProbs };
  }

  function logitsValues(z, T, y) {
    var sm = softmaxParts(z, T), grad = sm.probs.map(function (p, k) { return p - (k === y ? 1 : 0); });
    return { logits: z, temperature: T, target: y, probs: sm.probs, logProbs: sm.logProbs,
             loss: -sm.logProbs[y], grad: grad };
  }

  /** Non-negative weights -> a distribution; all zero -> uniform (flagged). */
  function normalise(w) {
    var total = w.reduce(function (s, x) { return s + x; }, 0);
    if (total === 0) { return { p: w.map(function () { return 1 / w.length; }), zero: true }; }
    return { p: w.map(function (x) { return x / total; }), zero: false };
  }

  /** x log y with 0 log y = 0 (y may be 0: then -inf for x > 0). */
  function xlogy(x, y) { return x > 0 ? x * Math.log(y) : 0; }

  function entropy(p, logBase) {
    var s = 0;
    for (var i = 0; i < p.length; i++) { s += xlogy(p[i], p[i]); }
    return -s / logBase;
  }

  function crossEntropy(p, q, logBase) {
    var s = 0;
    for (var i = 0; i < p.length; i++) { s += xlogy(p[i], q[i]); }
    return -s / logBase;
  }

  function klDivergence(p, q, logBase) {
    var s = 0;
    for (var i = 0; i < p.length; i++) {
      if (p[i] > 0) { s += p[i] * (Math.log(p[i]) - Math.log(q[i])); }
    }
    return Math.max(s, 0) / logBase;  // rounding can leave -1e-17 for p == q
  }

  function entropyKLValues(wp, wq, base) {
    var np = normalise(wp), nq = normalise(wq), lb = base === "e" ? 1 : Math.log(base);
    var note = [];
    if (np.zero) { note.push("p"); }
    if (nq.zero) { note.push("q"); }
    return {
      p: np.p, q: nq.p,
      entropy: entropy(np.p, lb),
      crossEntropy: crossEntropy(np.p, nq.p, lb),
      kl: klDivergence(np.p, nq.p, lb),
      klReverse: klDivergence(nq.p, np.p, lb),
      maxEntropy: Math.log(wp.length) / lb,
      unit: base === "e" ? "nats" : (base === 2 ? "bits" : "base-" + base + " units"),
      note: note.length ? "All weights of " + note.join(" and ") + " are 0: shown as uniform." : ""
    };
  }

  // ------------------------------------------------------------------ formatting (as _base.fmt / full)

  function fmt(x, digits) {
    if (digits === undefined) { digits = 4; }
    if (Number.isNaN(x)) { return "NaN"; }
    if (!Number.isFinite(x)) { return x > 0 ? "\u221e" : "\u2212\u221e"; }
    var s = x.toFixed(digits);
    if (s.charAt(0) === "-") { s = Number(s) !== 0 ? "\u2212" + s.slice(1) : s.slice(1); }
    return s;
  }

  /** Full precision for data-value (shortest round-trip text; inf/-inf/nan as Python's repr). */
  function full(x) {
    if (Number.isNaN(x)) { return "nan"; }
    if (!Number.isFinite(x)) { return x > 0 ? "inf" : "-inf"; }
    return String(x);
  }

  function signed(x, digits) { return (x >= 0 ? "+" : "\u2212") + Math.abs(x).toFixed(digits); }

  function sig3(x) { return String(Number(x.toPrecision(3))); }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function readout(name, value, label, unit, digits) {
    var span = '<span class="xent-readout" data-name="' + esc(name) + '" data-value="' + full(value) + '">' +
      fmt(value, digits) + "</span>";
    var text = span + (unit ? "&nbsp;" + esc(unit) : "");
    return label === undefined ? text : '<span class="xent-item">' + label + " = " + text + "</span>";
  }

  // ------------------------------------------------------------------ SVG (transliterated from _base.py)

  function num(x) {
    if (!Number.isFinite(x)) { x = 0; }
    var s = x.toFixed(1);
    return s.slice(-2) === ".0" ? s.slice(0, -2) : s;
  }

  function svgOpen(w, h, label) {
    var lab = esc(label);
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + w + " " + h + '" width="100%" ' +
      'style="max-width:' + w + 'px;height:auto;display:block;font:12px sans-serif" role="img" aria-label="' +
      lab + '"><title>' + lab + "</title>";
  }

  function svgText(x, y, text, opts) {
    opts = opts || {};
    return '<text x="' + num(x) + '" y="' + num(y) + '" text-anchor="' + (opts.anchor || "middle") +
      '" font-size="' + (opts.size || 12) + '" fill="' + (opts.color || "currentColor") + '"' +
      (opts.weight ? ' font-weight="' + opts.weight + '"' : "") + ">" + esc(text) + "</text>";
  }

  function svgRect(x, y, w, h, fill, opts) {
    opts = opts || {};
    if (h < 0) { y += h; h = -h; }
    if (w < 0) { x += w; w = -w; }
    var head = '<rect x="' + num(x) + '" y="' + num(y) + '" width="' + num(w) + '" height="' + num(h) +
      '" fill="' + fill + '"' + (opts.stroke ? ' stroke="' + opts.stroke + '" stroke-width="2"' : "");
    return opts.title ? head + "><title>" + esc(opts.title) + "</title></rect>" : head + "/>";
  }

  function svgLine(x1, y1, x2, y2, opts) {
    opts = opts || {};
    return '<line x1="' + num(x1) + '" y1="' + num(y1) + '" x2="' + num(x2) + '" y2="' + num(y2) +
      '" stroke="currentColor" stroke-width="' + (opts.width || 1) + '"' +
      (opts.opacity !== undefined ? ' stroke-opacity="' + opts.opacity + '"' : "") +
      (opts.dash ? ' stroke-dasharray="' + opts.dash + '"' : "") + "/>";
  }

  function niceMax(x) {
    if (!Number.isFinite(x) || x <= 0) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(x))), m = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < m.length; i++) { if (m[i] * p >= x * (1 - 1e-12)) { return m[i] * p; } }
    return 10 * p;
  }

  function g(x) { return String(Number(x.toPrecision(6))); }  // Python's {:g} for tick labels

  // ------------------------------------------------------------------ rendering

  function renderLogits(v) {
    var p = v.probs, gr = v.grad, y = v.target, n = p.length, W = 540, H = 230, top = 34, bottom = 186, k;
    var label = "Softmax probabilities at temperature " + sig3(v.temperature) + ": " +
      p.map(function (x, i) { return "class " + i + " " + x.toFixed(4); }).join(", ") +
      ". Target class " + y + "; loss " + fmt(v.loss) + " nats. Gradient p minus y: " +
      gr.map(function (x, i) { return "class " + i + " " + signed(x, 4); }).join(", ") + ".";
    var out = [svgOpen(W, H, label)];
    var x0 = 46, x1 = 258;
    var sy = function (u) { return bottom - u * (bottom - top); };
    out.push(svgText((x0 + x1) / 2, 14, "probability p = softmax(z / T)", { weight: "600" }));
    [0, 0.5, 1].forEach(function (t) {
      out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t ? 0.2 : 0.6 }));
      out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
    });
    var slot = (x1 - x0) / n, bw = slot * 0.62, cx;
    for (k = 0; k < n; k++) {
      cx = x0 + slot * (k + 0.5);
      out.push(svgRect(cx - bw / 2, sy(p[k]), bw, sy(0) - sy(p[k]), k === y ? COLORS.target : COLORS.model,
        { title: "p" + k + " = " + p[k].toFixed(4) }));
      out.push(svgText(cx, sy(p[k]) - 4, fmt(p[k], 3), { size: 10 }));
      out.push(svgText(cx, bottom + 15, k + (k === y ? " (y)" : ""), { size: 11 }));
    }
    out.push(svgText((x0 + x1) / 2, H - 10, "class k", { size: 11 }));

    x0 = 318; x1 = 530;
    var mid = (top + bottom) / 2, gy = function (u) { return mid - u * (bottom - top) / 2; };
    out.push(svgText((x0 + x1) / 2, 14, "gradient p \u2212 y  (\u2202loss/\u2202(z/T))", { weight: "600" }));
    [-1, 0, 1].forEach(function (t) {
      out.push(svgLine(x0, gy(t), x1, gy(t), { opacity: t === 0 ? 0.6 : 0.2 }));
      out.push(svgText(x0 - 5, gy(t) + 4, fmt(t, 0), { anchor: "end", size: 10 }));
    });
    for (k = 0; k < n; k++) {
      cx = x0 + slot * (k + 0.5);
      out.push(svgRect(cx - bw / 2, gy(Math.max(gr[k], 0)), bw, Math.abs(gy(gr[k]) - gy(0)), COLORS.gradient,
        { title: "grad" + k + " = " + signed(gr[k], 4) }));
      // a negative bar's number sits above the zero line (below the bar it would meet the class labels)
      out.push(svgText(cx, gy(Math.max(gr[k], 0)) - 4, fmt(gr[k], 3), { size: 10 }));
      out.push(svgText(cx, bottom + 15, k + (k === y ? " (y)" : ""), { size: 11 }));
    }
    out.push(svgText((x0 + x1) / 2, H - 10, "class k", { size: 11 }));
    out.push("</svg>");
    out.push('<div class="xent-readouts">' +
      readout("loss", v.loss, "loss \u2212log p<sub>y</sub>", "nats") +
      readout("p_target", p[y], "p<sub>" + y + "</sub>") +
      readout("temperature", v.temperature, "T", "", 3) + "</div>" +
      '<div class="xent-readouts"><span class="xent-item">p = [' +
      p.map(function (x, i) { return readout("p" + i, x); }).join(", ") +
      ']</span><span class="xent-item">p \u2212 y = [' +
      gr.map(function (x, i) { return readout("grad" + i, x); }).join(", ") + "]</span></div>");
    return out.join("");
  }

  function renderEntropyKL(v) {
    var p = v.p, q = v.q, unit = v.unit, h = v.entropy, hpq = v.crossEntropy, kl = v.kl, hmax = v.maxEntropy;
    var W = 540, H = 262, n = p.length, k, j;
    var label = "p = " + p.map(function (x) { return x.toFixed(4); }).join(", ") +
      "; q = " + q.map(function (x) { return x.toFixed(4); }).join(", ") +
      ". Entropy H(p) " + fmt(h) + " " + unit + ", cross-entropy H(p, q) " + fmt(hpq) + " " + unit +
      " = H(p) + KL(p || q), with KL " + fmt(kl) + " " + unit + "; reverse KL(q || p) " + fmt(v.klReverse) +
      " " + unit + ".";
    var out = [svgOpen(W, H, label)];
    out.push(svgText(W / 2, 14, "distributions p (data) and q (model)", { weight: "600" }));
    var lx = W / 2 - 75;
    [["p (data)", COLORS.target], ["q (model)", COLORS.model]].forEach(function (it) {
      out.push(svgRect(lx, 32 - 9, 10, 10, it[1]));
      out.push(svgText(lx + 14, 32, it[0], { anchor: "start", size: 11 }));
      lx += 16 + 7 * it[0].length;
    });
    // grouped bars of p and q
    var vmax = Math.max.apply(null, p.concat(q)) > 0.5 ? 1 : 0.5, top = 52, bottom = 148, x0 = 46, x1 = W - 10;
    var sy = function (u) { return bottom - u / vmax * (bottom - top); };
    [0, vmax / 2, vmax].forEach(function (t) {
      out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t === 0 ? 0.6 : 0.2 }));
      out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
    });
    var series = [["p", p, COLORS.target], ["q", q, COLORS.model]], slot = (x1 - x0) / n, bw = slot * 0.7 / 2;
    for (k = 0; k < n; k++) {
      var left = x0 + slot * k + slot * 0.15;
      for (j = 0; j < 2; j++) {
        var x = left + j * bw, val = series[j][1][k], u = Math.min(val, vmax);
        out.push(svgRect(x + 1, sy(u), bw - 2, sy(0) - sy(u), series[j][2],
          { title: series[j][0] + k + " = " + val.toFixed(4) }));
        out.push(svgText(x + bw / 2, sy(u) - 4, fmt(val, 2), { size: 9 }));
      }
      out.push(svgText(x0 + slot * (k + 0.5), bottom + 14, String(k), { size: 11 }));
    }
    out.push(svgText(W / 2, 176, "outcome i", { size: 11 }));
    // stacked bar H(p, q) = H(p) + KL(p || q) on an axis that shows log C
    x0 = 46; x1 = W - 30;
    var yb = 216, hb = 22, axisMax = niceMax(Math.min(Math.max(hpq, hmax), 4 * hmax));
    var sx = function (u) { return x0 + Math.min(u, axisMax) / axisMax * (x1 - x0); };
    out.push(svgText(x0, 196, "H(p, q) = H(p) + KL(p \u2016 q)   (" + unit + ")", { anchor: "start", weight: "600" }));
    lx = 330;
    [["H(p)", COLORS.target], ["KL(p \u2016 q)", COLORS.error]].forEach(function (it) {
      out.push(svgRect(lx, 196 - 9, 10, 10, it[1]));
      out.push(svgText(lx + 14, 196, it[0], { anchor: "start", size: 11 }));
      lx += 22 + 7 * it[0].length;
    });
    out.push(svgRect(x0, yb, sx(h) - x0, hb, COLORS.target, { title: "H(p) = " + fmt(h) + " " + unit }));
    out.push(svgRect(sx(h), yb, sx(h + kl) - sx(h), hb, COLORS.error, { title: "KL(p || q) = " + fmt(kl) + " " + unit }));
    if (hpq > axisMax) { out.push(svgText(x1 + 4, yb + 16, "\u2192", { anchor: "start", size: 14, color: COLORS.error })); }
    var xm = sx(hmax);
    out.push(svgLine(xm, yb - 4, xm, yb + hb + 4, { width: 2, dash: "3,2" }));
    out.push(svgText(xm, yb + hb + 16, "log C = " + fmt(hmax, 3), { size: 10 }));
    [0, axisMax].forEach(function (t) { out.push(svgText(sx(t), yb + hb + 16, g(t), { size: 10 })); });
    out.push(svgLine(x0, yb + hb, x1, yb + hb, { opacity: 0.6 }));
    out.push("</svg>");
    out.push('<div class="xent-readouts">' +
      readout("entropy", h, "H(p)", unit) + readout("kl", kl, "KL(p \u2016 q)", unit) +
      readout("cross_entropy", hpq, "H(p, q)", unit) + readout("kl_reverse", v.klReverse, "KL(q \u2016 p)", unit) +
      readout("max_entropy", hmax, "log C", unit) + "</div>" +
      '<div class="xent-readouts"><span class="xent-item">p = [' +
      p.map(function (x, i) { return readout("p" + i, x); }).join(", ") +
      ']</span><span class="xent-item">q = [' +
      q.map(function (x, i) { return readout("q" + i, x); }).join(", ") + "]</span></div>");
    if (v.note) { out.push('<div class="xent-note">' + esc(v.note) + "</div>"); }
    return out.join("");
  }

  // ------------------------------------------------------------------ controls

  var uid = 0;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  /** A labelled <input type=range> with an <output> showing its value; returns the input. */
  function slider(parent, o) {
    var id = "xent-live-" + (++uid);
    var row = el("div", { "class": "xent-live-control" });
    row.appendChild(el("label", { "for": id }, o.label));
    var input = el("input", { type: "range", id: id, min: o.min, max: o.max, step: o.step, value: o.value,
                              "data-control": o.name });
    var output = el("output", { "for": id, "class": "xent-live-value", "aria-hidden": "true" });
    input.xentShow = function () {
      var text = o.show(Number(input.value));
      output.textContent = text;
      input.setAttribute("aria-valuetext", o.label + " " + text);
    };
    input.xentShow();
    row.appendChild(input);
    row.appendChild(output);
    parent.appendChild(row);
    return input;
  }

  function parseList(text, name) {
    var xs = String(text || "").split(",").map(function (s) { return Number(s.trim()); });
    if (xs.length < 2 || xs.some(function (x) { return !Number.isFinite(x); })) {
      throw new Error("data-" + name + ": expected at least 2 comma-separated finite numbers, got \"" + text + "\"");
    }
    return xs;
  }

  function round(x, step) { return Number((Math.round(x / step) * step).toFixed(10)); }

  function shell(root, title) {
    root.textContent = "";
    root.classList.add("xent-live-ready");
    var fig = el("figure", { "class": "xent-live-figure" });  // labelled by its figcaption
    fig.appendChild(el("figcaption", { "class": "xent-live-title" }, title));
    var controls = el("div", { "class": "xent-live-controls" });
    var view = el("div", { "class": "xent-explorer" });
    // one short sentence for screen readers after each change (not the whole chart)
    var status = el("p", { "class": "xent-live-status", "aria-live": "polite" });
    fig.appendChild(controls);
    fig.appendChild(view);
    fig.appendChild(status);
    root.appendChild(fig);
    return { controls: controls, view: view, status: status };
  }

  function resetButton(parent, inputs, redraw) {
    var b = el("button", { type: "button", "class": "xent-live-reset" }, "Reset");
    var initial = inputs.map(function (i) { return i.value; });
    b.addEventListener("click", function () {
      inputs.forEach(function (inp, i) { inp.value = initial[i]; if (inp.xentShow) { inp.xentShow(); } });
      redraw();
    });
    parent.appendChild(b);
  }

  function initLogits(root) {
    var z0 = parseList(root.dataset.logits || "2,1,0.1", "logits");
    if (z0.length > MAX_CLASSES) { throw new Error("data-logits: at most " + MAX_CLASSES + " classes, got " + z0.length); }
    var T0 = Number(root.dataset.temperature || 1), y0 = Number(root.dataset.target || 0);
    if (!(T0 > 0 && Number.isFinite(T0))) { throw new Error("data-temperature: expected a number > 0"); }
    if (!(Number.isInteger(y0) && y0 >= 0 && y0 < z0.length)) {
      throw new Error("data-target: expected a class index in [0, " + (z0.length - 1) + "]");
    }
    var ui = shell(root, "Logits, softmax with temperature, loss and gradient (live in your browser)");
    var zs = z0.map(function (v, k) {
      return slider(ui.controls, { label: "logit z" + k, name: "z" + k, min: Math.min(LOGIT_RANGE[0], v),
        max: Math.max(LOGIT_RANGE[1], v), step: 0.1, value: v, show: function (x) { return fmt(x, 1); } });
    });
    // Log scale on the exponent grid of xent_book.widgets._base.log_slider (step 0.01,
    // range rounded outwards), so that T = 1 is a position and the ends are 10^-1.31, 10^0.7.
    var eLo = Math.floor(Math.log10(Math.min(TEMPERATURE_RANGE[0], T0)) / 0.01 + 1e-6) * 0.01;
    var eHi = Math.ceil(Math.log10(Math.max(TEMPERATURE_RANGE[1], T0)) / 0.01 - 1e-6) * 0.01;
    var tIn = slider(ui.controls, { label: "temperature T", name: "log10_temperature",
      min: round(eLo, 0.01), max: round(eHi, 0.01), step: 0.01, value: round(Math.log10(T0), 0.01),
      show: function (e) { return sig3(Math.pow(10, e)); } });
    var row = el("div", { "class": "xent-live-control" }), sid = "xent-live-" + (++uid);
    row.appendChild(el("label", { "for": sid }, "target class y"));
    var sel = el("select", { id: sid, "data-control": "target" });
    z0.forEach(function (_, k) { sel.appendChild(el("option", { value: String(k) }, "class " + k)); });
    sel.value = String(y0);
    row.appendChild(sel);
    ui.controls.appendChild(row);
    function redraw() {
      var z = zs.map(function (i) { return Number(i.value); });
      var T = Math.pow(10, Number(tIn.value));
      var v = logitsValues(z, T, Number(sel.value));
      ui.view.innerHTML = renderLogits(v);
      ui.status.textContent = "Loss " + fmt(v.loss) + " nats, p" + v.target + " = " + fmt(v.probs[v.target]) +
        " at T = " + sig3(T) + ".";
    }
    resetButton(ui.controls, zs.concat([tIn, sel]), redraw);
    ui.controls.addEventListener("input", function (ev) {
      if (ev.target.xentShow) { ev.target.xentShow(); }
      redraw();
    });
    ui.controls.addEventListener("change", redraw);
    redraw();
  }

  function initEntropyKL(root) {
    var p0 = parseList(root.dataset.p || "0.5,0.3,0.2", "p"), q0 = parseList(root.dataset.q || "0.2,0.3,0.5", "q");
    if (p0.length !== q0.length) { throw new Error("data-q: expected " + p0.length + " weights to match data-p"); }
    if (p0.length > MAX_OUTCOMES) { throw new Error("data-p: at most " + MAX_OUTCOMES + " outcomes"); }
    p0.concat(q0).forEach(function (x) { if (x < 0) { throw new Error("data-p, data-q: weights must be >= 0"); } });
    var base0 = (root.dataset.base || "2") === "e" ? "e" : Number(root.dataset.base || 2);
    if (base0 !== "e" && base0 !== 2) { throw new Error("data-base: expected 2 (bits) or e (nats)"); }
    var ui = shell(root, "Entropy, cross-entropy and KL divergence of two distributions (live in your browser)");
    function norm(w, name) {  // the sliders start at the normalised weights, as in the widget
      var n = normalise(w);
      if (n.zero) { throw new Error("data-" + name + ": the weights sum to 0, so they do not define a distribution"); }
      return n.p;
    }
    function group(name, legend, w) {
      var fs = el("fieldset", { "class": "xent-live-group" });
      fs.appendChild(el("legend", {}, legend));
      ui.controls.appendChild(fs);
      return norm(w, name).map(function (v, k) {
        return slider(fs, { label: name + " weight " + k, name: name + k, min: 0, max: Math.max(1, v), step: 0.01,
          value: round(v, 0.01), show: function (x) { return fmt(x, 2); } });
      });
    }
    var ps = group("p", "p (data): weights, normalised", p0), qs = group("q", "q (model): weights, normalised", q0);
    var row = el("div", { "class": "xent-live-control" }), sid = "xent-live-" + (++uid);
    row.appendChild(el("label", { "for": sid }, "unit"));
    var sel = el("select", { id: sid, "data-control": "base" });
    sel.appendChild(el("option", { value: "2" }, "bits (base 2)"));
    sel.appendChild(el("option", { value: "e" }, "nats (base e)"));
    sel.value = String(base0);
    row.appendChild(sel);
    ui.controls.appendChild(row);
    function redraw() {
      var val = function (i) { return Number(i.value); };
      var base = sel.value === "e" ? "e" : 2;
      var v = entropyKLValues(ps.map(val), qs.map(val), base);
      ui.view.innerHTML = renderEntropyKL(v);
      ui.status.textContent = "H(p) " + fmt(v.entropy) + ", KL(p || q) " + fmt(v.kl) + ", H(p, q) " +
        fmt(v.crossEntropy) + " " + v.unit + ".";
    }
    resetButton(ui.controls, ps.concat(qs, [sel]), redraw);
    ui.controls.addEventListener("input", function (ev) {
      if (ev.target.xentShow) { ev.target.xentShow(); }
      redraw();
    });
    ui.controls.addEventListener("change", redraw);
    redraw();
  }

  var KINDS = { "logits": initLogits, "entropy-kl": initEntropyKL };

  function init() {
    var roots = document.querySelectorAll(".xent-live:not(.xent-live-ready)");
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i], kind = root.dataset.explorer;
      try {
        if (!KINDS[kind]) { throw new Error("data-explorer: expected one of " + Object.keys(KINDS).join(", ") + ", got \"" + kind + "\""); }
        KINDS[kind](root);
      } catch (err) {  // a bad configuration shows in the page, it does not break it
        root.textContent = "";
        root.appendChild(el("p", { "class": "xent-error" }, "This explorer cannot start: " + err.message));
        root.classList.add("xent-live-ready");
      }
    }
  }

  window.xentExplorers = {
    init: init, softmaxParts: softmaxParts, logitsValues: logitsValues, entropyKLValues: entropyKLValues
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
