"""Test-session plumbing shared by every test folder."""

import os

import pytest
from hypothesis import settings

# Property tests: no per-example deadline (the machine is shared and small).
# Under CI the examples are derandomized, so that a submission's run is
# reproducible; locally every run explores new examples.
settings.register_profile("xent", max_examples=60, deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("xent")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    Playwright's sync API keeps an asyncio event loop running in the main thread
    for as long as its (session-scoped) fixture lives. Code that asks "is an
    event loop running?" (the explorers' drag throttle) would then behave as in a
    kernel for every test that follows. Running the browser tests after all the
    others keeps the unit tests and nbval independent of them.
    """
    items.sort(key=lambda item: "/tests/browser/" in str(item.fspath).replace("\\", "/"))
