"""The two ways to install the course list the same packages, with the same ranges."""

import re
import tomllib

import yaml

from tools.paths import ROOT

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*([^;]*?)\s*(?:;.*)?$")
# pip takes TensorFlow without CUDA on Linux x86-64; conda-forge's tensorflow is that already.
SAME_PACKAGE = {"tensorflow-cpu": "tensorflow"}


def _parse(requirement: str) -> tuple[str, str]:
    name, spec = REQUIREMENT.match(requirement).groups()
    name = name.lower().replace("_", "-")
    return SAME_PACKAGE.get(name, name), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return dict(_parse(r) for r in project["dependencies"])


def environment_requirements() -> dict[str, str]:
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    found = {}
    for entry in dependencies:
        if isinstance(entry, dict):  # the pip: section
            found |= dict(_parse(r) for r in entry["pip"] if not r.startswith("-e"))
        else:
            found |= dict([_parse(entry)])
    found.pop("pip")
    found.pop("python")
    return found


def test_environment_yml_matches_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_environment_yml_pins_python_311():
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert "python=3.11" in dependencies


def test_every_environment_dependency_has_a_comment():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:")
    listed = [line for line in lines[start:] if re.match(r"^\s+- [a-z]", line)]
    listed = [line for line in listed if line.strip() not in ("- python=3.11", "- pip", "- pip:")]
    assert listed, "no dependencies found"
    assert [line for line in listed if "#" not in line] == []
