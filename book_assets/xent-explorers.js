/*
 * xent-explorers.js - the book's explorers, live in the web page (no kernel, no dependencies, no requests).
 *
 * In JupyterLab the explorers are ipywidgets (xent_book/widgets/); in the static book
 * their sliders only show the saved initial view. This file turns every container
 *
 *   <div class="xent-live" data-xent-explorer="NAME" data-...></div>
 *
 * into labelled controls plus the same SVG view and readouts, recomputed on every
 * `input` event with the formulas of xent_book (written out below, each naming the
 * Python function it mirrors; tests/browser/test_live_book_explorers.py checks every
 * readout against xent_book to 1e-9 in Chromium):
 *
 *   logits       data-logits="2,1,0.1" data-temperature="1" data-target="0"   (chapter 7)
 *                q = softmax(z / T) (max shift, log1p of the rest), loss -log q_y, gradient q - e_y
 *                (xent_book.widgets.logits_explorer_values);
 *   entropy      data-p="0.5,0.3,0.2" data-base="2"                          (chapter 3)
 *                H(p) = -sum p log p (0 log 0 = 0), log C, perplexity e^H (xent_book.widgets.entropy_values);
 *   entropy-kl   data-p=... data-q=... data-base="2"                           (chapter 4)
 *                H(p), H(p, q), KL(p || q) and KL(q || p) (xent_book.widgets.entropy_kl_values, xent_book.info);
 *
 * The explorers of chapters 2 (logits), 5 (binary), 8 (focal), 10 (reliability) and 15 (sampling)
 * are anywidget explorers: one ES module each (xent_book/widgets/static/), mounted from the saved
 * widget state; this file no longer renders them. Its logits explorer stays for chapter 7 until
 * that chapter moves (issue 18).
 *
 * Markup conventions are those of xent_book/widgets/_base.py: each number is a
 * <span class="xent-readout" data-name="NAME" data-value="FULL_PRECISION">ROUNDED</span>,
 * the chart is <svg role="img" aria-label="..."> starting with <title>, ink is
 * currentColor (follows the light/dark theme), data use the Okabe-Ito palette. Each
 * slider is an <input type=range data-control="NAME"> with a text box (data-typed="NAME")
 * that takes a typed value, snapped to the slider's grid as ipywidgets does; selects carry
 * data-control too. A Reset button restores the initial state; an aria-live line
 * announces the main numbers after each change. On a page without .xent-live this
 * script does nothing.
 */
(function () {
  "use strict";

  // Okabe-Ito roles, as xent_book.plotting.COLORS.
  var COLORS = { model: "#0072B2", target: "#E69F00", gradient: "#009E73", error: "#D55E00",
                 neutral: "#999999", alt: "#CC79A7" };
  var MAX_CLASSES = 6, MAX_OUTCOMES = 8;

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
    return { probs: probs, logProbs: logProbs, argmax: k };
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
    return -s / logBase + 0;  // + 0: -0 -> 0
  }

  function crossEntropy(p, q, logBase) {
    var s = 0;
    for (var i = 0; i < p.length; i++) { s += xlogy(p[i], q[i]); }
    return -s / logBase + 0;
  }

  function klDivergence(p, q, logBase) {
    var s = 0;
    for (var i = 0; i < p.length; i++) {
      if (p[i] > 0) { s += p[i] * (Math.log(p[i]) - Math.log(q[i])); }
    }
    return Math.max(s, 0) / logBase;  // rounding can leave -1e-17 for p == q
  }

  function unitOf(base) { return base === "e" ? "nats" : (base === 2 ? "bits" : "base-" + base + " units"); }

  function zeroNote(names) {
    return names.length ? "All weights of " + names.join(" and ") + " are 0: shown as uniform." : "";
  }

  function entropyValues(wp, base) {
    var np = normalise(wp), lb = base === "e" ? 1 : Math.log(base), hNats = entropy(np.p, 1);
    return { p: np.p, entropy: entropy(np.p, lb), maxEntropy: Math.log(wp.length) / lb,
             perplexity: Math.exp(hNats), unit: unitOf(base), note: zeroNote(np.zero ? ["p"] : []) };
  }

  function entropyKLValues(wp, wq, base) {
    var np = normalise(wp), nq = normalise(wq), lb = base === "e" ? 1 : Math.log(base), note = [];
    if (np.zero) { note.push("p"); }
    if (nq.zero) { note.push("q"); }
    return {
      p: np.p, q: nq.p,
      entropy: entropy(np.p, lb),
      crossEntropy: crossEntropy(np.p, nq.p, lb),
      kl: klDivergence(np.p, nq.p, lb),
      klReverse: klDivergence(nq.p, np.p, lb),
      maxEntropy: Math.log(wp.length) / lb,
      unit: unitOf(base),
      note: zeroNote(note)
    };
  }

  // ------------------------------------------------------------------ formatting (as _base.fmt / full)

  /**
   * x.toFixed(d) with Python's rounding: an exact tie (a double that lies exactly halfway, such as
   * 0.65625 at 4 digits) goes to the even digit, as f"{x:.4f}" does; toFixed would round it up.
   */
  function fix(x, d) {
    var s = x.toFixed(d);
    if (!Number.isFinite(x) || Math.abs(x) >= 1e21) { return s; }
    var t = Math.abs(x) * Math.pow(10, d), frac = t - Math.floor(t);
    if (Math.abs(frac - 0.5) > 1e-6) { return s; }  // fast path: far from a tie (most calls)
    var exact = Math.abs(x).toFixed(100), point = exact.indexOf(".");
    var rest = exact.slice(point + 1 + d);
    if (!/^50*$/.test(rest)) { return s; }  // not a tie
    var kept = exact.slice(0, d === 0 ? point : point + 1 + d);
    if (Number(kept.charAt(kept.length - 1)) % 2 === 1) { return s; }  // odd: rounding up gives the even digit
    return (x < 0 ? "-" : "") + kept;
  }

  function fmt(x, digits) {
    if (digits === undefined) { digits = 4; }
    if (Number.isNaN(x)) { return "NaN"; }
    if (!Number.isFinite(x)) { return x > 0 ? "\u221e" : "\u2212\u221e"; }
    var s = fix(x, digits);
    if (s.charAt(0) === "-") { s = Number(s) !== 0 ? "\u2212" + s.slice(1) : s.slice(1); }
    return s;
  }

  /** Full precision for data-value (shortest round-trip text; inf/-inf/nan as Python's repr). */
  function full(x) {
    if (Number.isNaN(x)) { return "nan"; }
    if (!Number.isFinite(x)) { return x > 0 ? "inf" : "-inf"; }
    return String(x);
  }

  function signed(x, digits) { return (x >= 0 ? "+" : "\u2212") + fix(Math.abs(x), digits); }

  function sig(x, d) { return String(Number(x.toPrecision(d))); }  // Python's {:.Ng}
  function sig3(x) { return sig(x, 3); }
  function g(x) { return sig(x, 6).replace("-", "\u2212"); }  // Python's {:g} for tick labels

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
    var s = fix(x, 1);
    if (s === "-0.0") { s = "0.0"; }
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
      (opts.weight ? ' font-weight="' + opts.weight + '"' : "") +
      (opts.transform ? ' transform="' + opts.transform + '"' : "") + ">" + esc(text) + "</text>";
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
      '" stroke="' + (opts.color || "currentColor") + '" stroke-width="' + (opts.width || 1) + '"' +
      (opts.opacity !== undefined ? ' stroke-opacity="' + opts.opacity + '"' : "") +
      (opts.dash ? ' stroke-dasharray="' + opts.dash + '"' : "") + "/>";
  }

  function niceMax(x) {
    if (!Number.isFinite(x) || x <= 0) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(x))), m = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < m.length; i++) { if (m[i] * p >= x * (1 - 1e-12)) { return m[i] * p; } }
    return 10 * p;
  }

  // ------------------------------------------------------------------ rendering

  function renderLogits(v) {
    var p = v.probs, gr = v.grad, y = v.target, n = p.length, W = 540, H = 230, top = 34, bottom = 186, k;
    var label = "Softmax probabilities at temperature " + sig3(v.temperature) + ": " +
      p.map(function (x, i) { return "class " + i + " " + fix(x, 4); }).join(", ") +
      ". Target class " + y + "; loss " + fmt(v.loss) + " nats. Gradient q minus e_y: " +
      gr.map(function (x, i) { return "class " + i + " " + signed(x, 4); }).join(", ") + ".";
    var out = [svgOpen(W, H, label)];
    var x0 = 46, x1 = 258;
    var sy = function (u) { return bottom - u * (bottom - top); };
    out.push(svgText((x0 + x1) / 2, 14, "probability q = softmax(z / T)", { weight: "600" }));
    [0, 0.5, 1].forEach(function (t) {
      out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t ? 0.2 : 0.6 }));
      out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
    });
    var slot = (x1 - x0) / n, bw = slot * 0.62, cx;
    for (k = 0; k < n; k++) {
      cx = x0 + slot * (k + 0.5);
      out.push(svgRect(cx - bw / 2, sy(p[k]), bw, sy(0) - sy(p[k]), k === y ? COLORS.target : COLORS.model,
        { title: "q" + k + " = " + fix(p[k], 4) }));
      out.push(svgText(cx, sy(p[k]) - 4, fmt(p[k], 3), { size: 10 }));
      out.push(svgText(cx, bottom + 15, k + (k === y ? " (y)" : ""), { size: 11 }));
    }
    out.push(svgText((x0 + x1) / 2, H - 10, "class k", { size: 11 }));

    x0 = 318; x1 = 530;
    var mid = (top + bottom) / 2, gy = function (u) { return mid - u * (bottom - top) / 2; };
    out.push(svgText((x0 + x1) / 2, 14, "gradient q \u2212 e_y  (\u2202loss/\u2202(z/T))", { weight: "600" }));
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
      readout("loss", v.loss, "loss \u2212log q<sub>y</sub>", "nats") +
      readout("p_target", p[y], "q<sub>" + y + "</sub>") +
      readout("temperature", v.temperature, "T", "", 3) + "</div>" +
      '<div class="xent-readouts"><span class="xent-item">q = [' +
      p.map(function (x, i) { return readout("p" + i, x); }).join(", ") +
      ']</span><span class="xent-item">q \u2212 e<sub>y</sub> = [' +
      gr.map(function (x, i) { return readout("grad" + i, x); }).join(", ") + "]</span></div>");
    return out.join("");
  }

  function renderEntropyKL(v) {
    var p = v.p, q = v.q, unit = v.unit, h = v.entropy, hpq = v.crossEntropy, kl = v.kl, hmax = v.maxEntropy;
    var W = 540, H = 262, n = p.length, k, j;
    var label = "p = " + p.map(function (x) { return fix(x, 4); }).join(", ") +
      "; q = " + q.map(function (x) { return fix(x, 4); }).join(", ") +
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
          { title: series[j][0] + k + " = " + fix(val, 4) }));
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

  function distributionBars(out, series, top, bottom, x0, x1, vmax) {
    var n = series[0][1].length, m = series.length, k, j;
    var sy = function (u) { return bottom - u / vmax * (bottom - top); };
    [0, vmax / 2, vmax].forEach(function (t) {
      out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t === 0 ? 0.6 : 0.2 }));
      out.push(svgText(x0 - 5, sy(t) + 4, g(t), { anchor: "end", size: 10 }));
    });
    var slot = (x1 - x0) / n, bw = slot * 0.7 / m;
    for (k = 0; k < n; k++) {
      var left = x0 + slot * k + slot * 0.15;
      for (j = 0; j < m; j++) {
        var x = left + j * bw, val = series[j][1][k], u = Math.min(val, vmax);
        out.push(svgRect(x + 1, sy(u), bw - 2, sy(0) - sy(u), series[j][2], { title: series[j][0] + k + " = " + fix(val, 4) }));
        out.push(svgText(x + bw / 2, sy(u) - 4, fmt(val, 2), { size: 9 }));
      }
      out.push(svgText(x0 + slot * (k + 0.5), bottom + 14, String(k), { size: 11 }));
    }
  }

  function renderEntropy(v) {
    var p = v.p, unit = v.unit, h = v.entropy, hmax = v.maxEntropy, W = 540, H = 250;
    var label = "p = " + p.map(function (x) { return fix(x, 4); }).join(", ") + ". Entropy H(p) " + fmt(h) + " " +
      unit + " of a maximum log C = " + fmt(hmax) + " " + unit + "; perplexity " + fmt(v.perplexity, 3) + ".";
    var out = [svgOpen(W, H, label)];
    out.push(svgText(W / 2, 14, "distribution p", { weight: "600" }));
    distributionBars(out, [["p", p, COLORS.model]], 34, 130, 46, W - 10, Math.max.apply(null, p) > 0.5 ? 1 : 0.5);
    out.push(svgText(W / 2, 158, "outcome i", { size: 11 }));
    var x0 = 46, x1 = W - 30, yb = 192, hb = 22, axisMax = niceMax(hmax);
    var sx = function (u) { return x0 + u / axisMax * (x1 - x0); };
    out.push(svgText(W / 2, 180, "entropy H(p) against its maximum log C   (" + unit + ")", { weight: "600" }));
    out.push(svgRect(x0, yb, sx(hmax) - x0, hb, "none", { stroke: "currentColor" }));
    out.push(svgRect(x0, yb, sx(h) - x0, hb, COLORS.model, { title: "H(p) = " + fmt(h) + " " + unit }));
    out.push(svgText(sx(hmax), yb + hb + 16, "log C = " + fmt(hmax, 3), { size: 10 }));
    out.push(svgText(x0, yb + hb + 16, "0", { size: 10 }));
    out.push("</svg>");
    out.push('<div class="xent-readouts">' + readout("entropy", h, "H(p)", unit) +
      readout("max_entropy", hmax, "log C", unit) + readout("perplexity", v.perplexity, "perplexity", "", 3) +
      '</div><div class="xent-readouts"><span class="xent-item">p = [' +
      p.map(function (x, i) { return readout("p" + i, x); }).join(", ") + "]</span></div>");
    if (v.note) { out.push('<div class="xent-note">' + esc(v.note) + "</div>"); }
    return out.join("");
  }

  // ------------------------------------------------------------------ controls

  var uid = 0;
  var DATA_SELECTOR = "script.xent-explorer-data";
  // shared with the anywidget explorers' modules (xent_book/widgets/static/_core.js), whichever loads first
  var api = window.xentExplorers || { measure: false, timings: [] };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function round(x, step) { return Number((Math.round(x / step) * step).toFixed(10)); }

  /**
   * A labelled <input type=range> plus a text box showing its value, in which a value can be typed.
   * o: {name, label, min, max, step, value (a slider position), show(position) -> text,
   *     parse(typed number) -> position (default: the number itself)}.
   * A typed value is snapped to the slider's grid and clamped to its range (as ipywidgets does);
   * text that is not a number restores the box.
   */
  function slider(parent, o) {
    var id = "xent-live-" + (++uid);
    var row = el("div", { "class": "xent-live-control" });
    row.appendChild(el("label", { "for": id }, o.label));
    var input = el("input", { type: "range", id: id, min: o.min, max: o.max, step: o.step, value: o.value,
                              "data-control": o.name });
    var box = el("input", { type: "text", inputmode: "decimal", "class": "xent-live-value", "data-typed": o.name,
                            "aria-label": o.label + ": type a value", size: "6", spellcheck: "false" });
    input.xentShow = function () {
      var text = o.show(Number(input.value));
      box.value = text;
      input.setAttribute("aria-valuetext", o.label + " " + text);
    };
    box.addEventListener("change", function (ev) {
      ev.stopPropagation();
      var x = Number(String(box.value).trim().replace("\u2212", "-"));
      if (String(box.value).trim() === "" || !Number.isFinite(x)) { input.xentShow(); return; }
      var pos = o.parse ? o.parse(x) : x;
      if (!Number.isFinite(pos)) { input.xentShow(); return; }
      var lo = Number(o.min), hi = Number(o.max);
      pos = Math.min(hi, Math.max(lo, lo + round(pos - lo, Number(o.step))));
      input.value = String(Number(pos.toFixed(10)));
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { box.blur(); } });
    input.xentShow();
    row.appendChild(input);
    row.appendChild(box);
    parent.appendChild(row);
    return input;
  }

  /**
   * A log-scale slider on the exponent grid of xent_book.widgets._base.log_slider (step 0.01).
   * Until it is moved it holds the initial value exactly (0.05 stays 0.05, not 10^-1.3), as the
   * ipywidgets FloatLogSlider does; Reset restores that.
   */
  function logSlider(parent, name, label, range, v0) {
    var eLo = Math.floor(Math.log10(Math.min(range[0], v0)) / 0.01 + 1e-6) * 0.01;
    var eHi = Math.ceil(Math.log10(Math.max(range[1], v0)) / 0.01 - 1e-6) * 0.01;
    var input;
    input = slider(parent, { label: label, name: name, min: round(eLo, 0.01), max: round(eHi, 0.01), step: 0.01,
      value: round(Math.log10(v0), 0.01),
      show: function (e) { return sig3(input && input.xentExact !== null ? input.xentExact : Math.pow(10, e)); },
      parse: function (x) { return x > 0 ? Math.log10(x) : NaN; } });
    input.xentExact = v0;
    input.xentShow();
    input.xentMoved = function () { input.xentExact = null; };
    input.xentReset = function () { input.xentExact = v0; };
    input.xentValue = function () { return input.xentExact !== null ? input.xentExact : Math.pow(10, Number(input.value)); };
    return input;
  }

  function select(parent, name, label, options, value) {
    var row = el("div", { "class": "xent-live-control" }), sid = "xent-live-" + (++uid);
    row.appendChild(el("label", { "for": sid }, label));
    var sel = el("select", { id: sid, "data-control": name });
    options.forEach(function (op) { sel.appendChild(el("option", { value: String(op[0]) }, op[1])); });
    sel.value = String(value);
    row.appendChild(sel);
    parent.appendChild(row);
    return sel;
  }

  function parseList(text, name) {
    var xs = String(text || "").split(",").map(function (s) { return Number(s.trim()); });
    if (xs.length < 2 || xs.some(function (x) { return !Number.isFinite(x); })) {
      throw new Error("data-" + name + ": expected at least 2 comma-separated finite numbers, got \"" + text + "\"");
    }
    return xs;
  }

  function parseNumber(text, name, fallback, check, expected) {
    var x = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(x) || !check(x)) { throw new Error("data-" + name + ": expected " + expected + ", got \"" + text + "\""); }
    return x;
  }

  /**
   * Build one explorer: root gets a figure with controls, the view and an aria-live status.
   * spec: {title, build(controls) -> inputs, compute() -> v, render(v) -> html, status(v) -> text}.
   */
  function mount(root, spec) {
    var keep = root.querySelectorAll(DATA_SELECTOR);  // the container's own data stays (the tests read it)
    root.textContent = "";
    for (var i = 0; i < keep.length; i++) { root.appendChild(keep[i]); }
    root.classList.add("xent-live-ready");
    var fig = el("figure", { "class": "xent-live-figure" });  // labelled by its figcaption
    fig.appendChild(el("figcaption", { "class": "xent-live-title" }, spec.title));
    var controls = el("div", { "class": "xent-live-controls" });
    var view = el("div", { "class": "xent-explorer xent-" + spec.kind });
    // one short sentence for screen readers after each change (not the whole chart)
    var status = el("p", { "class": "xent-live-status", "aria-live": "polite" });
    fig.appendChild(controls);
    fig.appendChild(view);
    fig.appendChild(status);
    root.appendChild(fig);
    var inputs = spec.build(controls);
    function redraw() {
      var v = spec.compute();
      view.innerHTML = spec.render(v);
      status.textContent = spec.status(v);
    }
    var b = el("button", { type: "button", "class": "xent-live-reset" }, "Reset");
    var initial = inputs.map(function (i) { return i.value; });
    b.addEventListener("click", function (ev) {
      inputs.forEach(function (inp, i) {
        inp.value = initial[i];
        if (inp.xentReset) { inp.xentReset(); }
        if (inp.xentShow) { inp.xentShow(); }
      });
      update(ev);
    });
    controls.appendChild(b);
    function update(ev) {
      if (ev.type === "input" && ev.target.xentMoved) { ev.target.xentMoved(); }
      if (ev.target.xentShow) { ev.target.xentShow(); }
      redraw();
      if (api.measure) {  // the browser test's latency: input event to updated DOM, and with the layout done
        var dom = performance.now() - ev.timeStamp;
        void root.getBoundingClientRect().height;
        api.timings.push({ kind: spec.kind, ms: dom, layoutMs: performance.now() - ev.timeStamp });
      }
    }
    controls.addEventListener("input", update);
    controls.addEventListener("change", function (ev) { if (ev.target.tagName === "SELECT") { update(ev); } });
    redraw();
  }

  function val(i) { return Number(i.value); }

  // ------------------------------------------------------------------ the explorers

  function initLogits(root) {
    var d = root.dataset, z0 = parseList(d.logits || "2,1,0.1", "logits");
    if (z0.length > MAX_CLASSES) { throw new Error("data-logits: at most " + MAX_CLASSES + " classes, got " + z0.length); }
    var T0 = parseNumber(d.temperature, "temperature", 1, function (x) { return x > 0; }, "a number > 0");
    var y0 = parseNumber(d.target, "target", 0, function (x) { return Number.isInteger(x) && x >= 0 && x < z0.length; },
      "a class index in [0, " + (z0.length - 1) + "]");
    var zs, tIn, sel;
    mount(root, {
      kind: "logits",
      title: "Logits, softmax with temperature, loss and gradient (live in your browser)",
      build: function (c) {
        zs = z0.map(function (v, k) {
          return slider(c, { label: "logit z" + k, name: "z" + k, min: Math.min(-10, v), max: Math.max(10, v), step: 0.1,
            value: v, show: function (x) { return fmt(x, 1); } });
        });
        tIn = logSlider(c, "log10_temperature", "temperature T", [0.05, 5], T0);
        sel = select(c, "target", "target class y", z0.map(function (_, k) { return [k, "class " + k]; }), y0);
        return zs.concat([tIn, sel]);
      },
      compute: function () { return logitsValues(zs.map(val), tIn.xentValue(), Number(sel.value)); },
      render: renderLogits,
      status: function (v) {
        return "Loss " + fmt(v.loss) + " nats, q" + v.target + " = " + fmt(v.probs[v.target]) + " at T = " + sig3(v.temperature) + ".";
      }
    });
  }

  function parseBase(text) {
    var b = (text || "2") === "e" ? "e" : Number(text || 2);
    if (b !== "e" && b !== 2) { throw new Error("data-base: expected 2 (bits) or e (nats)"); }
    return b;
  }

  function weights(name, text, dflt) {
    var w = parseList(text || dflt, name);
    if (w.length > MAX_OUTCOMES) { throw new Error("data-" + name + ": at most " + MAX_OUTCOMES + " outcomes"); }
    if (w.some(function (x) { return x < 0; })) { throw new Error("data-" + name + ": weights must be >= 0"); }
    var n = normalise(w);  // the sliders start at the normalised weights, as in the widget
    if (n.zero) { throw new Error("data-" + name + ": the weights sum to 0, so they do not define a distribution"); }
    return n.p;
  }

  function weightSliders(parent, name, legend, p) {
    var fs = el("fieldset", { "class": "xent-live-group" });
    fs.appendChild(el("legend", {}, legend));
    parent.appendChild(fs);
    return p.map(function (v, k) {
      return slider(fs, { label: name + " weight " + k, name: name + k, min: 0, max: Math.max(1, v), step: 0.01,
        value: round(v, 0.01), show: function (x) { return fmt(x, 2); } });
    });
  }

  var BASES = [["2", "bits (base 2)"], ["e", "nats (base e)"]];

  function initEntropy(root) {
    var p0 = weights("p", root.dataset.p, "0.5,0.3,0.2"), base0 = parseBase(root.dataset.base), ps, sel;
    mount(root, {
      kind: "entropy",
      title: "Entropy of a distribution against its maximum log C (live in your browser)",
      build: function (c) {
        ps = weightSliders(c, "p", "p: weights, normalised", p0);
        sel = select(c, "base", "unit", BASES, base0);
        return ps.concat([sel]);
      },
      compute: function () { return entropyValues(ps.map(val), sel.value === "e" ? "e" : 2); },
      render: renderEntropy,
      status: function (v) {
        return "H(p) " + fmt(v.entropy) + " of at most " + fmt(v.maxEntropy) + " " + v.unit + ", perplexity " + fmt(v.perplexity, 3) + ".";
      }
    });
  }

  function initEntropyKL(root) {
    var d = root.dataset, p0 = weights("p", d.p, "0.5,0.3,0.2"), q0 = weights("q", d.q, "0.2,0.3,0.5");
    if (p0.length !== q0.length) { throw new Error("data-q: expected " + p0.length + " weights to match data-p"); }
    var base0 = parseBase(d.base), ps, qs, sel;
    mount(root, {
      kind: "entropy-kl",
      title: "Entropy, cross-entropy and KL divergence of two distributions (live in your browser)",
      build: function (c) {
        ps = weightSliders(c, "p", "p (data): weights, normalised", p0);
        qs = weightSliders(c, "q", "q (model): weights, normalised", q0);
        sel = select(c, "base", "unit", BASES, base0);
        return ps.concat(qs, [sel]);
      },
      compute: function () { return entropyKLValues(ps.map(val), qs.map(val), sel.value === "e" ? "e" : 2); },
      render: renderEntropyKL,
      status: function (v) {
        return "H(p) " + fmt(v.entropy) + ", KL(p || q) " + fmt(v.kl) + ", H(p, q) " + fmt(v.crossEntropy) + " " + v.unit + ".";
      }
    });
  }

  var KINDS = { "logits": initLogits, "entropy": initEntropy, "entropy-kl": initEntropyKL };

  function init() {
    var roots = document.querySelectorAll(".xent-live:not(.xent-live-ready)");
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i], kind = root.dataset.xentExplorer || root.dataset.explorer;
      try {
        if (!KINDS[kind]) { throw new Error("data-xent-explorer: expected one of " + Object.keys(KINDS).join(", ") + ", got \"" + kind + "\""); }
        KINDS[kind](root);
      } catch (err) {  // a bad configuration shows in the page, it does not break it
        root.textContent = "";
        root.appendChild(el("p", { "class": "xent-error" }, "This explorer cannot start: " + err.message));
        root.classList.add("xent-live-ready");
      }
    }
  }

  api.init = init;
  api.softmaxParts = softmaxParts;
  api.logitsValues = logitsValues;
  api.entropyValues = entropyValues;
  api.entropyKLValues = entropyKLValues;
  window.xentExplorers = api;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
