"""Tests of crmbook.report.parameters: topic notebooks, their ``parameters`` cells, checking values."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from crmbook import report, topics
from crmbook.report import parameters

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


def test_parse_parameters_reads_types_defaults_and_comments_with_quotes() -> None:
    # Papermill's own reader gives up on these lines (a quote in the comment); ours must not
    source = ('data: str = "sample"  # data folder; "sample" = the bundled case company\n'
              'mapping: str = ""  # column-mapping file; "" = crmbook\'s names\n'
              "k_max: int = 8\n"
              "share = 0.2  # no annotation: the type of the default\n"
              "segments: list = ['a', 'b']  # a list\n")
    params = report.parse_parameters(source)
    assert list(params) == ["data", "mapping", "k_max", "share", "segments"]
    assert params["data"] == report.Parameter("data", "str", "sample",
                                              'data folder; "sample" = the bundled case company', '"sample"')
    assert params["mapping"].help == "column-mapping file; \"\" = crmbook's names"
    assert (params["k_max"].type, params["k_max"].default, params["k_max"].help) == ("int", 8, "")
    assert (params["share"].type, params["share"].default) == ("float", 0.2)
    assert params["segments"].default == ["a", "b"]
    topics = [report.Topic("01", "x", Path("01_x.ipynb"), params)]
    assert report.check_parameters({"segments": "['c']"}, topics)["01_x"] == {"segments": ["c"]}
    with pytest.raises(report.UsageError, match="not valid Python"):
        report.parse_parameters("x: int = (")


def test_find_and_select_topics() -> None:
    topics = report.find_topics(NOTEBOOKS)
    assert [t.stem for t in topics] == ["00_alpha", "01_beta"]
    beta = topics[1]
    assert beta.parameters["threshold"] == report.Parameter("threshold", "float", 0.25, "another threshold",
                                                            "0.25")
    for name in ("beta", "01", "1", "01_beta", "01_beta.ipynb"):
        assert report.select_topics([name], topics) == [beta]
    assert report.select_topics(["beta", "alpha"], topics) == topics  # numbered order
    assert report.select_topics([], topics) == topics
    with pytest.raises(report.UsageError, match="unknown topic 'gamma'; the topics are: 00_alpha, 01_beta"):
        report.select_topics(["gamma"], topics)


def test_check_parameters_converts_and_routes_to_topics() -> None:
    topics = report.find_topics(NOTEBOOKS)
    import datetime as dt

    got = report.check_parameters({"n_top": "5", "threshold": "0.7", "mask_personal": "false",
                                   "fail": True, "as_of": dt.date(2024, 12, 31)}, topics)
    assert got["00_alpha"] == {"n_top": 5, "threshold": 0.7, "mask_personal": False, "as_of": "2024-12-31"}
    assert got["01_beta"] == {"threshold": 0.7, "mask_personal": False, "fail": True, "as_of": "2024-12-31"}
    assert isinstance(got["00_alpha"]["threshold"], float)
    with pytest.raises(report.UsageError, match=r"'n_top' expects int \(declared in 00_alpha\), got '2.5'"):
        report.check_parameters({"n_top": "2.5"}, topics)
    with pytest.raises(report.UsageError, match=r"'threshold' expects float \(declared in 00_alpha, 01_beta\)"):
        report.check_parameters({"threshold": "high"}, topics)
    with pytest.raises(report.UsageError, match=r"'mask_personal' expects bool"):
        report.check_parameters({"mask_personal": "maybe"}, topics)
    with pytest.raises(report.UsageError, match=r"'n_top' expects int"):
        report.check_parameters({"n_top": True}, topics)
    with pytest.raises(report.UsageError, match="as_of' expects a date YYYY-MM-DD"):
        report.check_parameters({"as_of": "31/12/2025"}, topics)


def test_load_config_yaml_and_toml(tmp_path: Path) -> None:
    yml = tmp_path / "params.yaml"
    yml.write_text("n_top: 7\nthreshold: 0.3\nas_of: 2025-03-31\nmask-personal: false\n")
    toml = tmp_path / "params.toml"
    toml.write_text('[parameters]\nn_top = 7\nthreshold = 0.3\nas_of = "2025-03-31"\nmask_personal = false\n')
    topics = report.find_topics(NOTEBOOKS)
    expected = {"n_top": 7, "threshold": 0.3, "as_of": "2025-03-31", "mask_personal": False}
    for path in (yml, toml):
        assert report.check_parameters(report.load_config(path), topics[:1])["00_alpha"] == expected
    bad = tmp_path / "bad.toml"
    bad.write_text("n_top = [1, 2]\n")
    with pytest.raises(report.UsageError, match="'n_top' must be a single value"):
        report.load_config(bad)
    with pytest.raises(report.UsageError, match="cannot read config file"):
        report.load_config(tmp_path / "missing.yaml")
    (tmp_path / "p.ini").write_text("x=1")
    with pytest.raises(report.UsageError, match="use a .yaml, .yml or .toml file"):
        report.load_config(tmp_path / "p.ini")


def test_project_notebooks_are_the_registered_topics() -> None:
    found = report.find_topics()
    assert [t.stem for t in found] == [s.stem for s in topics.TOPICS]
    assert [t.spec for t in found] == list(topics.TOPICS)
    assert all(t.path == report.default_notebooks_dir() / t.spec.notebook and t.parameters for t in found)
    assert report.find_topics(report.default_notebooks_dir()) == found  # the same folder, named


def test_registered_notebook_missing_or_undeclared_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setattr(parameters, "default_notebooks_dir", lambda: tmp_path)
    nb = nbformat.read(NOTEBOOKS / "00_alpha.ipynb", as_version=4)
    nbformat.write(nb, tmp_path / "00_data_check.ipynb")
    nbformat.write(nb, tmp_path / "07_extra.ipynb")
    with pytest.raises(report.UsageError) as info:
        report.find_topics()
    message = str(info.value)
    assert f"topic 01_segmentation is declared in crmbook.topics but its notebook {tmp_path / '01_segmentation.ipynb'}" \
           " is missing" in message
    assert f"notebook {tmp_path / '07_extra.ipynb'} is not declared in crmbook.topics" in message
    assert "lib/crmbook/topics.py" in message


def test_another_folder_takes_every_numbered_notebook_with_its_declaration(tmp_path: Path) -> None:
    assert [t.spec for t in report.find_topics(NOTEBOOKS)] == [None, None]
    nb = nbformat.read(NOTEBOOKS / "00_alpha.ipynb", as_version=4)
    nbformat.write(nb, tmp_path / "05_segmentation.ipynb")  # an analyst's own copy, renumbered
    nbformat.write(nb, tmp_path / "06_churn.ipynb")
    nbformat.write(nb, tmp_path / "notes.ipynb")  # not NN_name: not a topic
    own = report.find_topics(tmp_path)
    assert [(t.stem, t.spec) for t in own] == [("05_segmentation", topics.get("segmentation")), ("06_churn", None)]


def test_describe_topics_shows_registered_titles() -> None:
    text = report.describe_topics()
    assert "00_data_check  Data check / 数据检查  (run with: crmbook run data_check)" in text
    assert "01_segmentation  Customer segmentation / 客户细分  (run with: crmbook run segmentation)" in text
    assert "00_alpha  (run with: crmbook run alpha)\n" in report.describe_topics(NOTEBOOKS)  # no title


def test_an_unknown_report_language_is_a_usage_error_before_any_kernel(tmp_path) -> None:
    topics_ = report.find_topics()
    with pytest.raises(report.UsageError, match="'language' expects one of en, zh"):
        report.check_parameters({"language": "fr"}, topics_)
    assert report.check_parameters({"language": "zh"}, topics_)["01_segmentation"]["language"] == "zh"


def test_names_moved_out_of_the_runner_still_import_with_a_warning() -> None:
    from crmbook import kpis

    with pytest.warns(DeprecationWarning, match="crmbook.kpis.record_kpi"):
        assert report.record_kpi is kpis.record_kpi
    with pytest.raises(AttributeError):
        report.no_such_name  # noqa: B018


def test_parameters_are_read_from_the_notebook_json_and_a_broken_file_is_named(tmp_path: Path) -> None:
    # the parameters cell as nbformat writes it (source as one string) and as Jupyter saves it (a list of lines)
    for as_lines in (False, True):
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell('rows: int = 5  # how many rows\nname: str = "a#b"\n',
                                         metadata={"tags": ["parameters"]})
        nb.cells = [nbformat.v4.new_markdown_cell("# title"), cell]
        path = tmp_path / "01_x.ipynb"
        nbformat.write(nb, path)
        if as_lines:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw["cells"][1]["source"] = cell.source.splitlines(keepends=True)
            path.write_text(json.dumps(raw), encoding="utf-8")
        (topic,) = report.find_topics(tmp_path)
        assert {n: (p.type, p.default, p.help) for n, p in topic.parameters.items()} == {
            "rows": ("int", 5, "how many rows"), "name": ("str", "a#b", "")}
    (tmp_path / "01_x.ipynb").write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(report.UsageError, match=r"cannot read notebook 01_x\.ipynb"):
        report.find_topics(tmp_path)
