"""Test-session plumbing shared by every test folder."""

import os

from hypothesis import settings

# Property tests: no per-example deadline (the machine is shared and small).
# Under CI the examples are derandomized, so that a submission's run is
# reproducible; locally every run explores new examples.
settings.register_profile("xent", max_examples=60, deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("xent")
