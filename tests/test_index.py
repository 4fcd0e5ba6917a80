"""Tests of crmbook.report.index: the index page of a run and of the reports folder."""

from __future__ import annotations

from crmbook.report import index

META = {"run_id": "r2", "status": "failed", "data": "datasets/<x>", "as_of": "2025-12-31",
        "started": "2026-01-02T02:00:05+00:00", "finished": "2026-01-02T02:01:00+00:00",
        "crmbook_version": "0.1.0", "previous_run": "r1", "parameters": {"n_top": 5, "mask_personal": False},
        "notebooks": [{"topic": "00_alpha", "html": "00_alpha.html", "ipynb": "00_alpha.ipynb", "status": "ok"},
                      {"topic": "01_beta", "html": None, "ipynb": "01_beta.ipynb", "status": "failed"}]}


def test_run_index_lists_reports_and_kpi_changes() -> None:
    kpis = [{"topic": "alpha", "name": "revenue", "label": "Revenue", "value": 1200.0, "unit": "CNY"},
            {"topic": "alpha", "name": "same", "label": "Same", "value": 3, "unit": ""},
            {"topic": "alpha", "name": "fresh", "label": "Fresh", "value": 1, "unit": ""}]
    previous = [{"topic": "alpha", "name": "revenue", "value": 1000.0}, {"topic": "alpha", "name": "same", "value": 3}]
    page = index.run_index_html(META, kpis, [{"run": META, "kpis": previous}])
    assert '<a href="00_alpha.html">00_alpha</a>' in page  # an undeclared topic: by its notebook
    assert '01_beta <span class="failed">failed</span> - <a href="01_beta.ipynb">partly executed notebook</a>' in page
    assert "\u25b2 +200.00 (+20.0%) \u00b7 neutral" in page and "1,200" in page
    assert '<span class="neutral">unchanged</span>' in page and '<span class="muted">new</span>' in page
    assert "change since run r1" in page and "FAILED" in page and "datasets/&lt;x&gt;" in page
    assert "Started 2026-01-02 02:00:05 UTC" in page and "mask_personal=False, n_top=5" in page
    assert "is not masked in this run" in page
    assert "no figures recorded" in index.run_index_html({**META, "parameters": {}}, [], [])


def test_reports_index_lists_runs_newest_first_and_marks_latest() -> None:
    runs = [{"run_id": "r1", "status": "ok", "started": "2026-01-01", "notebooks": [{"topic": "00_alpha"}]},
            {"run_id": "r2", "status": "failed", "started": "2026-01-02", "as_of": "2025-12-31", "notebooks": []}]
    page = index.reports_index_html(runs, "r1")
    assert page.index('href="r2/index.html"') < page.index('href="r1/index.html"')
    assert '<a href="r1/index.html">r1</a> <b>latest</b>' in page and '<span class="failed">failed</span>' in page
    assert '<a href="latest/index.html">Latest successful run</a>' in page
    assert "No successful run yet." in index.reports_index_html(runs, None)


def test_run_index_speaks_the_run_language() -> None:
    meta = {**META, "status": "ok", "parameters": {"language": "zh"}}
    kpis = [{"topic": "alpha", "name": "revenue", "label": "收入", "value": 1200.0, "unit": "CNY"}]
    page = index.run_index_html(meta, kpis, [{"run": meta, "kpis": [{"topic": "alpha", "name": "revenue",
                                                                      "value": 1200.0}]}])
    assert '<html lang="zh">' in page and "关键指标" in page and "已完成" in page and "不变" in page
    assert "Key figures" not in page and "unchanged" not in page
    assert '<html lang="en">' in index.run_index_html(META, [], [])


def _run(run_id: str, **parameters) -> dict:
    stem = "01_segmentation"
    params = {"rfm_bins": 5, "abc_growth": 0.1, "abc_top_share": 0.2, "language": "en", "as_of": "2025-12-31",
              "mapping": "", **parameters}
    return {"run_id": run_id, "status": "ok", "data": "sample", "as_of": params["as_of"],
            "started": f"2026-01-0{run_id[-1]}T02:00:00+00:00", "crmbook_version": "0.1.0",
            "previous_run": None, "parameters": {}, "notebooks": [
                {"topic": stem, "html": f"{stem}.html", "ipynb": f"{stem}.ipynb", "status": "ok",
                 "parameters": params}]}


def _kpi(name: str, value: float, unit: str = "%") -> dict:
    return {"topic": "segmentation", "name": name, "label": name, "value": value, "unit": unit,
            "notebook": "01_segmentation"}


def test_index_is_a_dashboard_with_cards_trends_titles_and_grouped_figures() -> None:
    history = [{"run": _run(f"r{i}"), "kpis": [_kpi("rfm_champions_share", v), _kpi("customers", 4000, "customers")]}
               for i, v in ((1, 10.0), (2, 11.0))]
    now = {**_run("r3"), "previous_run": "r2"}
    kpis = [_kpi("rfm_champions_share", 13.1), _kpi("customers", 4000, "customers"),
            _kpi("customers", 4000, "customers")]  # recorded twice: listed once
    page = index.run_index_html(now, kpis, history)
    assert page.count('class="card"') == 2 and page.count("<svg") == 2 and "trend over 3 comparable run(s)" in page
    assert "\u25b2 +2.1 pp \u00b7 better" in page and 'class="good"' in page  # a share, in points
    assert '<a href="01_segmentation.html">Customer segmentation</a>' in page and "whom to contact first" in page
    assert page.count('<th class="group"') == 1 and page.count("<tr><td>customers</td>") == 1
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_index_never_compares_runs_whose_parameters_differ() -> None:
    old = {"run": _run("r1", rfm_bins=3, abc_growth=0.2), "kpis": [_kpi("rfm_at_risk_share", 30.0),
                                                                      _kpi("abc_b_share", 0.7),
                                                                      _kpi("top20_revenue_share", 80.0)]}
    now = {**_run("r2"), "previous_run": "r1"}
    page = index.run_index_html(now, [_kpi("rfm_at_risk_share", 18.2), _kpi("abc_b_share", 0.7),
                                      _kpi("top20_revenue_share", 83.7)], [old])
    assert "not comparable: parameters changed (rfm_bins 3 \u2192 5)" in page
    assert "not comparable: parameters changed (abc_growth 0.2 \u2192 0.1)" in page
    assert "\u25bc" not in page and "-11.8" not in page  # no change shown where the parameters differ
    assert "\u25b2 +3.7 pp \u00b7 neutral" in page  # top20_revenue_share depends on neither
    other_data = {"run": {**_run("r1"), "data": "/exports/may"}, "kpis": [_kpi("top20_revenue_share", 80.0)]}
    page = index.run_index_html(now, [_kpi("top20_revenue_share", 83.7)], [other_data])
    assert "not comparable: data source changed (data /exports/may \u2192 sample)" in page


def test_comparable_names_what_differs_and_shares_as_fractions_change_in_points() -> None:
    assert index.comparable(_kpi("rfm_lost_share", 1.0), _run("r2"), _run("r1")) == []
    # the analysis date is the time axis of a trend: a nightly run a day later is compared
    assert index.comparable(_kpi("rfm_lost_share", 1.0), _run("r2"), _run("r1", as_of="2025-06-30")) == []
    assert index.comparable(_kpi("rfm_lost_share", 1.0), _run("r2"), _run("r1", rfm_bins=4)) == [
        ("rfm_bins", 4, 5)]
    fraction = {**_kpi("rfm_lost_share", 0.05, ""), "unit": ""}
    page = index.run_index_html({**_run("r2"), "previous_run": "r1"}, [fraction],
                                [{"run": _run("r1"), "kpis": [{**fraction, "value": 0.03}]}])
    assert "\u25b2 +2.0 pp \u00b7 worse" in page and 'class="bad"' in page and ">5.0</td>" in page


def test_sparkline_is_inline_svg_scaled_to_its_box() -> None:
    svg = index.sparkline([1, 3, 2], width=100, height=20, label="t")
    assert svg.startswith("<svg") and "polyline" in svg and 'points="3.0,17.0 50.0,3.0 97.0,10.0"' in svg
    assert "polyline" not in index.sparkline([5]) and index.sparkline([]) == ""


def test_reports_index_speaks_the_newest_runs_language() -> None:
    runs = [{"run_id": "r1", "status": "ok", "started": "2026-01-01", "as_of": "2025-12-31",
             "parameters": {"language": "en"}, "notebooks": [{"topic": "01_segmentation"}]},
            {"run_id": "r2", "status": "ok", "started": "2026-01-02", "as_of": "2025-12-31",
             "parameters": {"language": "zh"}, "notebooks": [{"topic": "00_data_check"}, {"topic": "01_segmentation"}]}]
    page = index.reports_index_html(runs, "r2")
    assert '<html lang="zh">' in page and "最近一次成功运行" in page and "数据检查、客户细分" in page
    assert "Customer segmentation" in index.reports_index_html(runs[:1], "r1")


def test_a_leading_topic_opens_the_dashboard() -> None:
    """The customer plan declares ``leads``: its cards (the management scorecard) come before the
    segmentation's although its figures were recorded after them; the table of figures keeps run order."""
    seg = _kpi("rfm_champions_share", 13.1)
    plan = {**_kpi("score_nps", 12.0, "points"), "topic": "customer_plan", "notebook": "06_customer_plan"}
    page = index.run_index_html(_run("r3"), [seg, plan], [])
    cards = page[page.index("crmbook-summary"):]
    assert cards.index("Customer management plan") < cards.index("Customer segmentation")
    figures = page[page.index('<th class="group"'):]
    assert figures.index("Customer segmentation") < figures.index("Customer management plan")
