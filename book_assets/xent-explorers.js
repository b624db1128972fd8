/*
 * xent-explorers.js - the book's explorers, live in the web page (no kernel, no dependencies, no requests).
 *
 * Every explorer of the book is now an anywidget (issue 18): one ES module each in
 * xent_book/widgets/static/, used by JupyterLab and, from the saved widget state, by the book's
 * pages. No chapter holds a <div class="xent-live" data-xent-explorer=NAME> container any more, so
 * KINDS below is empty; what is left (formatting, SVG strings, labelled controls, the mount and a
 * message for a bad container) is the harness the page explorers shared, kept for whoever moves or
 * removes this file.
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

  var KINDS = {};  // every explorer is an anywidget now (issue 18): none is left here

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
  window.xentExplorers = api;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
