/*
 * xent-exercises.js - self-checking exercises in the static page (no kernel, no requests out).
 *
 * Every element
 *
 *   <div class="xent-check" data-xent-check="LABEL"></div>
 *
 * becomes an answer box (a number, a choice, or the value of the reader's function at
 * one test input) with a Check button and an aria-live verdict: "Correct." or
 * "Not yet." with the exercise's hint. The answers are not typed anywhere: at build
 * time scripts/export_exercises.py runs the reference solutions of
 * xent_book/exercises/chNN.py and writes _static/exercises/xent-exercises-data.js
 * (window.XENT_EXERCISES), which this script loads with a <script> tag, so that
 * it works from file:// too. In JupyterLab the same exercise is checked with
 * xb.exercises.check(LABEL, answer), which also runs a function on every test case.
 *
 * Numbers may be typed as 0.693, 6.9e-1, -1/3, log(2), 2^-3, sqrt(2)/2, inf; several
 * numbers separated by commas (1.5, 2). A typed number x matches the answer s when
 * |x - s| <= atol + rtol |s| (numpy.isclose), with the exported tolerances.
 * Tested in tests/browser/test_exercises_page.py. On a page without .xent-check
 * this script does nothing.
 */
(function () {
  "use strict";

  var DATA_PATH = "_static/exercises/xent-exercises-data.js";

  // ------------------------------------------------------------------ parsing typed numbers

  var FUNCS = {
    log: Math.log, ln: Math.log, log2: Math.log2, log10: Math.log10, exp: Math.exp,
    sqrt: Math.sqrt, abs: Math.abs
  };
  var CONSTS = { pi: Math.PI, e: Math.E, inf: Infinity, infinity: Infinity, nan: NaN };

  /** Tokens of one expression: numbers, names, operators and parentheses. */
  function tokenize(text) {
    var s = text.replace(/[\u2212\u2013]/g, "-").replace(/\u00d7|\u22c5|\u00b7/g, "*")
      .replace(/\u00f7/g, "/").replace(/\u03c0/g, "pi").replace(/\u221e/g, "inf").replace(/\*\*/g, "^");
    var re = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(\S))/g;
    var out = [], m;
    while ((m = re.exec(s)) !== null) {
      if (m[0].trim() === "") { break; }
      if (m[1] !== undefined) { out.push({ t: "num", v: parseFloat(m[1]) }); }
      else if (m[2] !== undefined) { out.push({ t: "name", v: m[2].toLowerCase() }); }
      else if ("+-*/^()".indexOf(m[3]) >= 0) { out.push({ t: m[3] }); }
      else { throw new Error("unexpected character '" + m[3] + "'"); }
    }
    return out;
  }

  /** Value of one arithmetic expression (recursive descent; ^ binds tightest, right to left). */
  function evaluate(text) {
    var toks = tokenize(text), i = 0;
    if (!toks.length) { throw new Error("empty"); }
    function peek() { return toks[i] ? toks[i].t : null; }
    function expr() {
      var v = term();
      while (peek() === "+" || peek() === "-") { var op = toks[i++].t, w = term(); v = op === "+" ? v + w : v - w; }
      return v;
    }
    function term() {
      var v = unary();
      while (peek() === "*" || peek() === "/") { var op = toks[i++].t, w = unary(); v = op === "*" ? v * w : v / w; }
      return v;
    }
    function unary() {
      if (peek() === "-") { i++; return -unary(); }
      if (peek() === "+") { i++; return unary(); }
      return power();
    }
    function power() {
      var base = atom();
      if (peek() === "^") { i++; return Math.pow(base, unary()); }
      return base;
    }
    function atom() {
      var tok = toks[i++];
      if (!tok) { throw new Error("incomplete"); }
      if (tok.t === "num") { return tok.v; }
      if (tok.t === "(") { var v = expr(); if (peek() !== ")") { throw new Error("missing )"); } i++; return v; }
      if (tok.t === "name") {
        if (Object.prototype.hasOwnProperty.call(FUNCS, tok.v) && peek() === "(") {
          i++; var arg = expr(); if (peek() !== ")") { throw new Error("missing )"); } i++;
          return FUNCS[tok.v](arg);
        }
        if (Object.prototype.hasOwnProperty.call(CONSTS, tok.v)) { return CONSTS[tok.v]; }
        throw new Error("unknown name '" + tok.v + "'");
      }
      throw new Error("unexpected '" + tok.t + "'");
    }
    var v = expr();
    if (i !== toks.length) { throw new Error("unexpected '" + toks[i].t + "'"); }
    return v;
  }

  /** The numbers typed in a box: one expression, or several separated by commas or semicolons. */
  function parseNumbers(text) {
    var s = String(text).trim().replace(/^\[|\]$/g, "").trim();
    if (!s) { throw new Error("empty"); }
    return s.split(/[,;]/).map(function (part) { return evaluate(part); });
  }

  function fromJson(v) {
    if (v === "inf") { return Infinity; }
    if (v === "-inf") { return -Infinity; }
    if (v === "nan") { return NaN; }
    return v;
  }

  /** numpy.isclose(got, want, rtol, atol, equal_nan=True) for one pair. */
  function isClose(got, want, rtol, atol) {
    if (isNaN(want) || isNaN(got)) { return isNaN(want) && isNaN(got); }
    if (!isFinite(want) || !isFinite(got)) { return got === want; }
    return Math.abs(got - want) <= atol + rtol * Math.abs(want);
  }

  function tolWords(rtol, atol) {
    var parts = [];
    if (atol) { parts.push("\u00b1 " + atol); }
    if (rtol) { parts.push("relative " + (rtol * 100).toPrecision(2).replace(/\.?0+$/, "") + "%"); }
    return parts.join(" or ");
  }

  // ------------------------------------------------------------------ the widget

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function idFor(label, part) {
    return "xent-check-" + label.replace(/[^A-Za-z0-9_-]/g, "_") + "-" + part;
  }

  function say(verdict, status, text) {
    verdict.setAttribute("data-xent-verdict", status);
    verdict.className = "xent-check-verdict xent-check-" + status;
    verdict.textContent = text;
  }

  /** A number box (number exercises and a function's page case). */
  function numberBox(root, ex, labelText, answer, shape, rtol, atol) {
    var want = (Array.isArray(answer) ? answer : [answer]).map(fromJson);
    var row = el("div", { "class": "xent-check-row" });
    var inputId = idFor(ex.label, "input");
    var label = el("label", { "for": inputId, "class": "xent-check-label" }, labelText);
    var input = el("input", {
      type: "text", id: inputId, "class": "xent-check-input", inputmode: "decimal",
      autocomplete: "off", spellcheck: "false", "data-xent-input": ex.label,
      "aria-describedby": idFor(ex.label, "tol")
    });
    var button = el("button", { type: "button", "class": "xent-check-button", "data-xent-button": ex.label }, "Check");
    var tol = el("span", { id: idFor(ex.label, "tol"), "class": "xent-check-tol" },
      (want.length > 1 ? want.length + " numbers, separated by commas; " : "") +
      (rtol || atol ? "Tolerance " + tolWords(rtol, atol) + "." : "The exact value is expected.") +
      " You may type 0.693, -1/3 or log(2).");
    var verdict = el("p", { "class": "xent-check-verdict", role: "status", "aria-live": "polite",
                            "data-xent-verdict": "" });
    row.appendChild(label); row.appendChild(input); row.appendChild(button);
    root.appendChild(row); root.appendChild(tol); root.appendChild(verdict);

    function check() {
      var text = input.value, got;
      try { got = parseNumbers(text); } catch (err) {
        say(verdict, "invalid", "Could not read \u201c" + text.trim() + "\u201d as a number (" + err.message +
            "). Type, for example, 0.693, 6.93e-1, -1/3 or log(2); use a point for decimals.");
        return;
      }
      if (want.length === 1 && /^\s*[-+]?\d+,\d+\s*$/.test(text)) {
        say(verdict, "invalid", "Use a decimal point, not a comma: type " + text.trim().replace(",", ".") + ".");
        return;
      }
      if (got.length !== want.length) {
        say(verdict, "invalid", "Type " + (want.length === 1 ? "one number" : want.length + " numbers, separated by commas") +
            "; you typed " + got.length + ".");
        return;
      }
      var bad = got.filter(function (g, i) { return !isFinite(g) && isFinite(want[i]); });
      if (bad.length) {
        say(verdict, "invalid", "\u201c" + text.trim() + "\u201d is not a finite number (it gives " + bad[0] +
            "): type a finite number, such as 0.693 or -1/3.");
        return;
      }
      var ok = got.every(function (g, i) { return isClose(g, want[i], rtol, atol); });
      if (ok) { say(verdict, "correct", "Correct."); }
      else { say(verdict, "not-yet", "Not yet. Hint: " + ex.hint); }
    }
    button.addEventListener("click", check);
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); check(); } });
  }

  function choiceBox(root, ex) {
    var name = idFor(ex.label, "choice");
    var fieldset = el("fieldset", { "class": "xent-check-options" });
    fieldset.appendChild(el("legend", { "class": "xent-check-label" }, "Your answer"));
    ex.options.forEach(function (option, i) {
      var id = name + "-" + i;
      var wrap = el("div", { "class": "xent-check-option" });
      var radio = el("input", { type: "radio", name: name, id: id, value: String(i), "data-xent-option": String(i) });
      wrap.appendChild(radio);
      wrap.appendChild(el("label", { "for": id }, String.fromCharCode(97 + i) + ") " + option));
      fieldset.appendChild(wrap);
    });
    var button = el("button", { type: "button", "class": "xent-check-button", "data-xent-button": ex.label }, "Check");
    var verdict = el("p", { "class": "xent-check-verdict", role: "status", "aria-live": "polite",
                            "data-xent-verdict": "" });
    root.appendChild(fieldset); root.appendChild(button); root.appendChild(verdict);
    function check() {
      var picked = fieldset.querySelector("input:checked");
      if (!picked) { say(verdict, "invalid", "Choose an option first."); return; }
      if (Number(picked.value) === ex.answer) { say(verdict, "correct", "Correct."); }
      else { say(verdict, "not-yet", "Not yet. Hint: " + ex.hint); }
    }
    button.addEventListener("click", check);
    fieldset.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); check(); } });
  }

  function render(root, ex) {
    root.textContent = "";
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "Check your answer to " + ex.label);
    var head = el("p", { "class": "xent-check-title" }, "Check your answer");
    root.appendChild(head);
    if (ex.kind === "number") {
      numberBox(root, ex, "Your answer", ex.answer, ex.shape, ex.rtol, ex.atol);
    } else if (ex.kind === "choice") {
      choiceBox(root, ex);
    } else if (ex.kind === "function") {
      var lab = "xb.exercises.check(\"" + ex.label + "\", your_function)";
      var note = el("p", { "class": "xent-check-note" });
      note.appendChild(document.createTextNode("In JupyterLab, "));
      note.appendChild(el("code", {}, lab));
      note.appendChild(document.createTextNode(" runs your function on all " + ex.cases +
        " test inputs, edge cases included." + (ex.call ? " Here, type the value it returns for one of them." : "")));
      root.appendChild(note);
      if (ex.call) {
        numberBox(root, ex, "Value of " + ex.call, ex.answer, ex.shape, ex.page_rtol, ex.page_atol);
      }
    } else {
      throw new Error("unknown exercise kind " + ex.kind);
    }
    root.setAttribute("data-xent-ready", ex.kind);
  }

  function fail(roots, why) {
    roots.forEach(function (root) {
      root.textContent = "";
      root.appendChild(el("p", { "class": "xent-check-note" },
        "The answer check is not available: " + why + ". Check it in JupyterLab with xb.exercises.check."));
      root.setAttribute("data-xent-ready", "error");
    });
    console.error("xent-exercises: " + why);
  }

  function start(roots) {
    var data = window.XENT_EXERCISES && window.XENT_EXERCISES.exercises;
    if (!data) { fail(roots, "the exported answers (" + DATA_PATH + ") did not load"); return; }
    roots.forEach(function (root) {
      var label = root.getAttribute("data-xent-check");
      var ex = data[label];
      if (!ex) { fail([root], "no exported answer for exercise '" + label + "'"); return; }
      try { render(root, ex); } catch (err) { fail([root], String(err)); }
    });
  }

  function init() {
    var roots = Array.prototype.slice.call(document.querySelectorAll(".xent-check[data-xent-check]"));
    if (!roots.length) { return; }
    if (window.XENT_EXERCISES) { start(roots); return; }
    var base = document.documentElement.dataset.content_root || "./";
    var script = document.createElement("script");
    script.src = base + DATA_PATH;
    script.onload = function () { start(roots); };
    script.onerror = function () { fail(roots, "could not load " + script.src); };
    document.head.appendChild(script);
  }

  // For tests and for the console: the parser and the comparison.
  window.xentExercises = { parseNumbers: parseNumbers, isClose: isClose };

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
