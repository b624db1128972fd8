"""Where the browser is and how it is launched: one place for the PDF build and the browser tests.

Debian's Chromium (``scripts/ensure_chromium.sh`` installs it), driven by Playwright;
``playwright install`` does not work on these machines.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
