/*
 * _core.js - the part every explorer module shares: formatting, SVG strings, labelled controls and
 * the mount that ties them to the widget model. xent_book/widgets/live.py prepends it to each
 * explorer's own file (logits.js, reliability.js), so that each explorer is ONE ES module (the
 * anywidget `_esm`), used by JupyterLab and, from the saved widget state, by the book's pages.
 *
 * Markup conventions (the browser tests read them): the root <div class="xent-live xent-anywidget"
 * data-xent-explorer=KIND>; each number a <span class="xent-readout" data-name=NAME
 * data-value=FULL_PRECISION>ROUNDED</span>; the chart <svg role="img" aria-label=...> starting with
 * <title>, ink currentColor, data in the Okabe-Ito palette (xent_book.plotting.COLORS); each slider an
 * <input type=range data-control=NAME> with a text box (data-typed=NAME) that takes a typed value;
 * selects carry data-control too; a Reset button; an aria-live sentence after each change.
 */

// Okabe-Ito roles, as xent_book.plotting.COLORS.
const COLORS = { model: "#0072B2", target: "#E69F00", gradient: "#009E73", error: "#D55E00",
                 neutral: "#999999", alt: "#CC79A7" };

/** Stable softmax / log-softmax of z / T (max shift, log1p of the rest), as xent_book.activations. */
function softmaxParts(z, T) {
  const n = z.length, s = new Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    s[i] = T === 1 ? z[i] : z[i] / T;
    if (s[i] > s[k]) { k = i; }
  }
  const a = s[k], e = new Array(n);
  let rest = 0;
  for (let i = 0; i < n; i++) {
    e[i] = i === k ? 1 : Math.exp(s[i] - a);
    if (i !== k) { rest += e[i]; }
  }
  const logTotal = Math.log1p(rest), total = 1 + rest, probs = new Array(n), logProbs = new Array(n);
  for (let i = 0; i < n; i++) {
    probs[i] = e[i] / total;
    logProbs[i] = (s[i] - a) - logTotal;
  }
  return { probs, logProbs, argmax: k };
}

// ------------------------------------------------------------------ formatting (as xent_book.widgets._live.fmt)

/** x.toFixed(d) with Python's rounding: an exact tie goes to the even digit, as f"{x:.4f}" does. */
function fix(x, d) {
  const s = x.toFixed(d);
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) { return s; }
  const t = Math.abs(x) * Math.pow(10, d), frac = t - Math.floor(t);
  if (Math.abs(frac - 0.5) > 1e-6) { return s; }
  const exact = Math.abs(x).toFixed(100), point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + d);
  if (!/^50*$/.test(rest)) { return s; }
  const kept = exact.slice(0, d === 0 ? point : point + 1 + d);
  if (Number(kept.charAt(kept.length - 1)) % 2 === 1) { return s; }
  return (x < 0 ? "-" : "") + kept;
}

function fmt(x, digits = 4) {
  if (Number.isNaN(x)) { return "NaN"; }
  if (!Number.isFinite(x)) { return x > 0 ? "\u221e" : "\u2212\u221e"; }
  let s = fix(x, digits);
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
  const span = '<span class="xent-readout" data-name="' + esc(name) + '" data-value="' + full(value) + '">' +
    fmt(value, digits) + "</span>";
  const text = span + (unit ? "&nbsp;" + esc(unit) : "");
  return label === undefined ? text : '<span class="xent-item">' + label + " = " + text + "</span>";
}

// ------------------------------------------------------------------ SVG strings

function num(x) {
  if (!Number.isFinite(x)) { x = 0; }
  let s = fix(x, 1);
  if (s === "-0.0") { s = "0.0"; }
  return s.slice(-2) === ".0" ? s.slice(0, -2) : s;
}

function svgOpen(w, h, label) {
  const lab = esc(label);
  return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + w + " " + h + '" width="100%" ' +
    'style="max-width:' + w + 'px;height:auto;display:block;font:12px sans-serif" role="img" aria-label="' +
    lab + '"><title>' + lab + "</title>";
}

function svgText(x, y, text, opts = {}) {
  return '<text x="' + num(x) + '" y="' + num(y) + '" text-anchor="' + (opts.anchor || "middle") +
    '" font-size="' + (opts.size || 12) + '" fill="' + (opts.color || "currentColor") + '"' +
    (opts.weight ? ' font-weight="' + opts.weight + '"' : "") +
    (opts.transform ? ' transform="' + opts.transform + '"' : "") + ">" + esc(text) + "</text>";
}

function svgRect(x, y, w, h, fill, opts = {}) {
  if (h < 0) { y += h; h = -h; }
  if (w < 0) { x += w; w = -w; }
  const head = '<rect x="' + num(x) + '" y="' + num(y) + '" width="' + num(w) + '" height="' + num(h) +
    '" fill="' + fill + '"' + (opts.stroke ? ' stroke="' + opts.stroke + '" stroke-width="2"' : "");
  return opts.title ? head + "><title>" + esc(opts.title) + "</title></rect>" : head + "/>";
}

function svgLine(x1, y1, x2, y2, opts = {}) {
  return '<line x1="' + num(x1) + '" y1="' + num(y1) + '" x2="' + num(x2) + '" y2="' + num(y2) +
    '" stroke="' + (opts.color || "currentColor") + '" stroke-width="' + (opts.width || 1) + '"' +
    (opts.opacity !== undefined ? ' stroke-opacity="' + opts.opacity + '"' : "") +
    (opts.dash ? ' stroke-dasharray="' + opts.dash + '"' : "") + "/>";
}

function svgPolyline(xs, ys, color, opts = {}) {
  const pts = xs.map((x, i) => num(x) + "," + num(ys[i])).join(" ");
  return '<polyline points="' + pts + '" fill="none" stroke="' + color + '" stroke-width="' + (opts.width || 2) +
    '"' + (opts.dash ? ' stroke-dasharray="' + opts.dash + '"' : "") + ' stroke-linejoin="round"' +
    (opts.opacity !== undefined && opts.opacity !== null ? ' stroke-opacity="' + opts.opacity + '"' : "") + "/>";
}

function svgCircle(x, y, r, fill) {
  return '<circle cx="' + num(x) + '" cy="' + num(y) + '" r="' + num(r) + '" fill="' + fill +
    '" stroke="currentColor" stroke-width="1.5"/>';
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x (an axis top). */
function niceMax(x) {
  if (!Number.isFinite(x) || x <= 0) { return 1; }
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) { if (m * p >= x * (1 - 1e-12)) { return m * p; } }
  return 10 * p;
}

function linspace(a, b, n) {
  const out = new Array(n), step = (b - a) / (n - 1);
  for (let i = 0; i < n; i++) { out[i] = i === n - 1 ? b : a + i * step; }
  return out;
}

/**
 * A line chart as SVG strings (the binary and focal explorers). box: [x0, x1, top, bottom] on screen;
 * series: [xs, ys, colour, dash, width, opacity] in data coordinates, clipped to ylim; markers:
 * [x, y, colour] (clipped to both ranges, so a value beyond the axes sits on its edge).
 */
function linePanel(box, xlim, ylim, series, xticks, yticks, xlabel, ylabel, markers, title, yfmt) {
  const [x0, x1, top, bottom] = box, out = [], tick = yfmt || g;
  const clip = (u, r) => Math.min(Math.max(u, r[0]), r[1]);
  const sx = (u) => x0 + (clip(u, xlim) - xlim[0]) / (xlim[1] - xlim[0]) * (x1 - x0);
  const sy = (u) => bottom - (clip(u, ylim) - ylim[0]) / (ylim[1] - ylim[0]) * (bottom - top);
  if (title) { out.push(svgText((x0 + x1) / 2, top - 12, title, { weight: "600" })); }
  yticks.forEach((t) => {
    out.push(svgLine(x0, sy(t), x1, sy(t), { opacity: t === 0 ? 0.6 : 0.2 }));
    out.push(svgText(x0 - 5, sy(t) + 4, tick(t), { anchor: "end", size: 10 }));
  });
  xticks.forEach((t) => {
    out.push(svgLine(sx(t), bottom, sx(t), bottom + 4, { opacity: 0.6 }));
    out.push(svgText(sx(t), bottom + 15, g(t), { size: 10 }));
  });
  out.push(svgLine(x0, top, x0, bottom, { opacity: 0.6 }));
  series.forEach((s) => out.push(svgPolyline(s[0].map(sx), s[1].map(sy), s[2], { dash: s[3], width: s[4], opacity: s[5] })));
  (markers || []).forEach((mk) => out.push(svgCircle(sx(mk[0]), sy(mk[1]), 5, mk[2])));
  out.push(svgText((x0 + x1) / 2, bottom + 31, xlabel, { size: 11 }));
  const mid = (top + bottom) / 2;
  out.push(svgText(x0 - 34, mid, ylabel, { size: 11, transform: "rotate(-90 " + num(x0 - 34) + " " + num(mid) + ")" }));
  return out;
}

// ------------------------------------------------------------------ controls

let uid = 0;

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => e.setAttribute(k, attrs[k]));
  if (text !== undefined) { e.textContent = text; }
  return e;
}

function round(x, step) { return Number((Math.round(x / step) * step).toFixed(10)); }

/**
 * A labelled <input type=range> plus a text box showing its value, in which a value can be typed
 * (snapped to the slider's grid and clamped to its range; text that is not a number restores the box).
 * o: {name, label, min, max, step, value (a position), show(position) -> text, parse(number) -> position}.
 * Both carry data-lm-suppress-shortcuts, so that JupyterLab's command-mode shortcuts leave their keys alone.
 */
function slider(parent, o) {
  const id = "xent-any-" + (++uid);
  const row = el("div", { "class": "xent-live-control" });
  row.appendChild(el("label", { "for": id }, o.label));
  const input = el("input", { type: "range", id, min: o.min, max: o.max, step: o.step, value: o.value,
                              "data-control": o.name, "data-lm-suppress-shortcuts": "true" });
  const box = el("input", { type: "text", inputmode: "decimal", "class": "xent-live-value", "data-typed": o.name,
                            "aria-label": o.label + ": type a value", size: "6", spellcheck: "false",
                            "data-lm-suppress-shortcuts": "true" });
  input.xentShow = function () {
    const text = o.show(Number(input.value));
    box.value = text;
    input.setAttribute("aria-valuetext", o.label + " " + text);
  };
  box.addEventListener("change", (ev) => {
    ev.stopPropagation();
    const raw = String(box.value).trim(), x = Number(raw.replace("\u2212", "-"));
    if (raw === "" || !Number.isFinite(x)) { input.xentShow(); return; }
    let pos = o.parse ? o.parse(x) : x;
    if (!Number.isFinite(pos)) { input.xentShow(); return; }
    const lo = Number(o.min), hi = Number(o.max);
    pos = Math.min(hi, Math.max(lo, lo + round(pos - lo, Number(o.step))));
    input.value = String(Number(pos.toFixed(10)));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  box.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { box.blur(); } });
  input.xentShow();
  row.appendChild(input);
  row.appendChild(box);
  parent.appendChild(row);
  return input;
}

/**
 * A log-scale slider on an exponent grid of step 0.01 (10^-1.30, 10^-1.29, ...). Until
 * it is moved it holds its value exactly (0.05 stays 0.05, not 10^-1.3): xentExact; set(v) puts an
 * exact value (from the model) back.
 */
function logSlider(parent, name, label, range, v0) {
  const eLo = Math.floor(Math.log10(Math.min(range[0], v0)) / 0.01 + 1e-6) * 0.01;
  const eHi = Math.ceil(Math.log10(Math.max(range[1], v0)) / 0.01 - 1e-6) * 0.01;
  let input = null;
  input = slider(parent, { label, name, min: round(eLo, 0.01), max: round(eHi, 0.01), step: 0.01,
    value: round(Math.log10(v0), 0.01),
    show: (e) => sig3(input && input.xentExact !== null ? input.xentExact : Math.pow(10, e)),
    parse: (x) => (x > 0 ? Math.log10(x) : NaN) });
  input.xentExact = v0;
  input.xentShow();
  input.xentMoved = () => { input.xentExact = null; };
  input.xentSet = (v) => {
    input.xentExact = v;
    input.value = String(round(Math.log10(v), 0.01));
    input.xentShow();
  };
  input.xentValue = () => (input.xentExact !== null ? input.xentExact : Math.pow(10, Number(input.value)));
  return input;
}

/**
 * A linear slider that holds a value set from Python exactly (2.05 stays 2.05 on a grid of 0.1)
 * until the reader moves it; the box shows it with o.digits decimals.
 */
function exactSlider(parent, o) {
  let input = null;
  input = slider(parent, Object.assign({}, o, {
    show: (x) => fmt(input && input.xentExact !== null ? input.xentExact : x, o.digits) }));
  input.xentExact = o.value;
  input.xentMoved = () => { input.xentExact = null; };
  input.xentSet = (v) => {
    input.xentExact = v;
    input.value = String(v);
    input.xentShow();
  };
  input.xentValue = () => (input.xentExact !== null ? input.xentExact : Number(input.value));
  input.xentShow();
  return input;
}

function select(parent, name, label, options, value) {
  const row = el("div", { "class": "xent-live-control" }), sid = "xent-any-" + (++uid);
  row.appendChild(el("label", { "for": sid }, label));
  const sel = el("select", { id: sid, "data-control": name, "data-lm-suppress-shortcuts": "true" });
  options.forEach((op) => sel.appendChild(el("option", { value: String(op[0]) }, op[1])));
  sel.value = String(value);
  row.appendChild(sel);
  parent.appendChild(row);
  return sel;
}

/** The measurement hook the browser tests and benchmarks/explorer_latency.py switch on. */
function api() {
  if (!window.xentExplorers) { window.xentExplorers = { measure: false, timings: [] }; }
  return window.xentExplorers;
}

/**
 * Mount one explorer on a widget model.
 * spec: {kind, title, build(controls, model) -> inputs, compute() -> v, render(v) -> html, status(v) -> text,
 *        save(model) (the controls into the model's traits), load(model) (the traits into the controls),
 *        rebuild(model) -> true when a trait change needs new controls (another number of classes)}.
 * A reader's input redraws at once (no kernel round trip), then is saved to the model (and so to the
 * Python object in JupyterLab); a trait set from Python moves the controls and redraws.
 */
function mount(model, el0, makeSpec) {
  let spec = null, saving = false, initial = null;
  api();  // the measurement hook exists as soon as an explorer is on the page
  el0.textContent = "";
  const root = el("div", { "class": "xent-live xent-live-ready xent-anywidget" });
  el0.appendChild(root);

  function build() {
    spec = makeSpec(model);
    root.textContent = "";
    root.setAttribute("data-xent-explorer", spec.kind);
    const fig = el("figure", { "class": "xent-live-figure" });
    fig.appendChild(el("figcaption", { "class": "xent-live-title" }, spec.title));
    const controls = el("div", { "class": "xent-live-controls" });
    const view = el("div", { "class": "xent-explorer xent-" + spec.kind });
    const status = el("p", { "class": "xent-live-status", "aria-live": "polite" });
    fig.appendChild(controls);
    fig.appendChild(view);
    fig.appendChild(status);
    root.appendChild(fig);
    const inputs = spec.build(controls, model);
    if (initial === null) { initial = spec.snapshot(model); }
    const redraw = () => {
      let v;
      try {
        v = spec.compute();
      } catch (err) {
        view.innerHTML = '<p class="xent-error">Cannot draw this state: ' + esc(err.message) + "</p>";
        return;
      }
      view.innerHTML = spec.render(v);
      status.textContent = spec.status(v);
    };
    const reset = el("button", { type: "button", "class": "xent-live-reset" }, "Reset");
    reset.addEventListener("click", (ev) => {
      spec.restore(initial, model);
      inputs.forEach((inp) => { if (inp.xentShow) { inp.xentShow(); } });
      update(ev);
    });
    controls.appendChild(reset);
    function update(ev) {
      if (ev.type === "input" && ev.target.xentMoved) { ev.target.xentMoved(); }
      if (ev.target.xentShow) { ev.target.xentShow(); }
      redraw();
      const a = api();
      if (a.measure) {  // input event to updated DOM, and with the layout done
        const dom = performance.now() - ev.timeStamp;
        void root.getBoundingClientRect().height;
        a.timings.push({ kind: spec.kind, ms: dom, layoutMs: performance.now() - ev.timeStamp });
      }
      saving = true;
      try { spec.save(model); model.save_changes(); } finally { saving = false; }
    }
    controls.addEventListener("input", update);
    controls.addEventListener("change", (ev) => { if (ev.target.tagName === "SELECT") { update(ev); } });
    spec.redraw = redraw;
    redraw();
  }

  function onModel() {
    if (saving) { return; }
    if (spec.rebuild(model)) { build(); return; }
    spec.load(model);
    spec.redraw();
  }
  build();
  const names = spec.traits;
  names.forEach((n) => model.on("change:" + n, onModel));
  return () => names.forEach((n) => model.off("change:" + n, onModel));
}
