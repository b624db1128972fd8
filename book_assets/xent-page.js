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
