"""The environment the book is checked in is the lock file's, and the package asks users for ranges.

Two layers (issue 17):

* ``[project].dependencies`` in pyproject.toml are what ``pip install xent-book`` asks of a
  user's environment: ranges from the version the book is tested with up to the next major
  release, except ``torch``, pinned exactly (a range lets pip pull a CUDA build of several GB).
* ``requirements/book.lock`` is the book's whole tree (Sphinx, myst-nb, docutils, JupyterLab ...)
  with sha256 hashes; ``make`` installs it in hash-checking mode (PyTorch first, then the lock,
  then this project with ``--no-deps``), and the stored notebook outputs are checked in it.

These tests compare the configuration with what is installed and with the files that must agree
with it, so each can fail.
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import xent_book

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK_PATH = ROOT / "requirements" / "book.lock"
# Installed before the lock (README: the CPU build), and the project itself (--no-deps -e .).
NOT_LOCKED = {"torch", "xent-book", "pip"}


def _lock() -> dict[str, tuple[str, list[str], str]]:
    """``{canonical name: (version, [sha256 hashes], marker)}`` from the lock file."""
    out, current = {}, None
    for line in LOCK_PATH.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-!]+)\s*(?:;\s*([^\\]*?))?\s*\\?\s*$", line)
        if m:
            current = canonicalize_name(m.group(1))
            assert current not in out, f"{current} is locked twice"
            out[current] = (m.group(2), [], m.group(3) or "")
        out[current][1].extend(re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
    return out


LOCK = _lock()


def _runtime():
    return [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]


def _dev():
    return [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]


def test_lock_pins_every_package_with_hashes_and_leaves_out_torch():
    assert len(LOCK) > 100, "the lock holds the book's whole tree"
    for name, (version, hashes, _) in LOCK.items():
        assert hashes, f"{name}=={version} has no --hash (make installs the lock in hash-checking mode)"
    assert not NOT_LOCKED & set(LOCK), "torch and the project itself are installed outside the lock"
    assert not [n for n in LOCK if n.startswith(("nvidia-", "triton"))], "no CUDA packages in the lock"


# Entries with a marker for another platform (appnope on macOS, pywinpty on Windows) are not installed here.
HERE = sorted(n for n, (_, _, marker) in LOCK.items() if not marker or Marker(marker).evaluate())


def test_only_platform_specific_entries_are_left_out_here():
    elsewhere = sorted(set(LOCK) - set(HERE))
    assert all(LOCK[n][2] for n in elsewhere) and len(elsewhere) < 10, elsewhere


@pytest.mark.parametrize("name", HERE)
def test_installed_environment_is_the_lock(name):
    version = LOCK[name][0]
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover - the failure message says it
        pytest.fail(f"{name}=={version} is locked but not installed (make installs requirements/book.lock)")
    assert installed == version, f"{name}: the lock says {version}, installed {installed}"


def test_nothing_is_installed_that_the_lock_does_not_hold():
    extra = sorted(
        canonicalize_name(d.metadata["Name"])
        for d in metadata.distributions()
        if canonicalize_name(d.metadata["Name"]) not in LOCK
        and canonicalize_name(d.metadata["Name"]) not in NOT_LOCKED | {"setuptools", "wheel"}
    )
    assert not extra, f"installed but not locked: {extra} (regenerate the lock: make lock)"


@pytest.mark.parametrize("req", [str(r) for r in _runtime() + _dev()])
def test_every_pyproject_requirement_admits_its_locked_version(req):
    r = Requirement(req)
    name = canonicalize_name(r.name)
    if name == "torch":
        version = metadata.version("torch").split("+")[0]
    else:
        assert name in LOCK, f"{r.name} is required but not locked (make lock)"
        version = LOCK[name][0]
    assert r.specifier.contains(Version(version), prereleases=True), f"{req} excludes the locked {version}"


@pytest.mark.parametrize("req", [str(r) for r in _runtime()])
def test_runtime_dependencies_are_ranges_from_the_tested_version(req):
    r = Requirement(req)
    specs = {s.operator: s.version for s in r.specifier}
    if canonicalize_name(r.name) == "torch":
        assert set(specs) == {"=="}, "torch stays an exact pin: a range lets pip choose a CUDA build"
        return
    assert set(specs) == {">=", "<"}, f"{req}: a range >=tested,<next major"
    assert specs[">="] == LOCK[canonicalize_name(r.name)][0], f"{req}: the lower bound is the tested version"
    assert Version(specs["<"]) > Version(specs[">="])


@pytest.mark.parametrize("req", [str(r) for r in _dev()])
def test_dev_tools_are_exact_pins(req):
    specs = [s.operator for s in Requirement(req).specifier]
    assert specs == ["=="], f"{req}: the book's tools are pinned exactly (and locked)"


def test_make_installs_torch_then_the_lock_with_hashes_then_the_project_without_deps():
    make = (ROOT / "Makefile").read_text()
    recipe = make.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "requirements/book.lock" in recipe.splitlines()[0], (
        "the stamp is out of date when the lock changes"
    )
    steps = [line.strip() for line in recipe.splitlines()[1:]]
    torch_step = next(i for i, s in enumerate(steps) if "torch==" in s)
    lock_step = next(i for i, s in enumerate(steps) if "--require-hashes -r requirements/book.lock" in s)
    project_step = next(i for i, s in enumerate(steps) if "--no-deps -e ." in s)
    assert torch_step < lock_step < project_step
    pinned = re.search(r"torch==([0-9.]+)", steps[torch_step]).group(1)
    assert f"torch=={pinned}" in PYPROJECT["project"]["dependencies"]


def test_environment_yml_gives_make_s_three_install_steps_and_pins_nothing_itself():
    text = (ROOT / "environment.yml").read_text()
    comments = [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]
    for step in (
        "pip install torch==2.13.0",
        "pip install --require-hashes -r requirements/book.lock",
        "pip install --no-deps -e .",
    ):
        assert any(c.startswith(step) for c in comments), f"environment.yml must say: {step}"
    body = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    assert not [line for line in body if "==" in line], "versions belong in pyproject.toml and the lock"


def test_version_is_one_number_in_package_book_and_changelog():
    version = PYPROJECT["project"]["version"]
    assert xent_book.__version__ == version
    config = (ROOT / "_config.yml").read_text()
    m = re.search(r'^\s+version:\s*"([^"]+)"', config, re.M)
    assert m and m.group(1) == version, "_config.yml myst_substitutions.version must equal pyproject's"
    assert "{{ version }}" in (ROOT / "intro.md").read_text(), "the front page shows the version"
    assert re.search(rf"^## {re.escape(version)}\b", (ROOT / "CHANGELOG.md").read_text(), re.M)


def test_license_file_is_the_license_pyproject_declares():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, re.M)
    assert "make test" in commands, "README must give `make test` as the test command"
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci/run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ci_lines[-1] == "make test"


def test_make_lab_keeps_the_token_off_the_command_line_and_listens_on_loopback():
    """`ps` shows every local user a command line; the token goes through JUPYTER_TOKEN."""
    lab = (ROOT / "scripts/lab.sh").read_text()
    code = "\n".join(line for line in lab.splitlines() if not line.lstrip().startswith("#"))
    assert "--ip=127.0.0.1" in code
    assert "token=" not in code.split("exec ")[-1], "the exec line must not carry the token"
    assert "IdentityProvider.token" not in code and "ServerApp.token" not in code
    assert 'export JUPYTER_TOKEN="$TOKEN"' in code
    assert "disable_check_xsrf" not in code and "token=''" not in code and 'token=""' not in code


def test_make_test_runs_nbval_under_portable_kernels_and_the_held_out_claims():
    """Issue 15: nbval a second time as on another CPU, then every chapter on held-out seeds."""
    make = (ROOT / "Makefile").read_text()
    recipe = make.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(PORTABLE) $(BIN)/python -m pytest $(NBVAL) notebooks" in recipe
    assert "PORTABLE := ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE" in make
    assert "scripts/check_claims.py" in recipe
