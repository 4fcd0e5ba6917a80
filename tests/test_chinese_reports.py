"""Reports in Chinese on Chinese data: every glyph renders, no warning reaches a report.

A copy of the bundled sample whose regions, channels and categories are Chinese (as an export from a
Chinese CRM would be) is run through the real runner with ``language=zh``. The test fails on a
"Glyph ... missing from font" warning anywhere in the executed notebooks, on any stderr output block in
the HTML, and when the generated text is not Chinese.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "sample"
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]{2,}(?: +[A-Za-z]{2,}){2,}\b")

REGIONS = {"East": "华东", "South": "华南", "North": "华北", "Central": "华中", "West": "西部"}
ACQUISITION = {"direct_sales": "直销", "events": "展会", "online_ads": "网络广告", "referral": "老客推荐",
               "social_media": "社交媒体", "store": "门店"}
CHANNELS = {"agent": "代理商", "app": "小程序", "b2b": "企业采购", "online": "网店", "store": "门店"}
CATEGORIES = {"apparel": "服装", "beauty": "美妆", "electronics": "电器", "home": "家居", "kitchen": "厨具"}


def _chinese_copy(folder: Path) -> Path:
    shutil.copytree(SAMPLE, folder)
    customers = pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False)
    customers["region"] = customers["region"].replace(REGIONS)
    customers["acquisition_channel"] = customers["acquisition_channel"].replace(ACQUISITION)
    customers.to_csv(folder / "customers.csv", index=False)
    market = pd.read_csv(folder / "market.csv", dtype=str, keep_default_na=False)
    market["region"] = market["region"].replace(REGIONS)
    market.to_csv(folder / "market.csv", index=False)
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    orders["category"] = orders["category"].replace(CATEGORIES)
    orders["channel"] = orders["channel"].replace(CHANNELS)
    orders.to_csv(folder / "orders.csv", index=False)
    return folder


@pytest.mark.slow
def test_chinese_report_on_chinese_data_has_every_glyph(tmp_path):
    from crmbook.report import run_reports

    data = _chinese_copy(tmp_path / "data")
    assert CJK.search((data / "customers.csv").read_text(encoding="utf-8"))
    result = run_reports(["00_data_check", "01_segmentation", "02_lifecycle"], data=str(data), as_of="2025-12-31",
                         params={"language": "zh"}, out=tmp_path / "reports", stream=None)
    assert result.ok, result
    for topic in ("00_data_check", "01_segmentation", "02_lifecycle"):
        nb = nbformat.read(result.folder / f"{topic}.ipynb", as_version=4)
        streams = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        assert not [s for s in streams if "Glyph" in s or "missing from font" in s], streams
        assert not streams, f"{topic}: warnings printed into the report: {streams}"
        page = (result.folder / f"{topic}.html").read_text(encoding="utf-8")
        assert 'lang="zh' in page
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page and "Glyph" not in page
        markdown = " ".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells
                            for o in c.get("outputs", []))
        assert len(CJK.findall(markdown)) > 50, f"{topic}: the generated text is not Chinese"
        # no English phrase in any generated text: three English words in a row outside `code`
        # (data values and column names are single tokens: online_ads, account_type)
        english = ENGLISH_PHRASE.findall(re.sub(r"`[^`]*`", "", markdown))
        assert not english, f"{topic}: English in the Chinese report: {english[:5]}"
