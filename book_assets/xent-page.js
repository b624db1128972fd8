/*
 * xent-page.js - the page chrome, fixed where the theme's defaults misbehave offline.
 *
 * Search from file://: Sphinx's search page fetches every hit's page to show a
 * summary under it. A page opened from file:// may not fetch other files (Chromium
 * blocks it as a cross-origin request: one console error per hit). There the hits
 * are listed without summaries; served over http(s) they keep them.
 * Checked by tests/browser/test_rendered_book.py (test_search_from_file_logs_no_errors).
 */
(function () {
  "use strict";
  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS === "object") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }
})();

/*
 * Display equations fit the column. MathJax 3 does not break lines, so on a narrow
 * screen (a phone's 390 px) a long display equation would run past the column. Each
 * one that is too wide is set in a smaller font, down to FLOOR of its size; one that
 * still does not fit scrolls sideways inside its own box (.xent-math-scroll), never
 * the page. Re-fitted when the width changes (rotation, print).
 * Checked by tests/browser/test_rendered_book.py (test_math_fits_a_phone).
 */
(function () {
  "use strict";
  var FLOOR = 0.6;
  function fit() {
    var boxes = document.querySelectorAll('mjx-container[display="true"]');
    Array.prototype.forEach.call(boxes, function (m) { m.style.fontSize = ""; m.classList.remove("xent-math-scroll"); });
    // Inline math cannot break either: one that runs past the right edge of its
    // paragraph (or list item, table cell) starts a line of its own and, if still
    // too wide, scrolls inside its own box.
    var inline = document.querySelectorAll("mjx-container:not([display])");
    Array.prototype.forEach.call(inline, function (m) { m.classList.remove("xent-math-inline-scroll"); });
    Array.prototype.forEach.call(inline, function (m) {
      var block = m.parentElement;
      while (block && getComputedStyle(block).display.indexOf("inline") === 0) { block = block.parentElement; }
      if (!block) { return; }
      var edge = block.getBoundingClientRect().right - parseFloat(getComputedStyle(block).paddingRight || "0");
      if (m.getBoundingClientRect().right > edge + 1) { m.classList.add("xent-math-inline-scroll"); }
    });
    Array.prototype.forEach.call(boxes, function (m) {
      var need = m.scrollWidth, have = m.clientWidth;
      if (!have || need - have <= 1) { return; }
      var ratio = have / need;
      if (ratio >= FLOOR) {
        m.style.fontSize = (Math.floor(ratio * 98) ) + "%";
      } else {
        m.style.fontSize = Math.round(FLOOR * 100) + "%";
        m.classList.add("xent-math-scroll");
      }
    });
    document.documentElement.dataset.xentMathFitted = String(boxes.length + inline.length);
  }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(fit, 100); }
  function start() {
    var M = window.MathJax;
    if (M && M.startup && M.startup.promise) { M.startup.promise.then(fit); } else { fit(); }
    window.addEventListener("resize", later);
    window.addEventListener("beforeprint", fit);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
