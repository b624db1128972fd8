"""A missing tool or build output: a skip on a developer's machine, a failure under CI.

The browser and PDF tests need Chromium, poppler and the built book. Locally
they skip with a message naming the command that provides them; under CI (the
``CI`` environment variable set, as ``.ci/run`` does) nothing may skip, so the
same message fails the test instead.
"""

import os

import pytest


def skip_or_fail(reason: str):
    """Skip the test with ``reason``, or fail it under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"under CI nothing may skip: {reason}", pytrace=False)
    pytest.skip(reason)
