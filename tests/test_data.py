"""crmbook.data: validation of tables (one test per kind of bad input) and the Dataset account."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, crm_customers, crm_orders, crm_surveys, write_tables

from crmbook import data
from crmbook.data import DataError, Dataset, Problem, check, load


def _folder(tmp_path: Path, name: str = "data", **tables: pd.DataFrame | None) -> Path:
    base = {"customers": crm_customers(), "orders": crm_orders()}
    base.update({k: v for k, v in tables.items() if v is not None})
    for k, v in tables.items():
        if v is None:
            base.pop(k, None)
    return write_tables(tmp_path / name, base)


def _only(ds: Dataset, *, table: str, column: str | None, severity: str | None = None) -> Problem:
    found = [p for p in ds.problems if p.table == table and p.column == column
             and (severity is None or p.severity == severity)]
    assert len(found) == 1, f"expected one problem for {table}.{column}, got {found}"
    return found[0]


def _assert_reconciles(ds: Dataset) -> None:
    rec = ds.reconciliation()
    assert (rec["rows_read"] == rec["rows_used"] + rec["rows_rejected"]).all()
    for row in rec.itertuples():
        if row.table in ds:
            assert len(ds[row.table]) == row.rows_used


# ---- a clean data set ------------------------------------------------------------------------------

def test_clean_folder_is_used_whole_and_typed(crm_folder: Path) -> None:
    ds = check(crm_folder, as_of="2025-12-31")
    assert ds.usable
    assert ds.problems == []
    assert ds.rejected.empty and list(ds.rejected.columns) == ["table", "file", "row", "column", "reason", "value"]
    orders = ds["orders"]
    assert len(orders) == 6
    assert orders["revenue"].sum() == pytest.approx(260.5)
    assert pd.api.types.is_datetime64_any_dtype(orders["order_date"])
    assert pd.api.types.is_float_dtype(orders["revenue"])
    assert orders["order_id"].tolist() == ["O1", "O2", "O3", "O4", "O5", "O6"]
    assert pd.api.types.is_string_dtype(orders["customer_id"])
    assert "customers" in ds and "surveys" not in ds
    assert ds.absent == data.OPTIONAL_TABLES
    assert ds.sources["orders"] == str((crm_folder / "orders.csv").resolve())
    assert ds.encodings == {"customers": "UTF-8", "orders": "UTF-8"}
    assert ds.as_of == pd.Timestamp("2025-12-31")
    rec = ds.reconciliation()
    assert rec[["table", "rows_read", "rows_used", "rows_rejected"]].values.tolist() == [
        ["customers", 4, 4, 0], ["orders", 6, 6, 0]]


def test_dataset_getitem_of_absent_table_explains(crm_folder: Path) -> None:
    ds = check(crm_folder)
    with pytest.raises(KeyError, match="surveys.*not available.*no surveys table was found"):
        ds["surveys"]
    with pytest.raises(KeyError, match="not a crmbook table"):
        ds["order"]
    assert list(ds) == ["customers", "orders"]


def test_summary_and_problem_report_of_clean_data(crm_folder: Path) -> None:
    ds = check(crm_folder, as_of="2025-12-31")
    text = ds.summary()
    assert "Status: USABLE" in text and "As of: 2025-12-31" in text
    assert "customers" in text and "orders.csv [UTF-8]" in text
    assert "Problems: none" in text
    assert "Optional tables not available: surveys" in text
    assert ds.problem_report().startswith("No problems found")


# ---- the whole table or data set cannot be used -----------------------------------------------------

def test_missing_required_table(tmp_path: Path) -> None:
    ds = check(_folder(tmp_path, orders=None))
    assert not ds.usable
    p = _only(ds, table="orders", column=None)
    assert p.severity == "error" and "required table orders was not found" in p.message
    assert "orders.csv" in p.expected
    assert "NOT USABLE" in ds.summary()
    assert "required table orders was not found" in ds.problem_report()


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    orders = crm_orders().drop(columns="revenue")
    ds = check(_folder(tmp_path, orders=orders))
    assert not ds.usable
    p = _only(ds, table="orders", column="revenue")
    assert p.severity == "error" and p.file == "orders.csv"
    assert "required column revenue is missing" in p.message
    assert "order_id" in p.found  # the columns that are there
    assert "orders" not in ds
    # every row is accounted for: read 6 = used 0 + set aside 6
    rec = ds.reconciliation().set_index("table")
    assert rec.loc["orders", ["rows_read", "rows_used", "rows_rejected"]].tolist() == [6, 0, 6]
    assert set(ds.rejected.loc[ds.rejected.table == "orders", "reason"]) == {"table unusable"}


def test_empty_required_table(tmp_path: Path) -> None:
    ds = check(_folder(tmp_path, orders=crm_orders().iloc[:0]))
    assert not ds.usable
    p = _only(ds, table="orders", column=None)
    assert p.severity == "error" and p.file == "orders.csv" and "has no rows" in p.message


def test_empty_optional_table_is_a_warning_and_absent(tmp_path: Path) -> None:
    ds = check(_folder(tmp_path, surveys=crm_surveys().iloc[:0]))
    assert ds.usable
    assert "surveys" in ds.absent and "surveys" not in ds
    assert _only(ds, table="surveys", column=None).severity == "warning"


def test_optional_table_missing_a_required_column_does_not_spoil_the_data(tmp_path: Path) -> None:
    ds = check(_folder(tmp_path, surveys=crm_surveys().drop(columns="response_date")))
    assert ds.usable and "surveys" in ds.absent
    assert _only(ds, table="surveys", column="response_date").severity == "error"


def test_load_raises_data_error_with_the_report(tmp_path: Path, crm_folder: Path) -> None:
    folder = _folder(tmp_path, "bad", orders=crm_orders().drop(columns="revenue"))
    with pytest.raises(DataError, match="required column revenue is missing") as info:
        load(folder, as_of="2025-12-31")
    assert isinstance(info.value.dataset, Dataset)
    assert "orders.csv" in str(info.value)
    ds = load(crm_folder, as_of="2025-12-31")
    assert ds.usable and len(ds["orders"]) == 6


# ---- rows set aside ------------------------------------------------------------------------------------

def test_unparseable_date(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[2, "order_date"] = "2024-02-30"
    orders.loc[4, "order_date"] = "soon"
    ds = check(_folder(tmp_path, orders=orders))
    p = _only(ds, table="orders", column="order_date")
    assert (p.file, p.rows, p.severity) == ("orders.csv", [4, 6], "rejected")
    assert "'2024-02-30'" in p.found and "'soon'" in p.found
    assert "orders (orders.csv), column order_date, rows 4 and 6" in str(p)
    assert len(ds["orders"]) == 4
    assert set(ds.rejected["reason"]) == {"unparseable date"}
    _assert_reconciles(ds)


def test_non_numeric_and_negative_revenue(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[0, "revenue"] = "abc"
    orders.loc[3, "revenue"] = "-80"
    ds = check(_folder(tmp_path, orders=orders))
    probs = {p.message.split()[-1]: p for p in ds.problems if p.column == "revenue"}
    not_number = [p for p in ds.problems if "is not a number" in p.message][0]
    negative = [p for p in ds.problems if "must be >= 0" in p.message][0]
    assert len(probs) == 2
    assert (not_number.file, not_number.column, not_number.rows, not_number.found) == (
        "orders.csv", "revenue", [2], "'abc'")
    assert (negative.rows, negative.found, negative.expected) == ([5], "'-80'", "a number >= 0")
    reasons = ds.rejected.set_index("row")["reason"].to_dict()
    assert reasons == {2: "not a number", 5: "negative revenue"}
    assert ds["orders"]["revenue"].sum() == pytest.approx(260.5 - 100 - 80)


def test_numbers_accept_thousands_separators_and_currency_signs(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[0, "revenue"] = "¥1,234.50"
    ds = check(_folder(tmp_path, orders=orders))
    assert ds.problems == []
    assert ds["orders"].loc[0, "revenue"] == pytest.approx(1234.5)


def test_duplicate_key_keeps_first_and_names_it(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[3, "order_id"] = "O1"
    ds = check(_folder(tmp_path, orders=orders))
    p = _only(ds, table="orders", column="order_id")
    assert p.rows == [5] and p.found == "'O1'" and "first seen on row 2" in p.message
    assert ds["orders"]["order_id"].tolist() == ["O1", "O2", "O3", "O5", "O6"]


def test_unknown_customer_in_orders_surveys_and_contacts(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[1, "customer_id"] = "C99"
    surveys = crm_surveys()
    surveys.loc[2, "customer_id"] = "C77"
    contacts = pd.DataFrame({"customer_id": ["C1", "C55"], "contact_date": ["2024-03-01", "2024-03-02"],
                             "type": ["complaint", "visit"]})
    ds = check(_folder(tmp_path, orders=orders, surveys=surveys, contacts=contacts))
    for table, row, value in (("orders", 3, "C99"), ("surveys", 4, "C77"), ("contacts", 3, "C55")):
        p = _only(ds, table=table, column="customer_id")
        assert p.rows == [row] and p.found == f"'{value}'" and p.file == f"{table}.csv"
        assert "not found in customers" in p.message
    assert ds.reconciliation().set_index("table")["rows_rejected"].to_dict() == {
        "customers": 0, "orders": 1, "surveys": 1, "contacts": 1}


def test_campaign_members_checked_against_campaigns_and_customers(tmp_path: Path) -> None:
    campaigns = pd.DataFrame({"campaign_id": ["K1"], "start_date": ["2024-05-01"], "cost": ["1000"]})
    members = pd.DataFrame({"campaign_id": ["K1", "K2", "K1"], "customer_id": ["C1", "C2", "C9"],
                            "group": ["treatment", "control", "control"]})
    ds = check(_folder(tmp_path, campaigns=campaigns, campaign_members=members))
    reasons = ds.rejected[ds.rejected.table == "campaign_members"].set_index("row")["reason"].to_dict()
    assert reasons == {3: "unknown campaign", 4: "unknown customer"}


def test_points_ledger_rows_set_aside_with_their_reasons(tmp_path: Path) -> None:
    """Eight entries (file rows 2-9): 2 and 3 are valid (earn +100, redeem -50); 4 has kind "bonus" (not in
    earn/redeem/expire); 5 earns -20 and 6 redeems +30 (wrong sign); 7 expires 0 points (zero has no sign);
    8 belongs to C9, not in customers; 9 names order O99, not in orders - an optional column, so the id is
    blanked with a warning and the entry kept. Used: rows 2, 3, 9."""
    points = pd.DataFrame({
        "customer_id": ["C1", "C1", "C2", "C2", "C3", "C3", "C9", "C2"],
        "date": ["2024-01-10", "2024-05-01", "2024-02-11", "2024-02-11", "2024-04-01", "2024-12-31", "2024-03-01",
                 "2024-03-02"],
        "points": ["100", "-50", "20", "-20", "30", "0", "10", "5"],
        "kind": ["earn", "redeem", "bonus", "earn", "redeem", "expire", "earn", "earn"],
        "order_id": ["O1", "O2", "O3", "", "O4", "", "", "O99"],
    })
    ds = check(_folder(tmp_path, points=points), as_of="2025-12-31")
    reasons = ds.rejected[ds.rejected.table == "points"].set_index("row")["reason"].to_dict()
    assert reasons == {4: "unknown value", 5: "sign does not match kind", 6: "sign does not match kind",
                       7: "sign does not match kind", 8: "unknown customer"}
    assert ds["points"]["points"].tolist() == [100, -50, 5]
    assert ds["points"]["order_id"].isna().tolist() == [False, False, True]
    sign = _only(ds, table="points", column="points")
    assert sign.rows == [5, 6, 7] and "earn: > 0; redeem: < 0; expire: < 0" in sign.expected
    assert _only(ds, table="points", column="order_id").severity == "warning"
    _assert_reconciles(ds)
    assert "points" in check(_folder(tmp_path, "without")).absent  # optional: absent when not given


def test_cascade_order_of_a_customer_set_aside(tmp_path: Path) -> None:
    customers = crm_customers()
    customers.loc[0, "signup_date"] = "not a date"  # C1, who has orders O1 and O2
    ds = check(_folder(tmp_path, customers=customers))
    p = _only(ds, table="orders", column="customer_id")
    assert p.rows == [2, 3] and "customer C1 was set aside" in p.message
    assert set(ds.rejected.loc[ds.rejected.table == "orders", "reason"]) == {"customer set aside"}
    assert "C1" not in set(ds["orders"]["customer_id"])
    _assert_reconciles(ds)


def test_rows_after_as_of_are_set_aside_and_as_of_day_is_included(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[5, "order_date"] = "2025-12-31 18:30:00"  # the as_of day itself: kept
    orders.loc[4, "order_date"] = "2026-01-01"
    folder = _folder(tmp_path, orders=orders)
    ds = check(folder, as_of="2025-12-31")
    p = _only(ds, table="orders", column="order_date")
    assert p.rows == [6] and p.found == "'2026-01-01'" and "after as_of 2025-12-31" in p.message
    assert len(ds["orders"]) == 5
    # no cut-off: everything is used
    assert len(check(folder)["orders"]) == 6
    # an earlier as_of also sets aside the customer who signed up later (C4, 2025-06-30) and, by
    # cascade, that customer's orders
    early = check(folder, as_of="2024-12-31")
    assert "C4" not in set(early["customers"]["customer_id"])
    assert set(early.rejected.loc[early.rejected.table == "orders", "reason"]) == {
        "after as_of", "customer set aside"}
    _assert_reconciles(early)


def test_unknown_value_in_a_required_category_sets_the_row_aside(tmp_path: Path) -> None:
    contacts = pd.DataFrame({"customer_id": ["C1", "C2"], "contact_date": ["2024-03-01", "2024-03-02"],
                             "type": ["Complaint", "phone call"], "resolved": ["是", "no"]})
    ds = check(_folder(tmp_path, contacts=contacts))
    p = _only(ds, table="contacts", column="type")
    assert p.rows == [3] and p.found == "'phone call'" and p.severity == "rejected"
    assert "complaint" in p.expected
    assert ds["contacts"]["type"].tolist() == ["complaint"]  # case is normalised to the vocabulary
    assert ds["contacts"]["resolved"].tolist() == [True]


def test_bad_value_in_an_optional_column_is_blanked_with_a_warning(tmp_path: Path) -> None:
    customers = crm_customers()
    customers.loc[1, "gender"] = "X"
    surveys = crm_surveys()
    surveys.loc[0, "nps"] = "11"
    surveys.loc[1, "csat"] = "4.5"
    ds = check(_folder(tmp_path, customers=customers, surveys=surveys))
    g = _only(ds, table="customers", column="gender")
    assert (g.severity, g.rows, g.found) == ("warning", [3], "'X'")
    assert "one of F, M, other, unknown" in g.expected
    n = _only(ds, table="surveys", column="nps")
    assert (n.severity, n.rows, n.found, n.expected) == ("warning", [2], "'11'", "a number between 0 and 10")
    c = _only(ds, table="surveys", column="csat")
    assert c.rows == [3] and "whole number" in c.message
    assert len(ds["customers"]) == 4 and pd.isna(ds["customers"]["gender"][1])
    assert ds["surveys"]["nps"].tolist()[1:] == [3, 10] and pd.isna(ds["surveys"]["nps"][0])
    assert str(ds["surveys"]["nps"].dtype) == "Int64"
    assert ds.rejected.empty


def test_missing_value_in_a_required_column(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[2, "customer_id"] = ""
    ds = check(_folder(tmp_path, orders=orders))
    p = _only(ds, table="orders", column="customer_id")
    assert p.rows == [4] and "required" in p.message and p.found == "empty"


def test_unknown_columns_are_kept_with_a_warning(tmp_path: Path) -> None:
    orders = crm_orders().assign(remark=["a", "b", "c", "d", "e", "f"])
    ds = check(_folder(tmp_path, orders=orders))
    p = _only(ds, table="orders", column=None)
    assert p.severity == "warning" and "remark" in p.message and p.file == "orders.csv"
    assert ds["orders"]["remark"].tolist() == ["a", "b", "c", "d", "e", "f"]
    assert ds.usable


def test_long_row_lists_are_abbreviated(tmp_path: Path) -> None:
    n = 42
    orders = pd.DataFrame({"order_id": [f"O{i}" for i in range(n)], "customer_id": ["C1"] * n,
                           "order_date": ["2024-01-01"] * n, "revenue": ["-1"] * n})
    ds = check(_folder(tmp_path, orders=orders))
    p = _only(ds, table="orders", column="revenue")
    assert len(p.rows) == n
    assert "rows 2, 3, 4, 5, 6 and 37 more" in str(p)
    assert p.message.startswith("42 rows:")
    assert "rows 2, 3, 4, 5, 6 and 37 more" in ds.problem_report()


def test_rejected_by_reason_and_reconciliation(tmp_path: Path) -> None:
    orders = crm_orders()
    orders.loc[0, "revenue"] = "-1"
    orders.loc[0, "order_date"] = "bad"        # one row, two reasons
    orders.loc[1, "revenue"] = "-2"
    orders.loc[2, "customer_id"] = "C42"
    ds = check(_folder(tmp_path, orders=orders))
    by = ds.rejected_by_reason()
    assert list(by.columns) == ["table", "reason", "rows"]
    assert by.set_index("reason")["rows"].to_dict() == {"negative revenue": 2, "unparseable date": 1,
                                                        "unknown customer": 1}
    rec = ds.reconciliation().set_index("table")
    assert rec.loc["orders", ["rows_read", "rows_used", "rows_rejected"]].tolist() == [6, 3, 3]
    _assert_reconciles(ds)
    summary = ds.summary()
    assert "orders: negative revenue: 2" in summary
    assert "Problems: 0 errors, 3 with rows set aside, 0 warnings" in summary


def test_blank_lines_are_skipped_and_row_numbers_stay_true(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = (folder / "orders.csv").read_text().splitlines()
    text.insert(2, "")            # a blank line becomes line 3
    text[4] = text[4].replace("20.5", "-3")  # order O3 is now on line 5
    (folder / "orders.csv").write_text("\n".join(text) + "\n,,,,\n")
    ds = check(folder)
    p = _only(ds, table="orders", column="revenue")
    assert p.rows == [5]
    assert ds.blank_rows == {"orders": 2}
    assert ds.reconciliation().set_index("table").loc["orders", "rows_read"] == 6


def test_problem_str_and_severity_check() -> None:
    p = Problem("orders", "orders.csv", "revenue", [5, 9, 12], "revenue must be >= 0", "a number >= 0",
                "'-3'", "rejected")
    assert str(p) == ("[rejected] orders (orders.csv), column revenue, rows 5, 9 and 12: revenue must be "
                      ">= 0 (expected a number >= 0; found '-3')")
    with pytest.raises(ValueError, match="severity"):
        Problem("orders", "orders.csv", None, [], "x", severity="fatal")


# ---- sources that cannot be read at all ---------------------------------------------------------------

def test_source_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check(tmp_path / "nowhere")


def test_empty_source_is_refused() -> None:
    with pytest.raises(ValueError, match="no data source given"):
        check("  ")


def test_a_lone_csv_file_is_refused_with_advice(crm_folder: Path) -> None:
    with pytest.raises(ValueError, match="give the folder"):
        check(crm_folder / "orders.csv")


def test_bad_as_of(crm_folder: Path) -> None:
    with pytest.raises(ValueError, match="as_of must be a date"):
        check(crm_folder, as_of="last tuesday")


def test_two_files_for_one_table(crm_folder: Path) -> None:
    crm_orders().to_parquet(crm_folder / "orders.parquet")
    ds = check(crm_folder)
    p = _only(ds, table="orders", column=None)
    assert p.severity == "error" and "orders.csv" in p.file and "orders.parquet" in p.file
    assert not ds.usable


def test_other_files_are_ignored_and_listed(crm_folder: Path) -> None:
    (crm_folder / "truth.json").write_text("{}")
    (crm_folder / "README.md").write_text("hello")
    ds = check(crm_folder)
    assert ds.ignored == ["README.md", "truth.json"]
    assert "Ignored (not crmbook tables): README.md, truth.json" in ds.summary()


# ---- the committed fixtures ---------------------------------------------------------------------------

def test_broken_fixture_matches_its_readme() -> None:
    ds = check(FIXTURES / "broken", as_of="2025-12-31")
    assert ds.usable
    rec = ds.reconciliation().set_index("table")[["rows_read", "rows_used", "rows_rejected"]]
    assert rec.to_dict("index") == {
        "customers": {"rows_read": 8, "rows_used": 7, "rows_rejected": 1},
        "orders": {"rows_read": 15, "rows_used": 7, "rows_rejected": 8},
        "surveys": {"rows_read": 4, "rows_used": 3, "rows_rejected": 1},
    }
    got = sorted(ds.rejected[["table", "row", "reason"]].itertuples(index=False, name=None))
    assert got == sorted([
        ("customers", 8, "unparseable date"), ("orders", 5, "unparseable date"),
        ("orders", 6, "negative revenue"), ("orders", 8, "unknown customer"), ("orders", 10, "duplicate key"),
        ("orders", 12, "after as_of"), ("orders", 13, "customer set aside"), ("orders", 14, "customer set aside"),
        ("orders", 15, "not a number"), ("surveys", 5, "unknown customer")])
    warnings = sorted((p.table, p.column, tuple(p.rows)) for p in ds.problems if p.severity == "warning")
    assert warnings == [("customers", "gender", (4,)), ("orders", None, ()), ("surveys", "nps", (3,))]
    no_cutoff = check(FIXTURES / "broken").reconciliation().set_index("table")
    assert no_cutoff.loc["orders", ["rows_used", "rows_rejected"]].tolist() == [8, 7]


def test_unusable_fixture() -> None:
    ds = check(FIXTURES / "unusable")
    assert not ds.usable
    assert [(p.table, p.column, p.severity) for p in ds.problems if p.severity == "error"] == [
        ("orders", "revenue", "error")]


def test_bundled_sample_loads() -> None:
    root = Path(__file__).resolve().parents[1]
    if not (root / "datasets" / "sample" / "customers.csv").is_file():
        pytest.skip("datasets/sample/customers.csv is not there yet (generated by crmbook.sample)")
    ds = load("sample", as_of="2025-12-31")
    assert ds.usable
    assert not any(p.severity == "error" for p in ds.problems)
    _assert_reconciles(ds)
    assert len(ds["orders"]) > 0


# ---- review findings: file shape, empty results, dates, periods, numbers, as_of, the sample ---------


def _orders_csv_lines(tmp_path: Path) -> tuple[Path, list[str]]:
    folder = _folder(tmp_path)
    return folder, (folder / "orders.csv").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("header_too", [False, True])
def test_trailing_delimiter_is_dropped_with_a_warning(tmp_path: Path, header_too: bool) -> None:
    folder, lines = _orders_csv_lines(tmp_path)
    body = [line + "," for line in lines[1:]]  # O1,C1,2024-01-10,100,online,
    (folder / "orders.csv").write_text("\n".join([lines[0] + ("," if header_too else "")] + body) + "\n",
                                       encoding="utf-8")
    ds = check(folder, as_of="2025-12-31")
    assert ds.usable and ds.rejected.empty
    orders = ds["orders"]
    assert list(orders.columns) == ["order_id", "customer_id", "order_date", "revenue", "channel"]
    assert orders["order_id"].tolist() == ["O1", "O2", "O3", "O4", "O5", "O6"]
    assert orders["revenue"].sum() == pytest.approx(260.5)
    warning = _only(ds, table="orders", column=None, severity="warning")
    assert warning.file == "orders.csv" and "without a name and without values" in warning.message


def test_extra_fields_holding_values_are_an_error_naming_the_rows(tmp_path: Path) -> None:
    folder, lines = _orders_csv_lines(tmp_path)
    lines[2] += ",oops"     # order O2, row 3
    lines[4] += ",x,y"      # order O4, row 5
    (folder / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = check(folder, as_of="2025-12-31")
    assert not ds.usable
    p = _only(ds, table="orders", column=None, severity="error")
    assert p.file == "orders.csv" and p.rows == [3, 5]
    assert "more fields than the header names (5)" in p.message
    assert p.found == "'oops', 'x', 'y'"
    assert "orders" not in ds
    assert set(ds.rejected.loc[ds.rejected["table"] == "orders", "reason"]) == {"table unusable"}


def test_duplicate_column_name_in_a_csv_is_an_error(tmp_path: Path) -> None:
    folder, lines = _orders_csv_lines(tmp_path)
    lines[0] = lines[0].replace("channel", "revenue")   # order_id,customer_id,order_date,revenue,revenue
    (folder / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = check(folder, as_of="2025-12-31")
    assert not ds.usable
    p = _only(ds, table="orders", column="revenue", severity="error")
    assert p.file == "orders.csv"
    assert "'revenue' appears 2 times in orders.csv (columns 4 and 5)" in p.message
    assert not any("revenue.1" in str(q) for q in ds.problems)


def test_required_table_with_no_usable_row_is_not_usable(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    ds = check(folder, as_of="2023-12-31")  # every customer signed up in 2024 or later
    assert not ds.usable
    p = _only(ds, table="customers", column=None, severity="error")
    assert p.message.startswith("all 4 rows of customers were set aside")
    assert "after as_of (4 rows)" in p.message
    assert "NOT USABLE" in ds.summary()
    with pytest.raises(DataError, match="all 6 rows of orders were set aside"):
        load(folder, as_of="2023-12-31")


def test_orders_all_set_aside_is_not_usable(tmp_path: Path) -> None:
    orders = crm_orders().assign(revenue="free")
    ds = check(_folder(tmp_path, orders=orders), as_of="2025-12-31")
    assert not ds.usable
    p = _only(ds, table="orders", column=None, severity="error")
    assert "all 6 rows of orders were set aside" in p.message and "not a number (6 rows)" in p.message
    assert not any(q.severity == "error" and q.table == "customers" for q in ds.problems)


@pytest.mark.parametrize("text", ["10:30", "2025", "2024-02", "1/2/3", "3/5", "Mar 2025", "5 March"])
def test_dates_missing_a_part_are_not_completed(tmp_path: Path, text: str) -> None:
    orders = crm_orders()
    orders.loc[1, "order_date"] = text
    ds = check(_folder(tmp_path, orders=orders), as_of="2025-12-31")
    p = _only(ds, table="orders", column="order_date", severity="rejected")
    assert p.rows == [3]
    assert ds.rejected["reason"].tolist() == ["unparseable date"]


def test_dates_keep_the_local_day_of_a_time_zone_and_accept_full_dates(tmp_path: Path) -> None:
    orders = crm_orders()
    orders["order_date"] = ["2024-03-01T01:30:00+08:00",  # 2024-02-29 17:30 in UTC: the local day is kept
                            "2024-03-01T23:30:00Z", "2024-03-01 10:20:30", "March 5, 2025",
                            "2025年3月5日", "2025/3/6"]
    ds = check(_folder(tmp_path, orders=orders), as_of="2025-12-31")
    assert ds.rejected.empty
    assert ds["orders"]["order_date"].tolist() == [
        pd.Timestamp("2024-03-01 01:30"), pd.Timestamp("2024-03-01 23:30"),
        pd.Timestamp("2024-03-01 10:20:30"), pd.Timestamp("2025-03-05"), pd.Timestamp("2025-03-05"), pd.Timestamp("2025-03-06")]


def test_costs_period_is_checked_and_cut_at_as_of(tmp_path: Path) -> None:
    assert data.SCHEMAS["costs"].column("period").kind == "period"
    costs = pd.DataFrame({"period": ["2025-11", "2026-07", "last spring", "2025", "2025-13", "2024/3",
                                     "2026"],
                          "pool": ["a", "b", "c", "d", "e", "f", "g"],
                          "amount": ["1", "2", "3", "4", "5", "6", "7"]})
    ds = check(_folder(tmp_path, costs=costs), as_of="2025-12-31")
    kept = ds["costs"]
    assert kept["period"].tolist() == ["2025-11", "2025", "2024-03"]
    assert kept["pool"].tolist() == ["a", "d", "f"]
    got = ds.rejected[ds.rejected["table"] == "costs"][["row", "reason", "value"]].to_dict("records")
    assert got == [{"row": 3, "reason": "after as_of", "value": "2026-07"},
                   {"row": 4, "reason": "not a period", "value": "last spring"},
                   {"row": 6, "reason": "not a period", "value": "2025-13"},
                   {"row": 8, "reason": "after as_of", "value": "2026"}]
    _assert_reconciles(ds)
    no_cut = check(_folder(tmp_path, "nocut", costs=costs))
    assert no_cut["costs"]["period"].tolist() == ["2025-11", "2026-07", "2025", "2024-03", "2026"]


def test_infinite_revenue_is_not_a_number(tmp_path: Path) -> None:
    orders = crm_orders()
    orders["revenue"] = ["inf", "Infinity", "1e400", "-inf", "10", "0"]
    ds = check(_folder(tmp_path, orders=orders), as_of="2025-12-31")
    p = _only(ds, table="orders", column="revenue", severity="rejected")
    assert p.rows == [2, 3, 4, 5]
    assert set(ds.rejected["reason"]) == {"not a number"}
    assert ds["orders"]["revenue"].tolist() == [10.0, 0.0]


def test_huge_whole_number_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    market = pd.DataFrame({"region": ["east", "north"], "potential_customers": ["1e20", "5000"]})
    ds = check(_folder(tmp_path, market=market), as_of="2025-12-31")
    p = _only(ds, table="market", column="potential_customers", severity="rejected")
    assert p.rows == [2] and p.found == "'1e20'"
    assert ds["market"]["potential_customers"].tolist() == [5000]
    assert str(ds["market"]["potential_customers"].dtype) == "Int64"


@pytest.mark.parametrize("as_of", [None, "", "  "])
def test_load_needs_an_explicit_as_of(crm_folder: Path, as_of: str | None) -> None:
    with pytest.raises(ValueError, match="explicit as_of"):
        load(crm_folder, as_of=as_of)
    assert check(crm_folder, as_of=as_of).usable  # validate keeps working without a cut-off


def test_sample_folder_that_is_not_installed_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    from crmbook import sample

    monkeypatch.setattr(sample, "SAMPLE_DIR", tmp_path / "site-packages" / "datasets" / "sample")
    with pytest.raises(FileNotFoundError, match=r"not installed.*pip install -e \."):
        check("sample")


def test_scrub_hides_a_password_in_every_form_the_runner_hides():
    from crmbook.data.sources.sql import _scrub

    text = "login failed for p@ss/w0rd (url postgresql://u:p%40ss%2Fw0rd@h/db, json \"p@ss/w0rd\")"
    assert _scrub(text, ["p@ss/w0rd", None]) == "login failed for *** (url postgresql://u:***@h/db, json \"***\")"
