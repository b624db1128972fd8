"""The environment the book is checked in is the one pyproject.toml pins.

The pins live in pyproject.toml alone; environment.yml (conda) installs this
project with them. These tests compare the configuration with what is actually
installed and with the files that must agree with it, so each can fail.
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import xent_book

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirements():
    project = PYPROJECT["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return reqs


def _parse(req):
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==\s*([A-Za-z0-9_.+\-]+)", req.strip())
    assert m, f"{req!r} is not an exact pin (name==version): the stored notebook outputs need exact versions"
    return m.group(1), m.group(2)


@pytest.mark.parametrize("req", _requirements())
def test_every_requirement_is_an_exact_pin_and_is_what_is_installed(req):
    name, version = _parse(req)
    installed = metadata.version(name)
    # A local build tag (torch's "+cpu") is the same release.
    assert installed.split("+")[0] == version, f"{name}: pyproject pins {version}, installed {installed}"


def test_environment_yml_installs_this_project_and_pins_nothing_itself():
    text = (ROOT / "environment.yml").read_text()
    body = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    assert "- --editable .[dev]" in body, "environment.yml must install the project with its [dev] pins"
    assert not [line for line in body if "==" in line], "pins belong in pyproject.toml alone"


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
