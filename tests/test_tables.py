"""crmbook.tables: declared column kinds and labels, formatting for readers, group summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook.context import Context
from crmbook.tables import Column, column, format_table, group_summary

EN, ZH = Context("2025-12-31", "CNY", "en"), Context("2025-12-31", "CNY", "zh")


def test_format_table_uses_declared_kinds_and_labels_without_changing_the_table():
    table = pd.DataFrame({"segment": ["a_b"], "customers": [1234], "customer_share": [0.256],
                          "revenue": [1234567.8], "mean_frequency": [2.345], "recency_days": [1269.0],
                          "key": [True], "first_order": pd.to_datetime(["2024-03-05"])})
    before = table.copy()
    html = format_table(table, EN).to_html()
    assert "Revenue (CNY)" in html and "1,234,568" in html  # money: no decimals, currency in the header
    assert "Share of customers" in html and "25.6%" in html
    assert ">1,234<" in html and ">2.35<" in html and ">1,269<" in html and ">2024-03-05<" in html
    assert ">yes<" in html and ">key<" in html  # undeclared: its own name, kind from its type
    assert "text-align: left" in html and "th.col_heading.col0" in html  # text columns and headers left
    pd.testing.assert_frame_equal(table, before)
    zh = format_table(table, ZH).to_html()
    assert "收入（CNY）" in zh and "客户占比" in zh and ">是<" in zh


def test_undeclared_whole_number_floats_show_no_decimals():
    html = format_table(pd.DataFrame({"potential": [14000.0, 5.0], "ratio": [1.5, 2.0]}), EN).to_html()
    assert ">14,000<" in html and ">5<" in html and ">1.50<" in html and ">2.00<" in html


def test_format_table_kinds_override_and_max_rows():
    table = pd.DataFrame({"x": [0.5, 0.25, 0.125]})
    html = format_table(table, EN, kinds={"x": "share"}, max_rows=2).to_html()
    assert "50.0%" in html and "25.0%" in html and "12.5%" not in html


def test_column_declarations():
    assert column("revenue", EN).header(EN) == "Revenue (CNY)"
    assert column("unheard_of", EN).kind == "text"
    with pytest.raises(ValueError, match="kind"):
        Column("colour", {"en": "a", "zh": "b"})
    with pytest.raises(ValueError, match="zh"):
        Column("count", {"en": "a"})


def test_group_summary_orders_and_shares():
    a = pd.DataFrame({"g": ["x", "y", "y", "z"], "monetary": [10.0, 30.0, 0.0, 60.0], "frequency": [1, 3, 1, 2]})
    s = group_summary(a, group_col="g", order=["z", "x"])
    # z and x as ordered, then y; revenue shares 60/100, 10/100, 30/100
    assert s["segment"].tolist() == ["z", "x", "y"]
    assert s["revenue_share"].tolist() == pytest.approx([0.6, 0.1, 0.3])
    assert s["customer_share"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    assert s.loc[2, "mean_frequency"] == 2.0 and s.loc[2, "revenue_per_customer"] == 15.0
    with pytest.raises(ValueError, match="'h'"):
        group_summary(a, group_col="h")


def test_same_table_same_html():
    table = pd.DataFrame({"segment": ["a", "b"], "customers": [1, 2]})
    assert format_table(table, EN).to_html() == format_table(table.copy(), EN).to_html()
    assert format_table(table, EN).to_html() != format_table(table.assign(customers=[1, 3]), EN).to_html()
    assert "0x" not in repr(format_table(table, EN)) and "Customers" in repr(format_table(table, EN))


def test_values_and_headers_are_shown_as_text_not_html():
    table = pd.DataFrame({"region": ['<a href="https://x.example">East</a>', "<img src=x onerror=alert(1)>"],
                          "<b>n</b>": [1, 2]})
    html = format_table(table, EN).to_html()
    assert "<a href" not in html and "<img" not in html and "<b>n" not in html
    assert "&lt;a href=" in html and "East&lt;/a&gt;" in html and "&lt;img src=x" in html
    assert "&lt;b&gt;n&lt;/b&gt;" in html


def test_long_list_shows_top_rows_and_links_the_whole_list(tmp_path, monkeypatch) -> None:
    from crmbook import outputs
    from crmbook.tables import save_full_list

    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(30)], "name": ["Ann"] * 30, "revenue": range(30)})
    assert save_full_list(frame, "contacts") is None  # outside a run: nothing written
    monkeypatch.setenv(outputs.OUTPUT_DIR_ENV, str(tmp_path / "01_x_files"))
    href = save_full_list(frame, "contacts")
    assert href == "01_x_files/contacts.csv"
    written = pd.read_csv(tmp_path / href)
    assert list(written.columns) == ["customer_id", "revenue"] and len(written) == 30  # ids only, masked
    assert "name" in pd.read_csv(tmp_path / save_full_list(frame, "all", mask_personal=False)).columns
    page = format_table(frame, Context(as_of="2025-12-31"), max_rows=20, full_list=href).to_html()
    assert "20 of 30 rows shown; the whole list is in <a href=\"01_x_files/contacts.csv\">contacts.csv</a>" in page
    zh = format_table(frame, Context(as_of="2025-12-31", language="zh"), max_rows=20).to_html()
    assert "显示 20 行，共 30 行" in zh and "<a " not in zh
    assert "<caption" not in format_table(frame, Context(as_of="2025-12-31"), max_rows=40).to_html()
    with pytest.raises(ValueError, match="name must be"):
        save_full_list(frame, "../x")


def test_exports_neutralise_spreadsheet_formulas(tmp_path, monkeypatch) -> None:
    from crmbook import outputs
    from crmbook.tables import save_full_list, without_formulas

    hostile = pd.DataFrame({"customer_id": ["=HYPERLINK(\"http://x.example\",\"click\")", "+cmd|' /C calc'!A0",
                                            "-2+3", "@SUM(A1)", "\tx", "C00001"],
                            "revenue": [-3.5, 1.0, 2.0, 3.0, 4.0, 5.0]})
    safe = without_formulas(hostile)
    assert safe["customer_id"].tolist() == ["'=HYPERLINK(\"http://x.example\",\"click\")", "'+cmd|' /C calc'!A0",
                                            "'-2+3", "'@SUM(A1)", "'\tx", "C00001"]
    assert safe["revenue"].tolist() == hostile["revenue"].tolist()  # numbers stay numbers
    assert hostile["customer_id"][5] == "C00001" and hostile["customer_id"][0].startswith("=")  # not changed
    monkeypatch.setenv(outputs.OUTPUT_DIR_ENV, str(tmp_path / "01_x_files"))
    href = save_full_list(hostile, "contacts")
    written = (tmp_path / href).read_text(encoding="utf-8")
    assert "\n\"'=HYPERLINK" in written or "\n'=HYPERLINK" in written
    assert "\n=" not in written and "\n+" not in written and "\n@" not in written


def test_a_full_list_has_the_bytes_to_csv_writes(tmp_path, monkeypatch) -> None:
    # the columns of the topics' full lists (text, floats, integers, flags), with values chosen to trip a
    # writer: missing cells, quotes, commas and line feeds in text, a formula, Chinese, floats of every form
    from crmbook import outputs
    from crmbook.tables import save_full_list, without_formulas

    n = 9
    frame = pd.DataFrame({
        "customer_id": pd.array(["C1", "C,2", 'C"3', "C\n4", None, "=1+1", "客户", " sp ", ""], dtype="str"),
        "stage": pd.Series(["a", None, "b", "c", "d", "e", "f", "g", "h"], dtype=object),
        "clv": [0.1 + 0.2, -0.0, 1e-05, 1e16, float("nan"), 100.0, 2.5e-300, 123456789.125, -7.0],
        "frequency": np.arange(n, dtype=np.int64) - 3,
        "holdout": [True, False] * 4 + [True],
    })
    monkeypatch.setenv(outputs.OUTPUT_DIR_ENV, str(tmp_path / "06_x_files"))
    href = save_full_list(frame, "plan")
    expected = without_formulas(frame).to_csv(index=False, encoding="utf-8").encode("utf-8")
    assert (tmp_path / href).read_bytes() == expected
