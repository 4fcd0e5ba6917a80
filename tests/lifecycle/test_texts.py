"""The lifecycle's data files: every English text has a Chinese one with the same placeholders; declared
columns and headings exist in both languages."""

from __future__ import annotations

import json
from pathlib import Path

from crmbook.context import LANGUAGES
from crmbook.language import catalogue, headings, placeholders
from crmbook.tables import columns

TEXTS = catalogue("crmbook.lifecycle").texts
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_lifecycle.ipynb"


def test_every_english_text_exists_in_chinese_with_the_same_placeholders():
    assert TEXTS["en"] and set(TEXTS["en"]) == set(TEXTS["zh"])
    for key, template in TEXTS["en"].items():
        assert placeholders(template) == placeholders(TEXTS["zh"][key]), key
        assert str(template).strip() and str(TEXTS["zh"][key]).strip(), key


def test_declared_columns_have_a_label_per_language():
    declared = columns("crmbook.lifecycle")
    for name in ("stage", "phase", "days_since", "p_alive", "due_date", "median_days", "what_to_do"):
        assert set(declared[name].labels) == set(LANGUAGES), name


def test_every_notebook_heading_has_a_chinese_heading():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    zh = headings("crmbook.lifecycle", "zh")
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    assert line.lstrip("#").strip() in zh, line
