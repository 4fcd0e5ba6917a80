"""The layout's one rule of direction: shared parts never import a topic package.

Every module of lib/crmbook outside the topic packages is parsed (not imported) and each ``import`` and
``from ... import`` of it, at any depth (inside functions too), is checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

from crmbook.topics import TOPICS

LIB = Path(__file__).resolve().parents[1] / "lib" / "crmbook"
TOPIC_PACKAGES = {spec.package for spec in TOPICS}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _is_topic(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in TOPIC_PACKAGES)


def test_every_registered_topic_package_exists():
    assert {"crmbook.data_check", "crmbook.segmentation", "crmbook.satisfaction", "crmbook.lifecycle",
            "crmbook.costing", "crmbook.roi"} <= TOPIC_PACKAGES
    for package in TOPIC_PACKAGES:
        assert (LIB / package.split(".", 1)[1] / "__init__.py").is_file(), package


def test_shared_modules_import_no_topic():
    shared = [p for p in LIB.rglob("*.py")
              if not _is_topic("crmbook." + ".".join(p.relative_to(LIB).with_suffix("").parts))]
    assert len(shared) > 30  # the data, sample and report packages and the shared modules
    offenders = {str(p.relative_to(LIB)): sorted(n for n in _imports(p) if _is_topic(n)) for p in shared}
    assert not {k: v for k, v in offenders.items() if v}


def test_the_check_sees_a_topic_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from crmbook.segmentation import rfm\n    import crmbook.data_check\n")
    assert sorted(n for n in _imports(bad) if _is_topic(n)) == [
        "crmbook.data_check", "crmbook.segmentation", "crmbook.segmentation.rfm"]
