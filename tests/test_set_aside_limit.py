"""The set-aside limit (issue 16, point 2): ``crmbook validate`` and ``crmbook run`` fail when more than a
share of a required table's rows are set aside *as defects*; rows outside the analysis window (dated
after ``as_of``, or referring to a customer who is) are not defects and do not count.

Without the limit (the code before it) every case here exits 0, however many rows were set aside.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from crmbook import cli, data
from crmbook.data import SetAsideLimit, parse_set_aside_limit, set_aside_over_limit

AS_OF = "2025-12-31"


def _folder(tmp_path: Path, *, bad_dates: int, late: int, n_orders: int = 100,
            late_customer: bool = False) -> Path:
    """20 customers and ``n_orders`` orders: the first ``bad_dates`` orders have the date ``2024-02-30``
    (not a date: a defect), the next ``late`` are dated 2026-01-15 (after as_of: outside the window).
    ``late_customer``: customer C20 signs up on 2026-02-01 (after as_of) and places the last order
    (dated 2025-06-01): that order is set aside because its customer is, who is outside the window."""
    folder = tmp_path / "crm"
    folder.mkdir()
    customers = ["customer_id,signup_date"] + [f"C{i:02d},2024-01-01" for i in range(1, 20)]
    customers.append("C20,2026-02-01" if late_customer else "C20,2024-01-01")
    (folder / "customers.csv").write_text("\n".join(customers) + "\n", encoding="utf-8")
    lines = ["order_id,customer_id,order_date,revenue"]
    for i in range(n_orders):
        date = "2024-02-30" if i < bad_dates else "2026-01-15" if i < bad_dates + late else "2025-06-01"
        customer = "C20" if late_customer and i == n_orders - 1 else f"C{i % 19 + 1:02d}"
        lines.append(f"O{i:03d},{customer},{date},10")
    (folder / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_rows_after_as_of_do_not_count_against_the_limit(tmp_path: Path) -> None:
    """4 unparseable dates + 10 orders after as_of of 100: 14 set aside, but 4 % as defects <= 5 %: exit 0
    (counting the window rows would give 14 % and fail)."""
    folder = _folder(tmp_path, bad_dates=4, late=10)
    ds = data.check(folder, as_of=AS_OF)
    rec = ds.reconciliation().set_index("table")
    assert rec.loc["orders", "rows_rejected"] == 14
    defects = ds.set_aside_defects().set_index("table")
    assert defects.loc["orders", "rows_defective"] == 4 and defects.loc["orders", "share"] == pytest.approx(0.04)
    assert set_aside_over_limit(ds) == []
    code, out, err = _cli(["validate", "--data", str(folder), "--as-of", AS_OF])
    assert code == 0, err
    assert "orders 4 of 100 (4.0%)" in out  # the summary reports the share either way


def test_over_the_limit_validate_fails_with_one_line_per_table(tmp_path: Path) -> None:
    """6 unparseable dates of 100 orders = 6 % > 5 %: exit 1, one line naming the table, 6 of 100, the
    share, the reason, the limit and how to change it; customers (0 of 20) are not named."""
    folder = _folder(tmp_path, bad_dates=6, late=0)
    code, _, err = _cli(["validate", "--data", str(folder), "--as-of", AS_OF])
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("crmbook validate:")]
    assert lines == ["crmbook validate: orders: 6 of 100 rows set aside as defects (6.0%), above the limit "
                     "of 5% (top reasons: unparseable date 6); fix the export, or raise the limit with "
                     "--max-set-aside orders=6%"]


@pytest.mark.parametrize("option", [["--max-set-aside", "0.1"], ["--max-set-aside", "10%"],
                                    ["--max-set-aside", "orders=0.06"], ["--max-set-aside", "1"]])
def test_the_limit_can_be_raised_for_all_tables_or_one(tmp_path: Path, option: list[str]) -> None:
    """6 % of orders set aside passes with a limit of 10 %, of 6 % for orders (not above it), or none (1)."""
    folder = _folder(tmp_path, bad_dates=6, late=0)
    assert _cli(["validate", "--data", str(folder), "--as-of", AS_OF, *option])[0] == 0


def test_a_per_table_limit_leaves_the_other_table_at_the_default(tmp_path: Path) -> None:
    """``customers=0.5`` does not lift the orders' 5 %: 6 % of orders still fails."""
    folder = _folder(tmp_path, bad_dates=6, late=0)
    code, _, err = _cli(["validate", "--data", str(folder), "--as-of", AS_OF, "--max-set-aside", "customers=0.5"])
    assert code == 1 and "orders: 6 of 100" in err


def test_a_customer_outside_the_window_is_not_a_defect_nor_its_orders(tmp_path: Path) -> None:
    """C20 signs up after as_of (window); its order of 2025-06-01 is set aside as "customer set aside",
    which follows from the window too: customers 1 row and orders 1 row set aside, 0 defects in both."""
    folder = _folder(tmp_path, bad_dates=0, late=0, late_customer=True)
    ds = data.check(folder, as_of=AS_OF)
    rec = ds.reconciliation().set_index("table")
    assert rec.loc["customers", "rows_rejected"] == 1 and rec.loc["orders", "rows_rejected"] == 1
    assert ds.rows_outside_window == {"customers": 1, "orders": 1}
    assert ds.set_aside_defects()["rows_defective"].tolist() == [0, 0]
    assert set_aside_over_limit(ds, SetAsideLimit(0.0)) == []


def test_a_defective_customer_makes_its_orders_defects(tmp_path: Path) -> None:
    """A customer with an unparseable signup date is a defect, and so is every order that refers to it:
    customer C01 holds orders O000, O019, O038, O057, O076, O095 (i % 19 == 0): 6 of 100 orders (6 %,
    over the limit), while 1 of 20 customers is 5 %, at the limit and not above it."""
    folder = _folder(tmp_path, bad_dates=0, late=0)
    path = folder / "customers.csv"
    path.write_text(path.read_text().replace("C01,2024-01-01", "C01,2024-13-01"), encoding="utf-8")
    ds = data.check(folder, as_of=AS_OF)
    defects = ds.set_aside_defects().set_index("table")
    assert defects.loc["customers", "rows_defective"] == 1 and defects.loc["orders", "rows_defective"] == 6
    assert [line.split(":")[0] for line in set_aside_over_limit(ds)] == ["orders"]
    assert [line.split(":")[0] for line in set_aside_over_limit(ds, SetAsideLimit(0.04))] == ["customers", "orders"]


@pytest.mark.parametrize("value", ["1.5", "-0.1", "lots", "surveys=0.1"])
def test_a_bad_limit_is_a_usage_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValueError, match="max-set-aside"):
        parse_set_aside_limit([value])
    folder = _folder(tmp_path, bad_dates=0, late=0)
    assert _cli(["validate", "--data", str(folder), "--as-of", AS_OF, "--max-set-aside", value])[0] == 2


def test_run_refuses_before_any_kernel_starts(tmp_path: Path) -> None:
    """``crmbook run`` on data over the limit: exit 1 with the one line, and no run folder at all (the
    check ran before any kernel; a run that reached a kernel leaves a run folder)."""
    folder = _folder(tmp_path, bad_dates=6, late=0)
    out = tmp_path / "reports"
    code, stdout, err = _cli(["run", "00", "--data", str(folder), "--as-of", AS_OF, "--out", str(out)])
    assert code == 1 and stdout == ""
    assert err.strip().splitlines() == ["crmbook run: orders: 6 of 100 rows set aside as defects (6.0%), above "
                                        "the limit of 5% (top reasons: unparseable date 6); fix the export, or "
                                        "raise the limit with --max-set-aside orders=6% (no notebook was run)"]
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


def test_run_reads_the_limit_from_the_config_file(tmp_path: Path) -> None:
    """A config file's ``max_set_aside: {orders: 0.5}`` lifts the orders' limit; ``--max-set-aside``
    overrides the file. Only the parsing is run here (a real run starts kernels: tests/test_report.py)."""
    from crmbook.report.parameters import load_config

    cfg = tmp_path / "run.yaml"
    cfg.write_text("max_set_aside:\n  orders: 0.5\nrfm_bins: 4\n", encoding="utf-8")
    values = load_config(cfg)
    assert parse_set_aside_limit(values["max_set_aside"]).of("orders") == 0.5
    assert parse_set_aside_limit(values["max_set_aside"]).of("customers") == 0.05


def test_a_check_of_some_tables_reads_only_them_and_what_they_refer_to(tmp_path: Path) -> None:
    """``tables=["orders"]`` (the runner's quick check) reads orders and customers (orders refer to
    them), not surveys: its rows and set-aside counts are those of the full check."""
    folder = _folder(tmp_path, bad_dates=6, late=3)
    (folder / "surveys.csv").write_text("customer_id,survey_date,nps\nC01,2024-05-01,9\n", encoding="utf-8")
    full = data.check(folder, as_of=AS_OF)
    part = data.check(folder, as_of=AS_OF, tables=["orders"])
    assert "surveys" in full.rows_read and "surveys" not in part.rows_read and part.ignored == []
    assert part.reconciliation().equals(full.reconciliation()[full.reconciliation()["table"] != "surveys"])
    assert set_aside_over_limit(part) == set_aside_over_limit(full) != []
    with pytest.raises(ValueError, match="not crmbook tables"):
        data.check(folder, as_of=AS_OF, tables=["order"])
