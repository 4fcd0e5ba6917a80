"""crmbook.engine in a local Spark session (``local[1]``) reading the bundled sample from Parquet: the facts and
the validation counts equal DuckDB's, and no query returns more rows than customers.

Slow (a JVM starts: some 10-20 s); skipped, saying why, when ``java`` is missing or Spark cannot start.
"""

from __future__ import annotations

import shutil

import pytest
from test_engine import assert_same_facts, raw_sample

from crmbook.engine import DuckDBEngine, SparkEngine

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        pytest.skip("Spark test skipped: no java on PATH (Debian: apt-get install default-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.skip("Spark test skipped: pyspark is not installed")
    try:
        session = (SparkSession.builder.master("local[1]").appName("crmbook-engine-test")
                   .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                   .config("spark.default.parallelism", "1").config("spark.sql.session.timeZone", "UTC")
                   .config("spark.driver.memory", "1g").config("spark.sql.adaptive.enabled", "false")
                   .getOrCreate())
    except Exception as exc:  # noqa: BLE001 - any failure to start the JVM is a reason to skip
        pytest.skip(f"Spark test skipped: the local Spark session did not start ({exc})")
    yield session
    session.stop()


def test_spark_facts_and_counts_equal_duckdb(spark, tmp_path):
    tables = raw_sample()
    paths = {}
    for name, df in tables.items():
        paths[name] = tmp_path / f"{name}.parquet"
        df.astype("string").to_parquet(paths[name], index=False)
    engine = SparkEngine.from_parquet(spark, paths)
    assert engine.dialect == "spark"
    assert_same_facts(engine, DuckDBEngine(files=paths), len(tables["customers"]))
