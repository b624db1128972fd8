"""environment.yml (conda) and pyproject.toml (pip) must name the same packages and versions."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return reqs


def _environment_requirements():
    """The pip section of environment.yml (a tiny parser: no YAML dependency needed)."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    reqs, in_pip = [], False
    for line in lines:
        stripped = line.split("#", 1)[0].rstrip()
        if re.match(r"^\s+- pip:\s*$", stripped):
            in_pip = True
            continue
        if in_pip:
            m = re.match(r"^\s{4,}- (.+)$", stripped)
            if m:
                if not m.group(1).startswith("-"):
                    reqs.append(m.group(1).strip())
            elif stripped.strip():
                in_pip = False
    return reqs


def _parse(req):
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==\s*([A-Za-z0-9_.+\-]+)", req.strip())
    assert m, f"{req!r} is not an exact pin (name==version)"
    return m.group(1).lower().replace("_", "-"), m.group(2)


def test_every_requirement_is_an_exact_pin():
    for req in _pyproject_requirements() + _environment_requirements():
        _parse(req)


def test_environment_yml_and_pyproject_name_the_same_packages_and_versions():
    pip = dict(map(_parse, _pyproject_requirements()))
    conda = dict(map(_parse, _environment_requirements()))
    assert conda == pip, (
        f"only in pyproject: {sorted(set(pip.items()) - set(conda.items()))}; "
        f"only in environment.yml: {sorted(set(conda.items()) - set(pip.items()))}"
    )


def test_torch_is_pinned_exactly_to_the_local_cpu_wheel():
    pins = dict(map(_parse, _pyproject_requirements()))
    assert pins["torch"] == "2.13.0"


def test_environment_yml_uses_python_311():
    assert re.search(r"^\s+- python=3\.11\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, re.M)
    assert "make test" in commands, "README must give `make test` as the test command"
    ci_lines = [l.strip() for l in (ROOT / ".ci/run").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert ci_lines[-1] == "make test"
