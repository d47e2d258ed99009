"""The lock files pin what pyproject.toml asks for (scripts/lock.sh writes them)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def _pins(name: str) -> dict[str, Version]:
    pins = {}
    for line in (REPO / "requirements" / name).read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = Version(m.group(2))
    return pins


def _wanted(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(r) for r in reqs]


@pytest.mark.parametrize(("lock", "extra"), [("lock.txt", None), ("dev-lock.txt", "dev")])
def test_lock_pins_every_dependency_within_its_range(lock: str, extra: str | None) -> None:
    pins = _pins(lock)
    problems = []
    for req in _wanted(extra):
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in {lock}")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req.specifier}")
    assert problems == [], "run: bash scripts/lock.sh"


@pytest.mark.parametrize("lock", ["lock.txt", "dev-lock.txt"])
def test_lock_keeps_the_cpu_torch(lock: str) -> None:
    pins = _pins(lock)
    assert pins["torch"] == Version("2.13.0")
    assert not [name for name in pins if name.startswith("nvidia-")]  # no CUDA build


def test_html_clean_is_a_direct_dependency() -> None:
    """justext asks for lxml[html_clean]; pip 23 does not match lxml 6's html-clean extra."""
    assert "lxml-html-clean" in {canonicalize_name(r.name) for r in _wanted()}
    assert "lxml-html-clean" in _pins("lock.txt")
