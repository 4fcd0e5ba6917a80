"""crmbook.data_check.charts: what each chart draws, its labels in both languages, the log-scale ticks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.ticker import NullLocator

from crmbook import data_check as dc
from crmbook import plots


def _orders(*revenue: float) -> pd.DataFrame:
    return pd.DataFrame({"revenue": list(revenue)})


def test_plots_draw_into_given_axes(ds, ctx):
    _, axes = plt.subplots(1, 3)
    assert dc.plot_reconciliation(dc.tables_overview(ds), ctx, ax=axes[0]) is axes[0]
    assert dc.plot_monthly_activity(dc.monthly_activity(ds["orders"]), ctx, ax=axes[1]) is axes[1]
    assert axes[1].get_ylabel() == "Revenue (CNY)"
    assert dc.plot_order_values(ds["orders"], ctx, ax=axes[2]) is axes[2]
    assert sum(p.get_height() for p in axes[2].patches) == 5


def test_chart_titles_and_labels_in_chinese(ds, ctx_zh):
    ax = dc.plot_monthly_activity(dc.monthly_activity(ds["orders"]), ctx_zh)
    assert ax.get_title() == "每月收入与活跃客户数"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("月份", "收入（CNY）")
    ax = dc.plot_order_values(ds["orders"], ctx_zh)
    assert ax.get_title() == "订单金额有多大？"
    assert ax.get_xlabel() == "订单金额（CNY，对数刻度）"
    ax = dc.plot_reconciliation(dc.tables_overview(ds), ctx_zh)
    assert ax.get_title() == "各表读取的行数：可用与剔除"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["可用", "剔除"]
    assert [t.get_text() for t in ax.texts] == ["剔除 1 行"]  # O6 of the orders, beside its bar


def test_order_values_under_the_theme_draws_no_hidden_minor_ticks(ctx):
    with plots.theme():  # the theme hides tick marks: minor ticks would only cost time
        ax = dc.plot_order_values(_orders(40, 300, 1_000, 15_000), ctx)
        assert isinstance(ax.xaxis.get_minor_locator(), NullLocator)
        ax.figure.canvas.draw()
        low, high = ax.get_xlim()
        shown = [t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
        assert shown == ["100", "1k", "10k"]  # plain labels (plots.number_formatter), no math text


def test_order_values_keep_minor_ticks_that_show(ctx):
    with plots.theme():  # less than a decade: matplotlib labels minor ticks (2x10^2 ...)
        ax = dc.plot_order_values(_orders(210, 300, 450, 800), ctx)
        assert not isinstance(ax.xaxis.get_minor_locator(), NullLocator)
    with plt.style.context("default"):  # tick marks shown: minor ticks stay
        ax = dc.plot_order_values(_orders(40, 300, 1_000, 15_000), ctx)
        assert not isinstance(ax.xaxis.get_minor_locator(), NullLocator)
        assert len(ax.xaxis.get_minorticklocs()) > 0


def test_reconciliation_labels_each_present_table_top_down(ctx):
    overview = pd.DataFrame({"table": ["customers", "orders", "surveys"], "present": [True, True, False],
                             "rows_used": [3, 5, 0], "rows_rejected": [0, 1, 0]})
    with plots.theme():
        ax = dc.plot_reconciliation(overview, ctx)
        ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["customers", "orders"]
    assert ax.yaxis_inverted()
    assert ax.get_xscale() == "symlog"
    widths = [p.get_width() for p in ax.patches]
    assert widths == [3, 5, 0, 1]  # used, then set aside
    assert [(t.get_text(), t.xy) for t in ax.texts] == [("1 set aside", (6, 1))]  # at the end of the orders bar
    # the same limits as bars on a categorical axis of table names: margins taken on the log scale
    _, ref = plt.subplots()
    ref.barh(["customers", "orders"], [3, 5])
    ref.barh(["customers", "orders"], [0, 1], left=[3, 5])
    ref.set_xscale("symlog")
    ref.invert_yaxis()
    assert ax.get_xlim() == pytest.approx(ref.get_xlim())
    assert ax.get_ylim() == pytest.approx(ref.get_ylim())
    assert ax.get_xlim()[1] > 6 * 1.05  # more than a linear 5 % margin
