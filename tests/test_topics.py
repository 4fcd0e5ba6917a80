"""Tests of crmbook.topics: the registry declares each topic once, consistently."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from crmbook import topics
from crmbook.data import SCHEMAS
from crmbook.report import default_notebooks_dir


def test_topics_in_number_order_with_their_notebooks_and_packages() -> None:
    assert [(t.number, t.name) for t in topics.TOPICS][:2] == [("00", "data_check"), ("01", "segmentation")]
    assert [t.number for t in topics.TOPICS] == sorted({t.number for t in topics.TOPICS})
    for spec in topics.TOPICS:
        assert (default_notebooks_dir() / spec.notebook).is_file()
        assert importlib.util.find_spec(spec.package) is not None, spec.package
        assert set(spec.title) == set(topics.LANGUAGES) and all(spec.title.values())
    assert topics.get("segmentation").title == {"en": "Customer segmentation", "zh": "客户细分"}
    assert topics.get("00").title == {"en": "Data check", "zh": "数据检查"}


def test_get_by_name_number_or_stem_and_a_clear_error() -> None:
    seg = topics.get("segmentation")
    assert topics.get("01") is seg and topics.get("01_segmentation") is seg and topics.get("01_segmentation.ipynb") is seg
    stems = ", ".join(t.stem for t in topics.TOPICS)
    with pytest.raises(LookupError, match=f"no topic 'no_such_topic' in crmbook.topics; the topics are: {stems}$"):
        topics.get("no_such_topic")


def test_tables_and_needs_name_real_tables_and_columns() -> None:
    for spec in topics.TOPICS:
        assert {"customers", "orders"} <= set(spec.required_tables)
        assert set(spec.required_tables) | set(spec.optional_tables) <= set(SCHEMAS)
        for need in spec.needs:
            assert set(need.label) == set(topics.LANGUAGES) and all(need.label.values())
            for ref in need.columns:
                table, column = ref.split(".")
                names = {c.name for c in SCHEMAS[table].columns}
                if column.endswith("_*"):  # a family of columns (surveys.rating_*), named by its prefix
                    continue
                assert column in names, ref
    assert topics.get("data_check").needs == ()
    seg = topics.get("segmentation")
    assert [n.key for n in seg.needs] == ["rfm", "abc", "key_accounts", "clusters", "age_bands", "gender_region",
                                          "market_share"]
    abc = seg.needs[1]
    assert (abc.months, abc.tables, abc.label["en"]) == (36, ("customers", "orders"),
                                                        "ABC classes with the two-year growth rule")
    assert seg.needs[-1].tables == ("customers", "orders", "market") and "market" in seg.optional_tables


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="missing: \\['zh'\\]"):
        topics.Need("x", {"en": "only English"})
    with pytest.raises(ValueError, match="column 'surveys.nps' must be 'table.column' of one of its tables"):
        topics.Need("x", {"en": "a", "zh": "b"}, columns=("surveys.nps",))
    with pytest.raises(ValueError, match="notebook must be 02_lifecycle.ipynb"):
        topics.TopicSpec("02", "lifecycle", "02_life.ipynb", "crmbook.lifecycle", {"en": "a", "zh": "b"})
    with pytest.raises(ValueError, match="uses tables \\['surveys'\\] the topic does not declare"):
        topics.TopicSpec("03", "satisfaction", "03_satisfaction.ipynb", "crmbook.satisfaction",
                         {"en": "a", "zh": "b"}, needs=(topics.Need("nps", {"en": "a", "zh": "b"},
                                                                    tables=("customers", "surveys")),))


def test_the_registry_imports_no_topic_package() -> None:
    code = ("import sys, crmbook.topics; "
            "print(sorted(m for m in sys.modules if m.startswith('crmbook')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['crmbook', 'crmbook.topics']"


def test_every_recorded_kpi_is_declared_once_and_headlines_are_recorded() -> None:
    """Each figure a stored notebook records has one declaration (kind, parameters, which way is better)."""
    import nbformat

    from crmbook.kpis import collect_kpis
    from crmbook.report import find_topics

    for topic in find_topics():
        recorded = collect_kpis(nbformat.read(topic.path, as_version=4), topic.name)
        names = [k["name"] for k in recorded]
        assert len(names) == len(set(names))
        for name in names:
            assert topics.kpi_spec(topic.name, name) is not None, f"{topic.stem}: KPI {name!r} not declared"
        assert set(topic.spec.headline) <= set(names), f"{topic.stem}: a headline KPI is never recorded"


def test_kpi_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="declared more than once"):
        topics.TopicSpec("09", "x", "09_x.ipynb", "p", {"en": "X", "zh": "X"},
                         kpis=(topics.KpiSpec("a", "count"), topics.KpiSpec("a", "share")))
    with pytest.raises(ValueError, match="no declaration"):
        topics.TopicSpec("09", "x", "09_x.ipynb", "p", {"en": "X", "zh": "X"}, headline=("b",))
    with pytest.raises(ValueError, match="kind"):
        topics.KpiSpec("a", "ratio")
    spec = topics.get("segmentation")
    assert spec.kpi("rfm_lost_share").better == "down" and spec.kpi("rfm_new_share").pattern == "rfm_*_share"
    assert spec.kpi("rfm_new_share").compared_on == ("data", "mapping", "rfm_bins")  # as_of: the time axis


def test_the_registry_knows_the_same_languages_as_the_context() -> None:
    from crmbook.context import LANGUAGES

    assert topics.LANGUAGES == tuple(LANGUAGES)
