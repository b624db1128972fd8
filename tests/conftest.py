"""Test-session plumbing shared by every test folder."""

import os

from hypothesis import settings

# Property tests: no per-example deadline (the machine is shared and small).
# Under CI the examples are derandomized, so that a submission's run is
# reproducible; locally every run explores new examples.
settings.register_profile("xent", max_examples=60, deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("xent")


def pytest_report_header(config):
    """Say which CPU kernels run (nbval's kernels inherit this environment)."""
    try:
        import torch

        capability = torch.backends.cpu.get_cpu_capability()
    except ImportError:  # pragma: no cover
        capability = "torch not installed"
    env = ", ".join(f"{k}={os.environ[k]}" for k in ("ATEN_CPU_CAPABILITY", "MKL_CBWR") if k in os.environ)
    return f"CPU kernels: torch {capability}" + (f" ({env})" if env else "")
