/*
 * xent-code.js - code that fits the column: long lines wrap with a hanging indent.
 *
 * At 1280 px the text column holds about 80 characters of code, on a phone about
 * 40, and the chapters' code lines run to 110. A wrapped line that restarts at
 * column 0 reads as a new, dedented Python line, so each line of a code block is
 * put in its own block (<span class="xent-line">) whose continuation lines are
 * indented 4 characters past the line's own indentation (padding-left with a
 * negative text-indent, in `ch` of the monospace font). Printed output (tables of
 * numbers) wraps the same way, with a 2-character hang.
 *
 * Copying is unchanged: each line's newline stays in the text, in a
 * <span class="xent-nl"> that is not displayed, so the copy button (which reads
 * the text of a detached clone, i.e. its textContent) copies the code as written.
 * Syntax highlighting is kept: Pygments' spans are flat, and a span that holds a
 * newline (a multi-line string) is split into one span per line with the same class.
 *
 * Applies to screen and print alike (print.css wraps too). Checked by
 * tests/browser/test_rendered_book.py (code fits at 1280 and 390 px; text unchanged).
 */
(function () {
  "use strict";

  var HANG_CODE = 4, HANG_OUTPUT = 2; // characters of hanging indent past the line's own indentation

  function lineBlock() {
    var s = document.createElement("span");
    s.className = "xent-line";
    return s;
  }

  function finish(line, lines, hang) {
    var text = line.textContent;
    var indent = text.match(/^ */)[0].length + hang;
    line.style.paddingLeft = indent + "ch";
    line.style.textIndent = -indent + "ch";
    if (text.length === 0) { line.classList.add("xent-blank"); }
    lines.push(line);
  }

  function wrapPre(pre, hang) {
    if (pre.dataset.xentWrapped) { return; }
    var original = pre.textContent;
    var lines = [], line = lineBlock();
    var nodes = Array.prototype.slice.call(pre.childNodes);
    nodes.forEach(function (node) {
      var parts = node.textContent.split("\n");
      parts.forEach(function (part, i) {
        if (i > 0) {
          var nl = document.createElement("span");
          nl.className = "xent-nl";
          nl.textContent = "\n";
          line.appendChild(nl);
          finish(line, lines, hang);
          line = lineBlock();
        }
        if (part.length === 0) { return; }
        if (node.nodeType === Node.ELEMENT_NODE) {
          var copy = node.cloneNode(false);
          copy.textContent = part;
          line.appendChild(copy);
        } else {
          line.appendChild(document.createTextNode(part));
        }
      });
    });
    if (line.childNodes.length) { finish(line, lines, hang); }
    var frag = document.createDocumentFragment();
    lines.forEach(function (l) { frag.appendChild(l); });
    pre.textContent = "";
    pre.appendChild(frag);
    if (pre.textContent !== original) { // never change what a reader copies
      pre.textContent = original;
      return;
    }
    pre.dataset.xentWrapped = "1";
    pre.classList.add("xent-wrapped");
  }

  function run() {
    var pres = document.querySelectorAll("div.cell_input pre, div.cell_output pre, div.highlight pre");
    Array.prototype.forEach.call(pres, function (pre) {
      wrapPre(pre, pre.closest("div.cell_output") ? HANG_OUTPUT : HANG_CODE);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
