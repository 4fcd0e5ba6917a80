"""crmbook.data_check.overview: tables, dates, missing values and category counts."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import data_check as dc

from .conftest import dataset


def test_tables_overview_reconciles_rows(ds):
    view = dc.tables_overview(ds).set_index("table")
    assert list(view.index[:2]) == ["customers", "orders"]
    orders = view.loc["orders"]
    assert (orders.rows_read, orders.rows_used, orders.rows_rejected) == (6, 5, 1)
    assert bool(orders.present) and bool(orders.required)
    assert not view.loc["surveys", "present"] and view.loc["surveys", "rows_read"] == 0
    assert (view.rows_read == view.rows_used + view.rows_rejected).all()
    assert view.loc["customers", "columns"] == "5 of 12"


def test_tables_overview_speaks_the_report_language(ds, ctx_zh):
    view = dc.tables_overview(ds, ctx=ctx_zh).set_index("table")
    assert view.loc["customers", "columns"] == "5 / 12"
    assert view.loc["surveys", "kind"] == "客户怎么想：反馈"
    assert set(view.index) == set(dc.DATA_KINDS)


def test_date_coverage_counts_calendar_months(ds):
    cov = dc.date_coverage(ds).set_index("table")
    assert cov.loc["orders", "first"] == pd.Timestamp("2024-01-20").date()
    assert cov.loc["orders", "last"] == pd.Timestamp("2024-04-30").date()
    assert cov.loc["orders", "months"] == 4  # Jan, Feb, Mar, Apr
    assert cov.loc["customers", "months"] == 3
    assert "surveys" not in cov.index


def test_missing_values_reports_gaps_and_absent_columns(ds):
    gaps = dc.missing_values(ds).set_index(["table", "column"])
    assert gaps.loc[("customers", "birth_date"), "missing"] == 1
    assert gaps.loc[("customers", "birth_date"), "missing_share"] == pytest.approx(1 / 3)
    assert gaps.loc[("customers", "gender"), "status"] == "column absent"
    assert gaps.loc[("orders", "revenue"), "status"] == "complete"
    assert gaps.loc[("customers", "customer_id"), "required"]


def test_missing_values_status_in_chinese_and_share_selects_the_same_rows(ds, ctx_zh):
    en, zh = dc.missing_values(ds), dc.missing_values(ds, ctx=ctx_zh)
    assert zh.set_index(["table", "column"]).loc[("customers", "gender"), "status"] == "缺少该字段"
    assert ((en["status"] != "complete") == (en["missing_share"] > 0)).all()
    assert en.drop(columns="status").equals(zh.drop(columns="status"))


def test_missing_values_counts_blank_text_in_every_text_column():
    customers = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4"],
        "signup_date": pd.to_datetime(["2024-01-01", None, "2024-02-01", "2024-03-01"]),
        "region": pd.Series(["North", "  ", None, "South"], dtype="str"),         # 1 blank + 1 empty
        "gender": pd.Series([" f", "\t", pd.NA, "m"], dtype="string"),            # 1 blank + 1 empty
        "member_tier": pd.Categorical(["gold", " ", None, "gold"]),               # 1 blank + 1 empty
        "referred_by": pd.Series([1, " ", 2.5, None], dtype=object),              # 1 blank + 1 empty
        "account_type": pd.Series(["", "", "", ""], dtype=object),                # 4 blank
    })
    gaps = dc.missing_values(dataset(customers=customers)).set_index("column")
    assert gaps.loc["customer_id", "status"] == "complete"
    assert gaps.loc["signup_date", "missing"] == 1
    for col in ("region", "gender", "member_tier", "referred_by"):
        assert gaps.loc[col, "missing"] == 2, col
        assert gaps.loc[col, "missing_share"] == pytest.approx(0.5)
    assert gaps.loc["account_type", "missing"] == 4
    assert gaps.loc["birth_date", "status"] == "column absent"


def test_missing_values_of_an_empty_table():
    customers = pd.DataFrame({"customer_id": pd.Series([], dtype="str"),
                              "signup_date": pd.to_datetime(pd.Series([], dtype="str"))})
    gaps = dc.missing_values(dataset(customers=customers)).set_index("column")
    assert gaps.loc["customer_id", "missing"] == 0
    assert gaps.loc["customer_id", "missing_share"] == 0.0
    assert gaps.loc["region", "status"] == "column absent"


def test_category_counts_skips_absent_columns(ds):
    counts = dc.category_counts(ds["customers"])
    assert set(counts["column"]) == {"acquisition_channel", "region"}
    north = counts[(counts["column"] == "region") & (counts["value"] == "North")].iloc[0]
    assert north.customers == 2 and north.share == pytest.approx(2 / 3)


def test_category_counts_names_missing_values_in_the_report_language(ctx_zh):
    customers = pd.DataFrame({"region": ["North", None, None]})
    assert dc.category_counts(customers)["value"].tolist() == ["(missing)", "North"]
    assert dc.category_counts(customers, ctx=ctx_zh)["value"].tolist() == ["（缺失）", "North"]


def test_category_counts_of_no_customers_keeps_text_columns():
    empty = pd.DataFrame({"region": pd.Series([], dtype="str")})
    counts = dc.category_counts(empty)
    assert counts.empty and list(counts.columns) == ["column", "value", "customers", "share"]
    full = dc.category_counts(pd.DataFrame({"region": ["North", "North", "South"]}))
    assert counts["column"].dtype == full["column"].dtype
    assert counts["value"].dtype == full["value"].dtype


def test_order_value_summary_by_hand_in_both_languages():
    from crmbook.context import Context
    from crmbook.data_check import order_value_summary

    orders = pd.DataFrame({"revenue": [10.0, 20.0, 30.0, 40.0]})
    s = order_value_summary(orders)
    # mean 25, sample std sqrt(500/3) = 12.91, quartiles by linear interpolation 17.5 / 25 / 32.5
    assert s["statistic"].tolist()[0] == "Mean" and s["order_value"].tolist()[0] == 25.0
    assert s["order_value"].round(2).tolist() == [25.0, 12.91, 10.0, 17.5, 25.0, 32.5, 40.0]
    zh = order_value_summary(orders, ctx=Context("2025-12-31", language="zh"))
    assert zh["statistic"].tolist()[:2] == ["平均值", "标准差"]
