"""The data check's text catalogues and column declarations: both languages say the same things."""

from __future__ import annotations

from crmbook.context import LANGUAGES
from crmbook.language import catalogue, placeholders
from crmbook.tables import columns

PACKAGE = "crmbook.data_check"


def test_every_english_text_exists_in_chinese_with_the_same_placeholders():
    texts = catalogue(PACKAGE).texts
    assert set(texts["en"]) == set(texts["zh"])
    for key, template in texts["en"].items():
        assert placeholders(template) == placeholders(texts["zh"][key]), key


def test_every_kind_of_data_and_table_has_a_text():
    from crmbook.data import SCHEMAS
    from crmbook.data_check import DATA_KINDS

    keys = set(catalogue(PACKAGE).keys())
    assert set(DATA_KINDS) == set(SCHEMAS)
    assert {f"kind.{t}" for t in SCHEMAS} <= keys and {f"table_name.{t}" for t in SCHEMAS} <= keys


def test_topic_columns_are_declared_in_every_language():
    declared = columns(PACKAGE)
    for name in ("rows_read", "rows_used", "rows_rejected", "missing_share", "months", "ready", "analysis"):
        assert set(declared[name].labels) == set(LANGUAGES), name
    assert declared["missing_share"].kind == "share" and declared["rows_read"].kind == "count"
