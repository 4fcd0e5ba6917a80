"""Tests of the report runner (``crmbook run`` / ``crmbook topics``), on the fixture notebooks.

``tests/fixtures/notebooks/`` holds two tiny topic notebooks: ``00_alpha`` (a DataFrame with a customer
named ``<script>alert('x')</script>``, unsafe HTML and Markdown outputs, a formula, an image, a
``remove-cell`` and an ``exercise`` cell, two KPIs) and ``01_beta`` (one KPI; raises when ``fail`` is
true; reads ``data`` when it is a ``.csv`` path). Kernel starts cost ~1-2 s each, so the real runs are
made once per module (:func:`runs`) and the tests read what they left; the rest use a fake executor.
"""

from __future__ import annotations

import contextlib
import html
import html.parser
import io
import json
import os
import re
import threading
import time
from pathlib import Path

import nbformat
import pytest

from crmbook import cli, kpis, redact, report, topics
from crmbook.report import parameters, runner
from crmbook.report.runs import current_latest

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
PASSWORD = "Pw-s3cr3t!x"
URL = f"postgresql+psycopg://ana:{PASSWORD.replace('!', '%21')}@localhost:5432/crm"


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Four real runs into one reports folder: ok, ok (--show-code), notebook raises, data file broken."""
    out = tmp_path_factory.mktemp("reports")
    first = io.StringIO()
    ok = report.run_reports(data=URL, as_of="2025-06-30", params={"n_top": "2"}, out=out, jobs=2,
                            notebooks_dir=NOTEBOOKS, stream=first)
    latest_after_ok = os.readlink(out / "latest")
    second = io.StringIO()
    shown = report.run_reports(["beta"], data="sample", params={"threshold": "0.5"}, out=out,
                               show_code=True, notebooks_dir=NOTEBOOKS, stream=second)
    latest_after_second = os.readlink(out / "latest")
    raised = _cli(["run", "01", "--data", "sample", "-p", "fail", "true", "--out", str(out),
                   "--notebooks", str(NOTEBOOKS)])
    latest_after_raise = os.readlink(out / "latest")
    broken = _cli(["run", "01_beta", "--as-of", "2025-12-31", "--data", str(out / "missing.csv"), "--out", str(out),
                   "--notebooks", str(NOTEBOOKS)])
    timed_out = _cli(["run", "beta", "--data", "sample", "-p", "pause", "30", "--timeout", "1",
                      "--out", str(out), "--notebooks", str(NOTEBOOKS)])
    return {"out": out, "ok": ok, "timed_out": timed_out, "ok_log": first.getvalue(), "latest_after_ok": latest_after_ok,
            "shown": shown, "shown_log": second.getvalue(), "latest_after_second": latest_after_second,
            "raised": raised, "latest_after_raise": latest_after_raise, "broken": broken,
            "latest_after_broken": os.readlink(out / "latest")}


# --------------------------------------------------------------------------------------------------
# Real runs
# --------------------------------------------------------------------------------------------------


def test_successful_run_writes_reports_kpis_index_and_latest(runs: dict) -> None:
    ok, out = runs["ok"], runs["out"]
    assert ok.ok and ok.exit_code == 0 and ok.latest_switched
    folder = out / ok.run_id
    names = {p.name for p in folder.iterdir()}
    assert {"00_alpha.ipynb", "00_alpha.html", "01_beta.ipynb", "01_beta.html", "kpis.json", "index.html",
            "run.json"} <= names
    assert runs["latest_after_ok"] == ok.run_id
    assert (out / "latest" / "index.html").exists()

    content = json.loads((folder / "kpis.json").read_text())
    values = {(k["topic"], k["name"]): (k["value"], k["unit"]) for k in content["kpis"]}
    # alpha: revenue 300, 200, 100 -> top 2 = 500; beta: 4 rows * 10 + threshold 0.25
    assert values == {("alpha", "top_revenue"): (500.0, "CNY"), ("alpha", "customers"): (3, "customers"),
                      ("beta", "answer"): (40.25, "points")}
    labels = {k["name"]: k["label"] for k in content["kpis"]}
    assert labels["top_revenue"] == "Top revenue"
    run = content["run"]
    assert run["run_id"] == ok.run_id and run["status"] == "ok"
    assert run["as_of"] == "2025-06-30"
    assert run["parameters"]["n_top"] == 2  # converted to the declared int
    assert run["data"] == "postgresql+psycopg://ana@localhost:5432/crm"
    assert run["crmbook_version"] and run["started"] <= run["finished"]
    assert run["previous_run"] is None

    index = (folder / "index.html").read_text()
    assert 'href="00_alpha.html"' in index and 'href="01_beta.html"' in index
    assert "Top revenue" in index and "500.00" in index and "40.25" in index
    assert "no previous successful run" in index
    # the parameter reached the notebook, typed
    alpha = (folder / "00_alpha.html").read_text()
    assert "as of 2025-06-30, top 2, threshold 0.50" in alpha


def test_progress_names_notebook_cell_and_time(runs: dict) -> None:
    log = runs["ok_log"]
    assert re.search(r"\[1/2\] 00_alpha cell \d+/10 \(\d+\.\d s\)", log)
    assert re.search(r"\[2/2\] 01_beta done \(\d+\.\d s\)", log)


def test_kpi_change_since_previous_successful_run(runs: dict) -> None:
    shown, out = runs["shown"], runs["out"]
    assert shown.ok and runs["latest_after_second"] == shown.run_id
    meta = json.loads((out / shown.run_id / "kpis.json").read_text())["run"]
    assert meta["previous_run"] == runs["ok"].run_id
    index = (out / shown.run_id / "index.html").read_text()
    # answer went from 40.25 to 40.5, but on other data, date and threshold: no change is shown
    assert "40.50" in index and "+0.25" not in index
    assert ("not comparable: parameters changed (as_of 2025-06-30 \u2192 2025-12-31, data "
            "postgresql+psycopg://ana@localhost:5432/crm \u2192 sample, threshold 0.25 \u2192 0.5)") in index
    top = (out / "index.html").read_text()
    assert runs["ok"].run_id in top and shown.run_id in top


def test_failing_notebook_exits_1_names_cell_keeps_partial_and_latest(runs: dict) -> None:
    code, stdout, stderr = runs["raised"]
    assert code == 1
    assert "FAILED 01_beta at cell 6 (code cell 4" in stderr
    assert 'raise RuntimeError("beta failed on purpose")' in stderr
    assert "RuntimeError: beta failed on purpose" in stderr
    folder = Path(stdout.strip())
    assert json.loads((folder / "run.json").read_text())["status"] == "failed"
    partial = nbformat.read(folder / "01_beta.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in partial.cells for o in c.get("outputs", []))
    assert not (folder / "01_beta.html").exists()
    assert f"partly executed notebook kept: {folder / '01_beta.ipynb'}" in stderr
    # latest still at the last good run
    assert runs["latest_after_raise"] == runs["shown"].run_id
    assert (runs["out"] / "latest.txt").read_text().strip() == runs["latest_after_broken"]


def test_broken_data_file_exits_1_and_leaves_latest(runs: dict) -> None:
    code, _, stderr = runs["broken"]
    assert code == 1
    assert "FAILED 01_beta at cell 5 (code cell 3" in stderr and "FileNotFoundError" in stderr
    assert runs["latest_after_broken"] == runs["shown"].run_id


def test_cell_timeout_fails_the_notebook_naming_the_cell(runs: dict) -> None:
    code, _, stderr = runs["timed_out"]
    assert code == 1
    assert "FAILED 01_beta at cell 3 (code cell 2" in stderr and "time.sleep(pause)" in stderr
    assert "Timeout" in stderr
    assert "partly executed notebook kept" in stderr


def test_password_never_written_or_logged(runs: dict) -> None:
    out = runs["out"]
    forms = [PASSWORD, PASSWORD.replace("!", "%21")]
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for form in forms:
                assert form not in text, f"password found in {path}"
    for log in (runs["ok_log"], runs["shown_log"], runs["raised"][2], runs["broken"][2]):
        assert all(form not in log for form in forms)
    assert os.environ.get(redact.PASSWORD_ENV) != PASSWORD  # restored after the run
    # ... yet the kernel had it, through the environment
    alpha = (out / runs["ok"].run_id / "00_alpha.html").read_text()
    assert "password in environment: True" in alpha
    assert "data source: postgresql+psycopg://ana@localhost:5432/crm" in alpha


def test_scrubbing_leaves_a_normal_report_untouched(runs: dict) -> None:
    executed = nbformat.read(runs["out"] / runs["ok"].run_id / "00_alpha.ipynb", as_version=4)
    source = nbformat.read(NOTEBOOKS / "00_alpha.ipynb", as_version=4)
    own = [c.source for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    assert own == [c.source for c in source.cells]  # code and markdown exactly as written
    outputs = json.dumps([c.get("outputs", []) for c in executed.cells])
    assert "***" not in re.sub(r"\b[LH]\*\*\*", "", outputs)  # the only stars: the notebook's own masking


def test_script_in_customer_name_is_shown_as_text(runs: dict) -> None:
    alpha = (runs["out"] / runs["ok"].run_id / "00_alpha.html").read_text()
    assert "<script" not in alpha.lower()
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in alpha  # the DataFrame and the print
    assert alpha.count("&lt;script&gt;alert('x')") >= 2
    assert "&lt;script&gt;alert('html')" in alpha and "&lt;script&gt;alert('md')" in alpha
    assert "onerror" not in alpha
    assert "<b>bold</b>" in alpha and "<strong>done</strong>" in alpha  # safe markup kept


def test_html_opens_offline_with_embedded_images_and_mathml(runs: dict) -> None:
    for name in ("00_alpha.html", "01_beta.html"):
        page = (runs["out"] / runs["ok"].run_id / name).read_text()
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I), name
        assert not re.search(r"@import|url\(\s*['\"]?\s*(https?:)?//|@font-face", page, re.I), name
        assert "mathjax" not in page.lower() and "require.js" not in page.lower()
    alpha = (runs["out"] / runs["ok"].run_id / "00_alpha.html").read_text()
    assert '<math display="block">' in alpha and "<mfrac>" in alpha and '<math display="inline">' in alpha
    assert re.search(r'<img[^>]+src="data:image/png;base64,', alpha)


def test_toc_present_and_code_hidden_by_default(runs: dict) -> None:
    alpha = (runs["out"] / runs["ok"].run_id / "00_alpha.html").read_text()
    nav = re.search(r'<nav class="crmbook-toc".*?</nav>', alpha, re.S).group(0)
    # the title is the page's heading, above the contents, not an entry of them
    assert [t for t in re.findall(r'href="#([^"]+)"', nav)] == ["The-concept", "The-data", "The-figures"]
    assert '<h1 class="crmbook-title">Alpha fixture' in alpha
    assert 'id="The-concept"' in alpha
    assert "to_string" not in alpha and "record_kpi" not in alpha  # no code
    assert "SECRET-CELL-REMOVED" not in alpha  # remove-cell
    assert "EXERCISE-CELL" not in alpha and "how many customers" not in alpha  # exercise
    assert "injected" not in alpha.lower()


def test_show_code_shows_code_but_not_parameters_cells(runs: dict) -> None:
    beta = (runs["out"] / runs["shown"].run_id / "01_beta.html").read_text()
    assert "beta failed on purpose" in beta and "record_kpi" in beta
    assert "raise on purpose (tests)" not in beta  # the parameters cell's input stays hidden
    hidden = (runs["out"] / runs["ok"].run_id / "01_beta.html").read_text()
    assert "beta failed on purpose" not in hidden


# --------------------------------------------------------------------------------------------------
# Parameters, topics, config (no kernel)
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(runner, "execute_topic", boom)


def test_topics_command_lists_parameters_types_defaults_comments() -> None:
    code, stdout, _ = _cli(["topics", "--notebooks", str(NOTEBOOKS)])
    assert code == 0
    assert "00_alpha  (run with: crmbook run alpha)" in stdout
    assert re.search(r'n_top: int = 3\s+# how many top customers to list', stdout)
    assert re.search(r'data: str = "sample"\s+# data folder, file or SQLAlchemy URL', stdout)
    assert re.search(r"fail: bool = False\s+# raise on purpose \(tests\)", stdout)
    assert stdout.index("00_alpha") < stdout.index("01_beta")


def test_unknown_parameter_names_topics_that_accept_it(no_kernel: None) -> None:
    code, _, stderr = _cli(["run", "alpha", "--data", "sample", "-p", "fail", "true",
                            "--notebooks", str(NOTEBOOKS)])
    assert code == 2
    assert "unknown parameter 'fail'" in stderr and "it is a parameter of 01_beta" in stderr
    code, _, stderr = _cli(["run", "--data", "sample", "-p", "tresh", "1", "--notebooks", str(NOTEBOOKS)])
    assert code == 2 and "unknown parameter 'tresh'" in stderr and "did you mean threshold" in stderr


def test_wrong_type_is_usage_error_before_any_kernel(no_kernel: None, tmp_path: Path) -> None:
    code, _, stderr = _cli(["run", "--data", URL, "--as-of", "2025-12-31", "-p", "n_top", "three", "--out", str(tmp_path),
                            "--notebooks", str(NOTEBOOKS)])
    assert code == 2
    assert "parameter 'n_top' expects int (declared in 00_alpha), got 'three'" in stderr
    assert PASSWORD not in stderr
    assert list(tmp_path.iterdir()) == []  # nothing written
    code, _, stderr = _cli(["run", "nope", "--data", "sample", "--notebooks", str(NOTEBOOKS)])
    assert code == 2 and "unknown topic 'nope'" in stderr


def _leaky_executor(calls: list):
    """A fake executor whose notebook prints the password it finds in the environment, in every form."""
    from urllib.parse import quote, quote_plus

    def fake(topic, params, out_ipynb, **kwargs):
        pw = os.environ.get(redact.PASSWORD_ENV) or ""
        calls.append((topic.stem, dict(params), pw))
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Leaky"),
                                             nbformat.v4.new_code_cell("import pandas as pd")])
        nb.cells[1].outputs = [
            nbformat.v4.new_output("stream", name="stdout",
                                   text=f"{pw} {quote(pw, safe='')} {quote_plus(pw)} import pandas as pd\n"),
            nbformat.v4.new_output("display_data", data={"text/html": f"<b>{html.escape(pw)}</b>",
                                                         "text/plain": pw}),
            nbformat.v4.new_output("display_data", data={
                kpis.KPI_MIME: {"name": "n", "value": 1, "unit": "", "label": f"pw {pw}", "topic": None},
                "text/plain": "KPI n = 1"}),
        ]
        nbformat.write(nb, out_ipynb)
        return nb, None

    return fake


@pytest.mark.parametrize(("url", "bare", "password"), [
    ("postgresql+psycopg://ana:s3cr/et@db.example/crm", "postgresql+psycopg://ana@db.example/crm", "s3cr/et"),
    ("postgresql+psycopg://ana:p%40ss%23w@db.example/crm", "postgresql+psycopg://ana@db.example/crm", "p@ss#w"),
    ("postgresql+psycopg://ana@db.example/crm?password=q%3Fw%2Be", "postgresql+psycopg://ana@db.example/crm",
     "q?w+e"),
])
def test_password_with_special_characters_never_reaches_files_or_log(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, bare: str, password: str) -> None:
    from urllib.parse import quote, quote_plus

    monkeypatch.delenv(redact.PASSWORD_ENV, raising=False)
    calls: list = []
    monkeypatch.setattr(runner, "execute_topic", _leaky_executor(calls))
    code, stdout, stderr = _cli(["run", "alpha", "--as-of", "2025-12-31", "--data", url, "--out", str(tmp_path),
                                 "--notebooks", str(NOTEBOOKS)])
    assert code == 0, stderr
    (_, params, env_pw), = calls
    assert params["data"] == bare and env_pw == password  # out of the parameter, into the environment
    forms = {password, quote(password), quote(password, safe=""), quote_plus(password)}
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"00_alpha.ipynb", "00_alpha.html", "run.json", "kpis.json", "index.html"}
    for path in written:
        text = path.read_text(errors="replace")
        assert not [f for f in forms if f in text], path
    assert not [f for f in forms if f in stdout + stderr]
    executed = (Path(stdout.strip()) / "00_alpha.ipynb").read_text()
    assert "*** *** *** import pandas as pd" in executed  # scrubbed, and nothing else touched
    assert json.loads((Path(stdout.strip()) / "run.json").read_text())["data"] == bare
    assert os.environ.get(redact.PASSWORD_ENV) is None


def test_password_in_environment_is_scrubbed_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(redact.PASSWORD_ENV, "Env/p@ss?#w0rd")
    monkeypatch.setattr(runner, "execute_topic", _leaky_executor([]))
    code, stdout, stderr = _cli(["run", "alpha", "--as-of", "2025-12-31", "--data", "postgresql+psycopg://ana@db.example/crm",
                                 "--out", str(tmp_path), "--notebooks", str(NOTEBOOKS)])
    assert code == 0, stderr
    for path in (p for p in tmp_path.rglob("*") if p.is_file()):
        text = path.read_text(errors="replace")
        assert "Env/p@ss" not in text and "Env%2Fp%40ss" not in text and "p@ss" not in text, path
    assert "*** *** *** import pandas as pd" in (Path(stdout.strip()) / "00_alpha.ipynb").read_text()
    assert os.environ[redact.PASSWORD_ENV] == "Env/p@ss?#w0rd"  # left as it was


def _leaky_notebook(folder: Path, name: str, fail: bool) -> None:
    """A real topic notebook that prints ``CRMBOOK_DB_PASSWORD`` in every form (and raises with it)."""
    meta = nbformat.read(NOTEBOOKS / "00_alpha.ipynb", as_version=4).metadata
    cells = [
        nbformat.v4.new_markdown_cell("# Leak"),
        nbformat.v4.new_code_cell('data: str = "sample"  # data\nas_of: str = "2025-12-31"  # date',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import os\nfrom urllib.parse import quote, quote_plus\n\nfrom IPython.display import HTML\n\n"
            "from crmbook.kpis import record_kpi\n\n"
            'pw = os.environ.get("CRMBOOK_DB_PASSWORD")\n'
            'print(pw, quote(pw, safe=""), quote_plus(pw), "password length", len(pw))\n'
            'record_kpi("leak", len(pw), label=f"pw {pw}")\n'
            'HTML(f"<p>html {pw}</p>")'),
    ]
    if fail:
        cells.append(nbformat.v4.new_code_cell('raise RuntimeError(f"cannot connect with {pw}")'))
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=meta), folder / name)


def test_kernel_printing_the_environment_password_leaks_nothing(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    from urllib.parse import quote, quote_plus

    secret = "Env/p@ss?#w0rd"
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _leaky_notebook(notebooks, "00_leak.ipynb", fail=False)
    _leaky_notebook(notebooks, "01_leakfail.ipynb", fail=True)
    monkeypatch.setenv(redact.PASSWORD_ENV, secret)
    out = tmp_path / "reports"
    code, stdout, stderr = _cli(["run", "--as-of", "2025-12-31", "--data", "postgresql+psycopg://ana@db.example/crm", "--jobs", "2",
                                 "--out", str(out), "--notebooks", str(notebooks)])
    assert code == 1  # 01_leakfail raised, with the password in its message
    assert "FAILED 01_leakfail" in stderr and "RuntimeError: cannot connect with ***" in stderr
    forms = {secret, quote(secret), quote(secret, safe=""), quote_plus(secret), html.escape(secret), "p@ss"}
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"00_leak.ipynb", "00_leak.html", "01_leakfail.ipynb", "kpis.json",
                                         "run.json", "index.html"}
    for path in written:
        text = path.read_text(errors="replace")
        assert not [f for f in forms if f in text], path
    assert not [f for f in forms if f in stdout + stderr]
    folder = Path(stdout.strip())
    page = (folder / "00_leak.html").read_text()
    assert "*** *** *** password length 14" in page and "html ***" in page  # it ran, and was scrubbed
    assert json.loads((folder / "kpis.json").read_text())["kpis"][0]["label"] == "pw ***"
    assert "cannot connect with ***" in (folder / "01_leakfail.ipynb").read_text()


@pytest.mark.parametrize(("data", "env", "message"), [
    ("postgresql://ana:abc@db/crm", None, "password in the URL is shorter than 4 characters"),
    ("postgresql://ana@db/crm", "abc", "password in CRMBOOK_DB_PASSWORD is shorter than 4 characters"),
    ("postgresql://ana:p@ss@db/crm", None, "more than one '@'"),
    ("postgresql://ana:Hush-9x@db:port/crm", None, "cannot be read as one"),
])
def test_bad_url_or_short_password_is_usage_error(no_kernel: None, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path, data: str, env: str | None,
                                                  message: str) -> None:
    if env is None:
        monkeypatch.delenv(redact.PASSWORD_ENV, raising=False)
    else:
        monkeypatch.setenv(redact.PASSWORD_ENV, env)
    code, stdout, stderr = _cli(["run", "alpha", "--as-of", "2025-12-31", "--data", data, "--out", str(tmp_path / "r"),
                                 "--notebooks", str(NOTEBOOKS)])
    assert code == 2 and message in stderr and stdout == ""
    assert "p@ss" not in stderr and "Hush" not in stderr and ":abc" not in stderr
    assert not (tmp_path / "r").exists()


def test_missing_project_notebooks_folder_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.setattr(parameters, "default_notebooks_dir", lambda: tmp_path / "site-packages" / "notebooks")
    for argv in (["topics"], ["run", "--data", "sample", "--out", str(tmp_path / "r")]):
        code, _, stderr = _cli(argv)
        assert code == 2, argv
        assert "does not exist" in stderr and "pip install -e ." in stderr and "--notebooks" in stderr
    code, _, _ = _cli(["topics", "--notebooks", str(NOTEBOOKS)])
    assert code == 0


# --------------------------------------------------------------------------------------------------
# Config and concurrency through the runner, with a fake executor
# --------------------------------------------------------------------------------------------------


def _fake_executor(calls: list, delay: float = 0.0):
    def fake(topic, params, out_ipynb, **kwargs):
        calls.append((topic.stem, dict(params), os.environ.get(redact.PASSWORD_ENV)))
        time.sleep(delay)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Fake"),
                                             nbformat.v4.new_code_cell("x")])
        nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={
            kpis.KPI_MIME: {"name": "n", "value": params.get("n_top", 1), "unit": "", "label": "n",
                              "topic": None}, "text/plain": "n"})]
        nbformat.write(nb, out_ipynb)
        return nb, None

    return fake


def test_config_file_and_p_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list = []
    monkeypatch.setattr(runner, "execute_topic", _fake_executor(calls))
    cfg = tmp_path / "c.yaml"
    cfg.write_text("n_top: 4\nthreshold: 0.9\n")
    code, _, _ = _cli(["run", "alpha", "--as-of", "2025-12-31", "--data", URL, "--config", str(cfg), "-p", "n_top", "6",
                       "--out", str(tmp_path / "r"), "--notebooks", str(NOTEBOOKS)])
    assert code == 0
    (stem, params, env_pw), = calls
    assert params == {"n_top": 6, "threshold": 0.9, "data": "postgresql+psycopg://ana@localhost:5432/crm",
                      "as_of": "2025-12-31"}
    assert env_pw == PASSWORD
    assert os.environ.get(redact.PASSWORD_ENV) != PASSWORD


def test_unmasked_run_is_flagged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(runner, "execute_topic", _fake_executor([]))
    log = io.StringIO()
    result = report.run_reports(["beta"], data="sample", params={"mask_personal": "no"}, out=tmp_path,
                                notebooks_dir=NOTEBOOKS, stream=log)
    assert "personal data (names, phones, e-mails) is NOT masked in 01_beta" in log.getvalue()
    assert "is not masked in this run" in (result.folder / "index.html").read_text()
    masked = report.run_reports(["beta"], data="sample", out=tmp_path, notebooks_dir=NOTEBOOKS, stream=log)
    assert "not masked" not in (masked.folder / "index.html").read_text()


def test_two_runs_at_once_do_not_corrupt_each_other(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list = []
    monkeypatch.setattr(runner, "execute_topic", _fake_executor(calls, delay=0.3))
    results: dict = {}

    def go(key: str, n: str) -> None:
        results[key] = report.run_reports(data="sample", params={"n_top": n}, out=tmp_path, jobs=2,
                                          notebooks_dir=NOTEBOOKS, stream=None)

    first = threading.Thread(target=go, args=("a", "1"))
    second = threading.Thread(target=go, args=("b", "2"))
    first.start()
    time.sleep(0.05)
    second.start()
    first.join()
    second.join()
    a, b = results["a"], results["b"]
    assert a.run_id != b.run_id and a.ok and b.ok
    for res, n in ((a, 1), (b, 2)):
        content = json.loads((tmp_path / res.run_id / "kpis.json").read_text())
        assert content["run"]["run_id"] == res.run_id
        assert [k["value"] for k in content["kpis"] if k["topic"] == "alpha"] == [n]
    assert os.readlink(tmp_path / "latest") == b.run_id  # the newer run, whichever finished last
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp") or p.name.endswith(".tmp")]
    top = (tmp_path / "index.html").read_text()
    assert a.run_id in top and b.run_id in top


# --------------------------------------------------------------------------------------------------
# HTML and KPI helpers
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# End to end on the project's own notebooks (slow: real analyses)
# --------------------------------------------------------------------------------------------------

REAL_TOPICS = report.find_topics() if report.default_notebooks_dir().is_dir() else []
needs_real = pytest.mark.skipif(not REAL_TOPICS, reason="no topic notebooks in notebooks/ yet")


@pytest.mark.slow
@needs_real
def test_sample_suite_end_to_end(tmp_path: Path) -> None:
    code, stdout, stderr = _cli(["run", "--data", "sample", "--jobs", "2", "--out", str(tmp_path)])
    assert code == 0, stderr
    folder = Path(stdout.strip())
    assert os.readlink(tmp_path / "latest") == folder.name
    for topic in REAL_TOPICS:
        page = (folder / f"{topic.stem}.html").read_text()
        assert "<script" not in page.lower() and 'class="crmbook-toc"' in page
    kpis = json.loads((folder / "kpis.json").read_text())["kpis"]
    assert {k["notebook"] for k in kpis} == {t.stem for t in REAL_TOPICS}
    assert "href" in (folder / "index.html").read_text()
    # every figure equals the one stored in the committed notebook (its last refresh, run by hand): the run's
    # one check and snapshot, and the engine behind the facts, change no result
    import nbformat

    from crmbook.kpis import collect_kpis

    for topic in REAL_TOPICS:
        stored = collect_kpis(nbformat.read(topic.path, as_version=4), topic.name, topic.stem)
        ran = [k for k in kpis if k["notebook"] == topic.stem]
        assert stored, topic.stem
        assert [(k["name"], k["value"]) for k in ran] == [(k["name"], k["value"]) for k in stored], topic.stem


@pytest.mark.slow
@needs_real
def test_real_notebook_on_broken_data_exits_1_and_keeps_latest(tmp_path: Path) -> None:
    good = tmp_path / "reports"
    good.mkdir()
    (good / "latest.txt").write_text("earlier-run\n")
    os.symlink("earlier-run", good / "latest")
    broken = tmp_path / "data"
    broken.mkdir()
    (broken / "customers.csv").write_text("customer_id,signup_date\nC1,2024-01-01\n")
    (broken / "orders.csv").write_text("order_id,customer_id\nO1,C1\n")  # no order_date, no revenue
    first = REAL_TOPICS[0]
    code, _, stderr = _cli(["run", first.stem, "--as-of", "2025-12-31", "--data", str(broken), "--out", str(good)])
    assert code == 1
    assert f"FAILED {first.stem} at cell" in stderr
    assert "required column order_date is missing" in stderr
    assert os.readlink(good / "latest") == "earlier-run"
    assert (good / "latest.txt").read_text() == "earlier-run\n"


@pytest.mark.slow
@pytest.mark.postgres
@needs_real
def test_database_password_never_reaches_the_outputs(pg_server, tmp_path: Path) -> None:
    import sqlalchemy as sa
    from conftest import crm_customers, crm_orders

    schema = "crmbook_report_test"
    engine = sa.create_engine(pg_server.url(with_password=True))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        crm_customers().to_sql("customers", conn, schema=schema, index=False)
        crm_orders().astype({"revenue": float}).to_sql("orders", conn, schema=schema, index=False)
    engine.dispose()
    url = pg_server.url(with_password=True) + f"?options=-csearch_path%3D{schema}"
    assert pg_server.password in url
    topic = next(t for t in REAL_TOPICS if t.name == "data_check") if any(
        t.name == "data_check" for t in REAL_TOPICS) else REAL_TOPICS[0]
    code, stdout, stderr = _cli(["run", topic.stem, "--data", url, "--as-of", "2025-12-31",
                                 "--out", str(tmp_path)])
    assert code == 0, stderr
    assert pg_server.password not in stdout + stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert pg_server.password not in path.read_text(errors="replace"), path
    kpis = json.loads((Path(stdout.strip()) / "kpis.json").read_text())
    assert "@" in kpis["run"]["data"] and pg_server.password not in kpis["run"]["data"]
    assert kpis["kpis"], "the notebook read the database and recorded figures"


@pytest.mark.slow
def test_rejected_rows_whole_list_lands_in_the_run_folder(tmp_path: Path) -> None:
    """Notebook 00 on data with rows set aside: the report shows the first 20 and links the whole CSV."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "datasets" / "sample", data)
    orders = (data / "orders.csv").read_text(encoding="utf-8").splitlines()
    bad = [line.replace(line.split(",")[0], f"BAD{i}", 1) for i, line in enumerate(orders[1:26])]
    bad = [",".join(f if j != orders[0].split(",").index("revenue") else "-5" for j, f in enumerate(b.split(",")))
           for b in bad]
    (data / "orders.csv").write_text("\n".join(orders + bad) + "\n", encoding="utf-8")
    code, stdout, stderr = _cli(["run", "00", "--data", str(data), "--as-of", "2025-12-31", "--out", str(tmp_path / "r")])
    assert code == 0, stderr
    folder = Path(stdout.strip())
    whole = folder / "00_data_check_files" / "rejected_rows.csv"
    # a header, the 25 rows added here and the sample's own 10 rows set aside (its defects)
    assert whole.exists() and len(whole.read_text(encoding="utf-8").splitlines()) == 1 + 25 + 10
    page = (folder / "00_data_check.html").read_text(encoding="utf-8")
    assert "20 of 35 rows shown; the whole list is in" in page
    assert '<a href="00_data_check_files/rejected_rows.csv">rejected_rows.csv</a>' in page


def test_slowest_notebooks_start_first_by_declared_cost_then_by_the_last_run(monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    # one notebook at a time, so the start order is the order of the calls
    calls: list = []
    monkeypatch.setattr(runner, "execute_topic", _fake_executor(calls))
    out = tmp_path / "r"
    code, _, _ = _cli(["run", "--data", "sample", "--jobs", "1", "--out", str(out)])
    assert code == 0
    by_cost = [t.stem for t in sorted(topics.TOPICS, key=lambda t: -t.cost)]
    assert [c[0] for c in calls] == by_cost and by_cost[-1] == "00_data_check"  # a fresh folder: by cost
    # the last good run's seconds win over the declared costs: make the data check the slowest
    meta_file = out / current_latest(out) / "run.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    for nb in meta["notebooks"]:
        nb["seconds"] = 99.0 if nb["topic"] == "00_data_check" else 1.0
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    calls.clear()
    assert _cli(["run", "--data", "sample", "--jobs", "1", "--out", str(out)])[0] == 0
    assert calls[0][0] == "00_data_check"
