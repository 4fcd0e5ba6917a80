"""crmbook.data: reading from databases (SQLite, and a real PostgreSQL server with a password)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import PgServer, crm_customers, crm_orders

from crmbook.data import DEFAULT_PASSWORD_ENV, check, load


def _bad_orders() -> pd.DataFrame:
    orders = crm_orders()
    orders.loc[1, "revenue"] = "-5"       # result row 2
    orders.loc[3, "customer_id"] = "C99"  # result row 4
    return orders


# ---- SQLite ----------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        crm_customers().to_sql("customers", conn, index=False)
        _bad_orders().to_sql("orders", conn, index=False)
        pd.DataFrame({"x": [1]}).to_sql("audit_log", conn, index=False)
        crm_orders().assign(amount=lambda d: d["revenue"].astype(float)).drop(columns="revenue").to_sql(
            "sales", conn, index=False)
    engine.dispose()
    return path


def test_sqlite_tables_by_name(sqlite_db: Path) -> None:
    ds = check(f"sqlite:///{sqlite_db}", as_of="2025-12-31")
    assert ds.usable
    assert ds.reconciliation().set_index("table")["rows_used"].to_dict() == {"customers": 4, "orders": 4}
    rows = {p.column: p.rows for p in ds.problems if p.table == "orders"}
    assert rows == {"revenue": [2], "customer_id": [4]}  # 1-based result rows
    assert {p.file for p in ds.problems} == {"table orders"}
    assert "audit_log" in " ".join(ds.ignored)
    assert ds.sources["orders"] == f"sqlite:///{sqlite_db} (table orders)"
    assert pd.api.types.is_datetime64_any_dtype(ds["orders"]["order_date"])


def test_sqlite_with_mapping_query_and_table(sqlite_db: Path) -> None:
    mapping = {"orders": {"query": "SELECT order_id, customer_id, order_date, amount AS revenue FROM sales "
                                   "WHERE amount > 15"},
               "customers": {"file": "customers"}}
    ds = check(f"sqlite:///{sqlite_db}", mapping=mapping)
    assert ds.problems == []
    assert ds["orders"]["order_id"].tolist() == ["O1", "O2", "O3", "O4"]
    assert "query for orders" in ds.sources["orders"]


def test_sqlite_bad_query_is_an_error_of_the_table(sqlite_db: Path) -> None:
    ds = check(f"sqlite:///{sqlite_db}", mapping={"orders": {"query": "SELECT * FROM no_such_table"}})
    assert not ds.usable
    p = [p for p in ds.problems if p.table == "orders"][0]
    assert p.severity == "error" and "no_such_table" in p.message


def test_sqlite_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()  # checking did not create it


def test_unparseable_url() -> None:
    with pytest.raises(ValueError, match="cannot parse the database URL"):
        check("postgresql+psycopg://user:pw@host:notaport/db")


# ---- PostgreSQL --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_db(pg_server: PgServer) -> PgServer:
    engine = sa.create_engine(pg_server.url(with_password=True))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS customers, orders, 订单"))
        customers = crm_customers()
        customers["signup_date"] = pd.to_datetime(customers["signup_date"]).dt.date
        customers.to_sql("customers", conn, index=False)
        orders = _bad_orders()
        orders.to_sql("orders", conn, index=False)
        crm_orders().rename(columns={"order_id": "订单号", "revenue": "金额"}).astype({"金额": float}).to_sql(
            "订单", conn, index=False)
    engine.dispose()
    return pg_server


def _secret_free(ds, secret: str) -> None:
    for text in (ds.summary(), ds.problem_report(), ds.origin, *ds.sources.values()):
        assert secret not in text


@pytest.mark.postgres
def test_postgres_password_from_the_environment(pg_db: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_PASSWORD_ENV, pg_db.password)
    ds = load(pg_db.url(), as_of="2025-12-31", mask_personal=False)
    assert ds.usable
    assert ds.reconciliation().set_index("table")["rows_used"].to_dict() == {"customers": 4, "orders": 4}
    assert {p.column: p.rows for p in ds.problems if p.table == "orders"} == {"revenue": [2],
                                                                            "customer_id": [4]}
    assert ds["customers"]["signup_date"].tolist()[0] == pd.Timestamp("2024-01-05")
    assert ds["customers"]["name"].tolist()[0] == "张三丰"
    shown = f"postgresql+psycopg://{pg_db.user}:***@{pg_db.host}:{pg_db.port}/{pg_db.dbname}"
    assert ds.sources["orders"] == f"{shown} (table orders)"
    _secret_free(ds, pg_db.password)


@pytest.mark.postgres
def test_postgres_query_with_chinese_names(pg_db: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_PW", pg_db.password)
    mapping = {"orders": {"query": 'SELECT * FROM "订单"', "columns": {"订单号": "order_id", "金额": "revenue"}},
               "customers": {"file": "public.customers"}}
    ds = check(pg_db.url(), mapping=mapping, password_env="MY_PW")
    assert ds.problems == []
    assert ds["orders"]["revenue"].sum() == pytest.approx(260.5)
    assert ds.sources["customers"].endswith("(table public.customers)")
    assert "table orders" in ds.ignored


@pytest.mark.postgres
def test_postgres_password_in_the_url_is_hidden(pg_db: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEFAULT_PASSWORD_ENV, raising=False)
    ds = check(pg_db.url(with_password=True))
    assert ds.usable
    assert "***" in ds.origin
    _secret_free(ds, pg_db.password)


@pytest.mark.postgres
def test_postgres_wrong_password_is_a_clear_error(pg_db: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_PASSWORD_ENV, "not-the-password-42")
    with pytest.raises(ValueError) as info:
        check(pg_db.url())
    text = str(info.value)
    assert "password authentication failed" in text
    assert DEFAULT_PASSWORD_ENV in text
    assert f"{pg_db.host}:{pg_db.port}/{pg_db.dbname}" in text
    assert "not-the-password-42" not in text and pg_db.password not in text


@pytest.mark.postgres
def test_postgres_without_password_says_the_variable_is_not_set(
        pg_db: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEFAULT_PASSWORD_ENV, raising=False)
    with pytest.raises(ValueError, match=f"{DEFAULT_PASSWORD_ENV} \\(which is not set\\)"):
        check(pg_db.url())
