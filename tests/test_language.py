"""crmbook.language: text catalogues in every report language, Narrative, escaping of data values."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crmbook.context import LANGUAGES, Context
from crmbook.language import Catalogue, Narrative, catalogue, escape_text, join_names, placeholders

LIB = Path(__file__).resolve().parents[1] / "lib" / "crmbook"
CATALOGUE_PACKAGES = sorted(
    "crmbook" + ("." + ".".join(p.parent.parent.relative_to(LIB).parts) if p.parent.parent != LIB else "")
    for p in LIB.rglob("text/en.yaml"))


def test_every_package_with_texts_is_found():
    assert {"crmbook", "crmbook.data_check", "crmbook.segmentation", "crmbook.satisfaction",
            "crmbook.lifecycle", "crmbook.costing", "crmbook.roi"} <= set(CATALOGUE_PACKAGES)


@pytest.mark.parametrize("package", CATALOGUE_PACKAGES)
def test_every_language_has_the_same_keys_and_placeholders(package):
    cat = Catalogue(package)
    english = cat.texts["en"]
    for language in LANGUAGES:
        texts = cat.texts[language]
        assert set(texts) == set(english), f"{package} {language}: keys differ from en"
        for key, template in english.items():
            assert placeholders(texts[key]) == placeholders(template), f"{package} {language}: {key}"
            assert str(texts[key]).strip(), f"{package} {language}: {key} is empty"


@pytest.mark.parametrize("package", CATALOGUE_PACKAGES)
def test_column_declarations_have_a_kind_and_every_label(package):
    source = LIB.joinpath(*package.split(".")[1:], "text", "columns.yaml")
    if not source.is_file():
        pytest.skip(f"{package} declares no columns")
    for name, spec in (yaml.safe_load(source.read_text(encoding="utf-8")) or {}).items():
        assert spec.get("kind"), name
        assert all(spec.get(lang) for lang in LANGUAGES), name


def test_say_fills_escapes_and_picks_plural_forms(tmp_path, monkeypatch):
    pkg = tmp_path / "demo_texts"
    (pkg / "text").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "text" / "en.yaml").write_text(
        'orders: {one: "{count} order in {region}", other: "{count:,} orders in {region}"}\n', encoding="utf-8")
    (pkg / "text" / "zh.yaml").write_text('orders: "{region}有 {count:,} 笔订单"\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    cat = Catalogue("demo_texts")
    assert cat.say("orders", "en", count=1, region="East") == "1 order in East"
    assert cat.say("orders", "en", count=1200, region="East") == "1,200 orders in East"
    assert cat.say("orders", Context("2025-12-31", language="zh"), count=3, region="华东") == "华东有 3 笔订单"
    # a data value is text: no live HTML, no Markdown emphasis
    assert cat.say("orders", "en", count=2, region="<b>x</b>*y*") == "2 orders in &lt;b&gt;x&lt;/b&gt;\\*y\\*"
    assert cat.say("orders", "en", count=2, region="<b>", escape=False) == "2 orders in <b>"
    with pytest.raises(KeyError, match="needs the value"):
        cat.say("orders", "en", count=2)
    with pytest.raises(KeyError, match="no text 'nothing'"):
        cat.say("nothing", "en")
    with pytest.raises(ValueError, match="language"):
        cat.say("orders", "fr", count=2, region="x")


def test_escape_text_and_join_names():
    assert escape_text("a_b <i>") == "a\\_b &lt;i&gt;"
    assert join_names(["East", "West", "North"], "en") == "East, West and North"
    assert join_names(["华东", "华南", "华北"], "zh") == "华东、华南和华北"
    assert join_names(["East"], "en") == "East" and join_names([], "zh") == ""


def test_narrative_renders_itself_as_markdown():
    n = Narrative(["A is 1.", "", "B is 2."], lead="Interpretation.")
    assert list(n) == ["A is 1.", "B is 2."]  # empty sentences are dropped
    assert n._repr_markdown_() == "**Interpretation.** A is 1. B is 2."
    zh = Narrative(["甲为 1。", "乙为 2。"], lead="解读：", language="zh")
    assert zh._repr_markdown_() == "**解读：** 甲为 1。乙为 2。"
    bullets = Narrative(["one", "two"], bullets=True)
    assert bullets._repr_markdown_() == "- one\n- two"


def test_shared_catalogue_is_cached():
    assert catalogue("crmbook") is catalogue("crmbook")


@pytest.mark.parametrize("package", CATALOGUE_PACKAGES)
def test_translated_headings_exist_in_the_topic_notebook(package):
    """Every heading a topic translates is a heading of its notebook (a renamed heading is not lost)."""
    import json
    import re

    from crmbook.language import headings
    from crmbook.topics import TOPICS

    spec = next((t for t in TOPICS if t.package == package), None)
    if spec is None or not headings(package, "zh"):
        pytest.skip(f"{package} translates no headings")
    notebook = Path(__file__).resolve().parents[1] / "notebooks" / spec.notebook
    written = {m.group(1) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
               if c["cell_type"] == "markdown"
               for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", "".join(c["source"]), re.M)}
    assert set(headings(package, "zh")) <= written
