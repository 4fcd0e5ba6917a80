"""Hostile files (issue 16, point 10): each is read correctly or refused with one line naming the file,
the line/column and what was expected; never a traceback, never rows lost silently.

Before: a config or mapping file that is not UTF-8 gave a ``UnicodeDecodeError`` (a traceback for the
config file); a 1 MB field gave "field larger than field limit (131072)" with no line; an unclosed quote
swallowed every later row into one value (2 of 3 rows lost, exit 0); CR-only line endings gave the csv
module's "universal-newline mode" text; a zero-byte file said "found: columns "; a NUL in a header
printed invisibly; year 0000 was accepted; 10,000 columns took ~165 s and a 138 KB summary; cp1252 and
UTF-16 files were refused without saying where the first bad byte is.
"""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import pytest

from crmbook import cli, data

ORDERS = b"order_id,customer_id,order_date,revenue\nO1,C1,2024-01-01,10\nO2,C2,2024-02-01,20\n"


def _folder(tmp_path: Path, customers: bytes, orders: bytes = ORDERS) -> Path:
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "customers.csv").write_bytes(customers)
    (folder / "orders.csv").write_bytes(orders)
    return folder


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def _customer_errors(folder: Path) -> list[str]:
    ds = data.check(folder, as_of="2025-12-31")
    return [str(p) for p in ds.problems if p.table == "customers" and p.severity == "error"]


def test_a_zero_byte_file_is_called_empty(tmp_path: Path) -> None:
    assert _customer_errors(_folder(tmp_path, b"")) == [
        "[error] customers (customers.csv): the file is empty (0 bytes): expected a header line naming the "
        "columns, then one line per row"]


def test_a_file_of_blank_lines_is_called_so(tmp_path: Path) -> None:
    assert _customer_errors(_folder(tmp_path, b"\n\n  \n")) == [
        "[error] customers (customers.csv): the file holds only blank lines: expected a header line naming the "
        "columns, then one line per row"]


def test_a_nul_byte_in_the_header_is_shown_with_its_place(tmp_path: Path) -> None:
    """``custo\\0mer_id``: the NUL is the 6th character of line 1."""
    assert _customer_errors(_folder(tmp_path, b"custo\x00mer_id,signup_date\nC1,2024-01-01\n")) == [
        "[error] customers (customers.csv): a NUL byte (\\x00) at line 1, column 6: the file is binary, or "
        "UTF-16 without a byte-order mark; save it as UTF-8 CSV"]


def test_cr_only_line_endings_are_read(tmp_path: Path) -> None:
    folder = _folder(tmp_path, b"customer_id,signup_date\rC1,2024-01-01\rC2,2024-01-02\r")
    ds = data.check(folder, as_of="2025-12-31")
    assert ds.usable and ds["customers"]["customer_id"].tolist() == ["C1", "C2"]


def test_a_lone_cr_inside_a_value_names_the_line(tmp_path: Path) -> None:
    """Lines end in LF, but line 3 holds a bare CR inside an unquoted value."""
    errors = _customer_errors(_folder(tmp_path, b"customer_id,signup_date,region\nC1,2024-01-01,east\n"
                                                b"C2,2024-01-02,we\rst\n"))
    assert errors == ["[error] customers (customers.csv): cannot read the CSV file: line 3 holds a line break (CR) "
                      "inside a value that is not quoted; quote the value, or save the file with ordinary line "
                      "endings"]


def test_a_field_of_one_megabyte_is_read(tmp_path: Path) -> None:
    big = "x" * 1_000_000
    folder = _folder(tmp_path, f"customer_id,signup_date,region\nC1,2024-01-01,{big}\nC2,2024-01-01,east\n".encode())
    ds = data.check(folder, as_of="2025-12-31")
    assert ds.usable and ds["customers"]["region"].str.len().tolist() == [1_000_000, 4]


def test_an_unclosed_quote_is_refused_not_swallowing_rows(tmp_path: Path) -> None:
    """The quote on line 3 never closes: read leniently, rows 3 and 4 would become one value of row 2."""
    errors = _customer_errors(_folder(tmp_path, b'customer_id,signup_date,region\nC1,2024-01-01,east\n'
                                                b'C2,2024-01-01,"west\nC3,2024-01-01,north\n'))
    assert errors == ["[error] customers (customers.csv): cannot read the CSV file: the quote opened on line 3 is "
                      "never closed, so every line after it would be read as one value; close the quote (a quote "
                      "inside a value is written twice)"]


def test_year_0000_is_set_aside(tmp_path: Path) -> None:
    ds = data.check(_folder(tmp_path, b"customer_id,signup_date\nC1,0000-01-01\nC2,2024-01-01\n"), as_of="2025-12-31")
    (problem,) = [p for p in ds.problems if p.table == "customers"]
    assert str(problem) == ("[rejected] customers (customers.csv), column signup_date, row 2: signup_date has a "
                            "year outside 1800-2200 (expected a date in the years 1800 to 2200; found '0000-01-01')")
    assert ds["customers"]["customer_id"].tolist() == ["C2"]


def test_ten_thousand_columns_are_refused_at_once(tmp_path: Path) -> None:
    header = ",".join(["customer_id", "signup_date"] + [f"x{i}" for i in range(10_000)])
    row = ",".join(["C1", "2024-01-01"] + ["1"] * 10_000)
    t0 = time.monotonic()
    errors = _customer_errors(_folder(tmp_path, f"{header}\n{row}\n".encode()))
    assert time.monotonic() - t0 < 5
    assert errors == ["[error] customers (customers.csv): the header has 10,002 columns (split at each comma); "
                      "crmbook reads at most 1,000: check the delimiter, or that line 1 is the header"]


def test_many_unknown_columns_are_named_briefly(tmp_path: Path) -> None:
    """50 unknown columns: the warning names 10 and counts the rest."""
    header = ",".join(["customer_id", "signup_date"] + [f"x{i}" for i in range(50)])
    row = ",".join(["C1", "2024-01-01"] + ["1"] * 50)
    ds = data.check(_folder(tmp_path, f"{header}\n{row}\n".encode()), as_of="2025-12-31")
    (warning,) = [p for p in ds.problems if p.table == "customers"]
    assert warning.message == "unknown column(s) x0, x1, x2, x3, x4, x5, x6, x7, x8, x9 and 40 more are kept as text"


def test_cp1252_names_the_first_bad_byte_and_the_guess(tmp_path: Path) -> None:
    """``Café`` in cp1252: é is byte 0xE9, the 18th character of line 2 (``C1,2024-01-01,Caf`` is 17)."""
    content = "customer_id,signup_date,region\nC1,2024-01-01,Café\n".encode("cp1252")
    assert _customer_errors(_folder(tmp_path, content)) == [
        "[error] customers (customers.csv): the file is neither UTF-8 nor GBK: the first bad byte, 0xE9, is at "
        "line 2, column 18 (byte 49); it looks like Windows-1252 (cp1252, Western European Excel). Save it as "
        "UTF-8 CSV, or name its encoding in the mapping file (customers: encoding: cp1252)"]


def test_cp1252_is_read_when_the_mapping_names_it(tmp_path: Path) -> None:
    content = "customer_id,signup_date,region\nC1,2024-01-01,Café\n".encode("cp1252")
    folder = _folder(tmp_path, content)
    ds = data.check(folder, as_of="2025-12-31", mapping={"customers": {"encoding": "cp1252"}})
    assert ds["customers"]["region"].tolist() == ["Café"] and ds.encodings["customers"] == "cp1252"
    with pytest.raises(ValueError, match="'latin-99' is not an encoding Python knows"):
        data.check(folder, as_of="2025-12-31", mapping={"customers": {"encoding": "latin-99"}})


def test_utf16_with_a_bom_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode text" export: UTF-16 LE with a byte-order mark, tab-delimited."""
    content = "customer_id\tsignup_date\tregion\nC1\t2024-01-01\t华东\n".encode("utf-16")
    ds = data.check(_folder(tmp_path, content), as_of="2025-12-31")
    assert ds["customers"]["region"].tolist() == ["华东"] and ds.encodings["customers"] == "UTF-16 with BOM"


def test_utf16_without_a_bom_is_refused_with_the_place(tmp_path: Path) -> None:
    content = "customer_id,signup_date\nC1,2024-01-01\n".encode("utf-16-le")
    assert _customer_errors(_folder(tmp_path, content)) == [
        "[error] customers (customers.csv): a NUL byte (\\x00) at line 1, column 2: the file is binary, or "
        "UTF-16 without a byte-order mark; save it as UTF-8 CSV"]


def test_a_mapping_file_that_is_not_utf8(tmp_path: Path) -> None:
    """The mapping's second line holds GBK bytes for 客户 (0xBF 0xCD): the first bad byte is 0xBF at line
    2, column 3; validate exits 1 with one line, no traceback."""
    folder = _folder(tmp_path, b"customer_id,signup_date\nC1,2024-01-01\nC2,2024-01-01\n")
    mapping = tmp_path / "m.yml"
    mapping.write_bytes("customers:\n  客户编号: x\n".encode("gbk"))
    code, _, err = _cli(["validate", "--data", str(folder), "--as-of", "2025-12-31", "--mapping", str(mapping)])
    assert code == 1
    assert err == (f"crmbook validate: mapping file {mapping} is not UTF-8: the first bad byte, 0xBF, is at line 2, "
                   "column 3 (byte 14); it looks like GBK (Chinese Windows). Save it as UTF-8\n")


def test_a_mapping_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yml"
    mapping.write_text("customers:\n  columns: [a, b\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"is not valid YAML at line 3, column 1"):
        data.read_mapping(mapping)


def test_a_config_file_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_bytes("currency: ¥\n".encode("cp1252", errors="replace").replace(b"?", b"\xa5"))
    code, _, err = _cli(["run", "--data", "sample", "--config", str(config)])
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"crmbook run: config file {config} is not UTF-8: the first bad byte, 0xA5, is at line 1, "
                          "column 11")
