"""crmbook.data_check: blank text in every kind of text column, and what the log-scale charts keep.

Hand-made frames whose answers can be counted on paper; the charts are drawn with and without the
crmbook theme, which hides minor tick marks.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.ticker import NullLocator  # noqa: E402

from crmbook import data_check as dc  # noqa: E402
from crmbook import plots  # noqa: E402
from crmbook.data import Dataset  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _dataset(**tables: pd.DataFrame) -> Dataset:
    return Dataset(tables=tables, absent=(), rejected=pd.DataFrame(), problems=[], as_of=None, sources={})


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
    gaps = dc.missing_values(_dataset(customers=customers)).set_index("column")
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
    gaps = dc.missing_values(_dataset(customers=customers)).set_index("column")
    assert gaps.loc["customer_id", "missing"] == 0
    assert gaps.loc["customer_id", "missing_share"] == 0.0
    assert gaps.loc["region", "status"] == "column absent"


def test_category_counts_of_no_customers_keeps_text_columns():
    empty = pd.DataFrame({"region": pd.Series([], dtype="str")})
    counts = dc.category_counts(empty)
    assert counts.empty and list(counts.columns) == ["column", "value", "customers", "share"]
    full = dc.category_counts(pd.DataFrame({"region": ["North", "North", "South"]}))
    assert counts["column"].dtype == full["column"].dtype
    assert counts["value"].dtype == full["value"].dtype


def _orders(*revenue: float) -> pd.DataFrame:
    return pd.DataFrame({"revenue": list(revenue)})


def test_order_values_under_the_theme_draws_no_hidden_minor_ticks():
    with plots.theme():  # the theme hides tick marks: minor ticks would only cost time
        ax = dc.plot_order_values(_orders(40, 300, 1_000, 15_000))
        assert isinstance(ax.xaxis.get_minor_locator(), NullLocator)
        ax.figure.canvas.draw()
        low, high = ax.get_xlim()
        shown = [t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
        assert shown == ["100", "1k", "10k"]  # plain labels (plots.number_formatter), no math text


def test_order_values_keep_minor_ticks_that_show():
    with plots.theme():  # less than a decade: matplotlib labels minor ticks (2x10^2 ...)
        ax = dc.plot_order_values(_orders(210, 300, 450, 800))
        assert not isinstance(ax.xaxis.get_minor_locator(), NullLocator)
    with plt.style.context("default"):  # tick marks shown: minor ticks stay
        ax = dc.plot_order_values(_orders(40, 300, 1_000, 15_000))
        assert not isinstance(ax.xaxis.get_minor_locator(), NullLocator)
        assert len(ax.xaxis.get_minorticklocs()) > 0


def test_reconciliation_labels_each_present_table_top_down():
    overview = pd.DataFrame({"table": ["customers", "orders", "surveys"], "present": [True, True, False],
                             "rows_used": [3, 5, 0], "rows_rejected": [0, 1, 0]})
    with plots.theme():
        ax = dc.plot_reconciliation(overview)
        ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["customers", "orders"]
    assert ax.yaxis_inverted()
    assert ax.get_xscale() == "symlog"
    widths = [p.get_width() for p in ax.patches]
    assert widths == [3, 5, 0, 1]  # used, then set aside
    # the same limits as bars on a categorical axis of table names: margins taken on the log scale
    _, ref = plt.subplots()
    ref.barh(["customers", "orders"], [3, 5])
    ref.barh(["customers", "orders"], [0, 1], left=[3, 5])
    ref.set_xscale("symlog")
    ref.invert_yaxis()
    assert ax.get_xlim() == pytest.approx(ref.get_xlim())
    assert ax.get_ylim() == pytest.approx(ref.get_ylim())
    assert ax.get_xlim()[1] > 6 * 1.05  # more than a linear 5 % margin
