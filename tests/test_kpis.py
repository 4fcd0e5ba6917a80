"""Tests of crmbook.kpis: recording headline figures in a notebook and collecting them from it."""

from __future__ import annotations

import math

import nbformat
import pytest

from crmbook import kpis


def test_collect_kpis_fills_topic_and_keeps_last() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    rec = {"name": "share", "value": 1.5, "unit": "%", "label": "Share", "topic": None}
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={kpis.KPI_MIME: rec}),
        nbformat.v4.new_output("display_data", data={kpis.KPI_MIME: {**rec, "value": 2.5}}),
        nbformat.v4.new_output("display_data", data={"text/plain": "not a kpi"}),
    ]
    assert kpis.collect_kpis(nb, "segmentation", "01_segmentation") == [
        {"topic": "segmentation", "name": "share", "value": 2.5, "unit": "%", "label": "Share",
         "notebook": "01_segmentation"}]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The bundles record_kpi hands to IPython's display (no kernel needed)."""
    import IPython.display

    bundles: list[dict] = []

    def display(bundle: dict, raw: bool = False) -> None:
        assert raw
        bundles.append(bundle)

    monkeypatch.setattr(IPython.display, "display", display)
    return bundles


def test_record_kpi_emits_the_record_and_a_card(shown: list[dict]) -> None:
    import numpy as np

    record = kpis.record_kpi("top_share", np.float64(61.25), "%", label="Top <20%>")
    assert record == {"name": "top_share", "value": 61.25, "unit": "%", "label": "Top <20%>", "topic": None}
    assert type(record["value"]) is float
    (bundle,) = shown
    assert bundle[kpis.KPI_MIME] == record
    assert bundle["text/plain"] == "KPI top_share = 61.2 %"  # a percentage shows one decimal
    assert "Top &lt;20%&gt;" in bundle["text/html"] and 'class="crmbook-kpi"' in bundle["text/html"]
    quiet = kpis.record_kpi("missing", math.nan, display=False)
    assert quiet["value"] is None and quiet["label"] == "missing"
    assert shown[1] == {kpis.KPI_MIME: quiet}  # nothing to show in the notebook or the report
    with pytest.raises(ValueError, match="snake_case identifier, got 'top share'"):
        kpis.record_kpi("top share", 1)
    assert len(shown) == 2


def test_record_kpis_records_a_list_in_one_call(shown: list[dict]) -> None:
    records = [{"name": "rfm_champions_customers", "value": 3, "unit": "customers", "label": "Champions"},
               {"name": "rfm_champions_share", "value": 75.0, "unit": "%"},
               {"name": "headline", "value": 1, "display": True}]
    got = kpis.record_kpis(records)
    assert [r["name"] for r in got] == ["rfm_champions_customers", "rfm_champions_share", "headline"]
    assert got[0] == kpis.record_kpi(**records[0], display=False)
    assert [set(b) for b in shown[:3]] == [{kpis.KPI_MIME}, {kpis.KPI_MIME},
                                           {kpis.KPI_MIME, "text/plain", "text/html"}]
    shown.clear()
    assert len(kpis.record_kpis(records[:2], display=True)) == 2 and all("text/html" in b for b in shown)

    shown.clear()
    with pytest.raises(ValueError, match="got '2nd'"):
        kpis.record_kpis([records[0], {"name": "2nd", "value": 2}])
    with pytest.raises(TypeError, match="record 2 .* does not fit record_kpi"):
        kpis.record_kpis([records[0], {"name": "n", "value": 2, "colour": "red"}])
    with pytest.raises(TypeError, match="record 1 must be a mapping"):
        kpis.record_kpis([("n", 1)])
    assert shown == []  # a bad record records nothing, not even the good ones before it
    assert kpis.record_kpis([]) == []


def test_recorded_kpis_are_collected_from_the_outputs(shown: list[dict]) -> None:
    kpis.record_kpis([{"name": "a", "value": 1}, {"name": "b", "value": 2.5, "unit": "%", "topic": "own"}])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=b) for b in shown]
    assert kpis.collect_kpis(nb, "segmentation") == [
        {"topic": "segmentation", "name": "a", "value": 1, "unit": "", "label": "a", "notebook": "segmentation"},
        {"topic": "own", "name": "b", "value": 2.5, "unit": "%", "label": "b", "notebook": "segmentation"}]


def test_format_value() -> None:
    assert kpis.format_value(1234.5) == "1,234"  # from 1,000 on no decimals (half to even)
    assert kpis.format_value(529_557.02) == "529,557"
    assert kpis.format_value(185.04) == "185.04"
    assert kpis.format_value(55.0, "%") == "55.0" and kpis.format_value(11.36, " % ") == "11.4"
    assert kpis.format_value(2_500_000.4) == "2,500,000"
    assert kpis.format_value(1200) == "1,200"
    assert kpis.format_value(None) == "n/a"
    assert kpis.format_value(True) == "True"
    assert kpis.format_value("A") == "A"


def test_units_are_shown_in_the_card_language_but_recorded_as_they_are() -> None:
    from crmbook.kpis import _prepare, unit_label

    record, bundle = _prepare("customers", 4000, "customers", label="分析的客户数", language="zh")
    assert record["unit"] == "customers"  # machine-readable, the same in every run
    assert "位客户" in bundle["text/html"] and ">customers<" not in bundle["text/html"]
    assert unit_label("customers", "en") == "customers" and unit_label("%", "zh") == "%"
    assert unit_label("CNY", "zh") == "CNY"
