"""environment.yml (conda users) must ask for the same packages, with the same lower bounds, as pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(?:>=\s*([0-9][0-9A-Za-z.]*))?\s*$")


def _parse(requirement: str) -> tuple[str, str | None]:
    match = _REQ.match(requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    return match.group(1).lower().replace("_", "-"), match.group(2)


def _pyproject_requirements() -> dict[str, str | None]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return dict(_parse(r) for r in reqs)


def _conda_requirements() -> dict[str, str | None]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    # packages that conda-forge does not carry are installed by pip (the pip section), "-e ." aside
    specs += [d for section in env["dependencies"] if isinstance(section, dict)
              for d in section.get("pip", []) if not d.startswith("-e")]
    found = dict(_parse(s) for s in specs)
    found.pop("pip", None)
    found.pop("python", None)
    return found


def test_parse_requirement():
    assert _parse("psycopg[binary]>=3.1") == ("psycopg", "3.1")
    assert _parse("scikit-learn>=1.4") == ("scikit-learn", "1.4")
    assert _parse("pip") == ("pip", None)


def test_environment_yml_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_environment_yml_installs_the_package_and_python_version():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert python == "python" + requires
