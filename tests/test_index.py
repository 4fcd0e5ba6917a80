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
    page = index.run_index_html(META, kpis, previous)
    assert '<a href="00_alpha.html">00_alpha</a>' in page
    assert '01_beta <span class="failed">failed</span> - <a href="01_beta.ipynb">partly executed notebook</a>' in page
    assert "\u25b2 +200.00 (+20.0%)" in page and "1,200.00" in page
    assert '<span class="muted">unchanged</span>' in page and '<span class="muted">new</span>' in page
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
    page = index.run_index_html(meta, kpis, [{"topic": "alpha", "name": "revenue", "value": 1200.0}])
    assert '<html lang="zh">' in page and "关键指标" in page and "已完成" in page and "不变" in page
    assert "Key figures" not in page and "unchanged" not in page
    assert '<html lang="en">' in index.run_index_html(META, [], [])
