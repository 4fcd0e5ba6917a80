"""The crmbook command line: sample and validate, exit codes and messages (run/topics: test_report*.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crmbook import cli
from crmbook.data import check

ROOT = Path(__file__).resolve().parents[1]


def test_sample_command_writes_a_valid_data_set(tmp_path, capsys):
    assert cli.main(["sample", "--customers", "60", "--seed", "3", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert {Path(p).name for p in printed} >= {"customers.csv", "orders.csv", "truth.json"}
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert len(truth["prospects"]["customer_id"]) == 1  # 1.5 % of 60 customers, at least one
    assert len(pd.read_csv(tmp_path / "customers.csv")) == 60 + 1
    ds = check(tmp_path, as_of="2025-12-31")
    aside = sorted((d["table"], d["row"], d["reason"]) for d in truth["defects"] if d["reason"] != "out of range")
    assert ds.usable and sorted(ds.rejected[["table", "row", "reason"]].itertuples(index=False, name=None)) == aside


def test_sample_command_in_parquet(tmp_path):
    assert cli.main(["sample", "--customers", "50", "--out", str(tmp_path), "--format", "parquet"]) == 0
    assert len(pd.read_parquet(tmp_path / "customers.parquet")) == 50 + 1  # and one prospect who never ordered


def test_sample_command_with_a_longer_busier_history(tmp_path, capsys):
    """--start and --purchase-rate reach the generator: the truth records them, the orders start on the new
    first day, and there are more of them than with the defaults; a bad date is a usage error."""
    assert cli.main(["sample", "--customers", "200", "--seed", "3", "--out", str(tmp_path / "plain")]) == 0
    assert cli.main(["sample", "--customers", "200", "--seed", "3", "--out", str(tmp_path / "busy"),
                     "--start", "2016-01-01", "--purchase-rate", "3"]) == 0
    truth = json.loads((tmp_path / "busy" / "truth.json").read_text(encoding="utf-8"))
    assert truth["generator"]["start"] == "2016-01-01" and truth["generator"]["purchase_rate"] == 3.0
    assert truth["bgnbd"]["alpha"] == 20.0
    plain, busy = (pd.read_csv(tmp_path / d / "orders.csv") for d in ("plain", "busy"))
    assert busy["order_date"].min() >= "2016-01-01" and len(busy) > 1.5 * len(plain)
    capsys.readouterr()
    assert cli.main(["sample", "--customers", "60", "--out", str(tmp_path / "bad"), "--start", "2016-1-1"]) == 2
    err = capsys.readouterr().err
    assert "start must be a date YYYY-MM-DD, got '2016-1-1'" in err and "Traceback" not in err


def test_sample_command_rejects_a_too_small_company(tmp_path, capsys):
    assert cli.main(["sample", "--customers", "10", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "n_customers must be an integer >= 50, got 10" in err and "Traceback" not in err


def test_validate_exit_codes_through_the_installed_command():
    exe = Path(sys.executable).with_name("crmbook")
    good = subprocess.run([str(exe), "validate", "--data", "sample", "--as-of", "2025-12-31"],
                          capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    assert "USABLE" in good.stdout
    bad = subprocess.run([str(exe), "validate", "--data", str(ROOT / "tests" / "fixtures" / "unusable"),
                          "--as-of", "2025-12-31"],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "orders.csv" in bad.stderr and "revenue" in bad.stderr


def test_validate_on_a_missing_source_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["validate", "--data", str(tmp_path / "nowhere"), "--as-of", "2025-12-31"]) == 1
    err = capsys.readouterr().err
    assert "nowhere" in err and "does not exist" in err and "Traceback" not in err


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exc:
        cli.main(["sample"])  # --out is required
    assert exc.value.code == 2


def test_one_as_of_rule_for_validate_and_run(tmp_path, capsys):
    """--as-of is required for an analyst's own data, in validate and in run; the sample defaults to its date."""
    from crmbook.report.runner import SAMPLE_AS_OF
    from crmbook.sample.company import END

    assert SAMPLE_AS_OF == END
    assert cli.main(["validate", "--data", str(ROOT / "tests" / "fixtures" / "unusable")]) == 2
    assert "--as-of YYYY-MM-DD is required" in capsys.readouterr().err
    assert cli.main(["run", "--data", str(tmp_path), "--out", str(tmp_path / "r"),
                     "--notebooks", str(ROOT / "tests" / "fixtures" / "notebooks")]) == 2
    assert "--as-of YYYY-MM-DD is required" in capsys.readouterr().err
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").glob("*/run.json"))
    assert cli.main(["validate", "--data", "sample"]) == 0
    assert "2025-12-31" in capsys.readouterr().out
    for command in ("validate", "run"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert "Required, except with --data sample" in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")
