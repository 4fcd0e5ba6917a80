"""Charts: each draws into its axes and returns it, titled in the report language."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import (
    AS_OF,
    CTX,
    NO_ORDERS,
    PLAIN,
    _abc_frames,
    _customers_of,
    _portrait_frames,
    _rfm_frames,
    _three_groups,
    facts,
)


def test_plots_draw_into_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    _, ax = plt.subplots()
    assert seg.plot_pareto(seg.pareto_curve(scored.set_index("customer_id")["monetary"]), CTX, ax=ax) is ax
    assert "Pareto" in ax.get_title()
    assert seg.plot_segments(seg.segment_summary(scored), CTX).get_title()
    model = seg.BehaviourClusters(2, 4).fit(_three_groups())
    assert seg.plot_silhouette(model.silhouette_, CTX, chosen=model.k_).get_title()
    assert seg.plot_cluster_profile(model.profile_, CTX).get_title()
    abc_c, abc_o = _abc_frames()
    assert seg.plot_target_matrix(seg.target_matrix(facts(_customers_of(abc_o), abc_o)), CTX).get_title() == "Target-customer matrix"
    market = pd.DataFrame({"region": ["East", "West"], "potential_customers": [100, 50],
                           "market_revenue": [1e5, 5e4]})
    pen = seg.market_penetration(CustomerFacts(customers.iloc[:11], orders, AS_OF), market)
    assert "Penetration" in seg.plot_penetration(pen, CTX).get_title()
    attrs = seg.customer_attributes(facts(customers, NO_ORDERS))
    rfm = seg.rfm_table(CustomerFacts(customers, orders, AS_OF))
    assert "region" in seg.plot_demographic(seg.demographic_summary(attrs, rfm, "region"), "region", CTX).get_title()


def test_plot_demographics_grid():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    customers, orders, _ = _portrait_frames()
    attrs = seg.customer_attributes(facts(customers, NO_ORDERS))
    tables = seg.demographic_summaries(attrs, seg.rfm_table(CustomerFacts(customers, orders, AS_OF)),
                                       dimensions=("gender", "region", "age_band"))
    fig = seg.plot_demographics(tables, CTX)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 4 and len(visible) == 3  # a 2 x 2 grid, the fourth cell hidden
    assert [ax.get_title() for ax in visible] == ["Gender (labels: share of customers)",
                                                  "Region (labels: share of customers)",
                                                  "Age band (labels: share of customers)"]
    assert fig.get_suptitle() == "Revenue per consumer (CNY) by demographic group"
    _, axes = plt.subplots(1, 3)
    assert seg.plot_demographics(tables, PLAIN, axes=axes) is axes[0].figure
    assert [len(ax.patches) for ax in axes] == [2, 2, 3]  # F/M, East/West, three age bands
    with pytest.raises(ValueError, match="axes"):
        seg.plot_demographics(tables, PLAIN, axes=axes[:2])
    with pytest.raises(ValueError, match="no demographic"):
        seg.plot_demographics({}, PLAIN)


def test_chart_titles_and_labels_in_chinese():
    import matplotlib

    matplotlib.use("Agg")
    from .cases import CTX_ZH

    revenue = pd.Series([10.0, 100.0, 0.0, 50.0, 30.0, 10.0], index=list("abcdef"))
    ax = seg.plot_pareto(seg.pareto_curve(revenue), CTX_ZH)
    assert ax.get_title() == "年收入的帕累托曲线" and ax.get_xlabel() == "客户占比（按收入从高到低）"
    summary = pd.DataFrame({"segment": ["champions", "lost"], "customer_share": [0.4, 0.6], "revenue_share": [0.9, 0.1]})
    bars = seg.plot_segments(summary, CTX_ZH)
    assert bars.get_title() == "RFM 细分：客户与收入"
    assert [t.get_text() for t in bars.get_yticklabels()] == ["重要价值客户", "已流失客户"]
