"""crmbook.engine in a real PostgreSQL server: the bundled sample's raw tables loaded as text, the facts and the
validation counts computed by PostgreSQL equal DuckDB's, and no query returns more rows than customers."""

from __future__ import annotations

import pytest
from test_engine import SAMPLE, assert_same_facts, raw_sample

from crmbook.engine import DuckDBEngine, SQLAlchemyEngine, validation_counts

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_engine(pg_server, monkeypatch_module):
    import sqlalchemy as sa

    monkeypatch_module.setenv("CRMBOOK_ENGINE_TEST_PW", pg_server.password)
    engine = SQLAlchemyEngine(pg_server.url(), password_env="CRMBOOK_ENGINE_TEST_PW")
    with engine.sa_engine.begin() as conn:
        for name, df in raw_sample().items():  # every column as text, as an export would hold it
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
            df.to_sql(name, conn, index=False, dtype={c: sa.Text() for c in df.columns})
    return engine


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_postgres_facts_and_counts_equal_duckdb(pg_engine):
    assert pg_engine.dialect == "postgres"
    n = len(raw_sample()["customers"])
    assert_same_facts(pg_engine, DuckDBEngine.from_folder(SAMPLE), n)
    assert len(pg_engine.rows_returned) >= 6


def test_postgres_errors_never_show_the_password(pg_server, monkeypatch):
    monkeypatch.setenv("CRMBOOK_ENGINE_TEST_PW", "wrong-" + pg_server.password)
    engine = SQLAlchemyEngine(pg_server.url(), password_env="CRMBOOK_ENGINE_TEST_PW")
    with pytest.raises(ValueError) as err:
        validation_counts(engine, "2025-12-31")
    assert pg_server.password not in str(err.value) and "wrong-" not in str(err.value)
