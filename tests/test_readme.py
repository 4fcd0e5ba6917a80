"""The README's two commands are where .ci/run and users look for them."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _command_after(marker: str) -> str:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    at = lines.index(marker)
    assert lines[at + 1].startswith("```"), f"a code block must follow {marker}"
    return lines[at + 2]


def test_readme_has_the_main_and_the_test_command():
    main = _command_after("<!-- main-command -->")
    test = _command_after("<!-- test-command -->")
    assert "pip install -e ." in main and "crmbook run --data sample" in main
    assert 'pip install -e ".[test]"' in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    awk = next(line for line in script.splitlines() if line.startswith("test_command=$(awk"))
    found = subprocess.run(["bash", "-c", awk + '; printf %s "$test_command"'], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert found == _command_after("<!-- test-command -->")
