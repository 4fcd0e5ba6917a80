"""The engine layer: per-customer facts and validation counts computed where the data are.

The queries are **SQL written once, in DuckDB's dialect, and transpiled by sqlglot** to the dialect of
the engine that runs them: DuckDB in this process (over pandas frames or over CSV/Parquet files), any
database SQLAlchemy reaches (PostgreSQL, Snowflake, BigQuery, ClickHouse ...: :class:`SQLAlchemyEngine`),
or a Spark session (``spark.sql``: :class:`SparkEngine`). Only per-customer rows come back, never the
orders.

Why SQL and sqlglot, not Ibis: the facts are a handful of GROUP BY queries, which SQL states directly and
which a reader can check against the pandas definitions line by line; sqlglot is one small pure-Python
package, while Ibis brings a large dependency tree, a backend package per engine, and its Spark backend
needs pyspark anyway. SQLAlchemy, already a dependency, reaches the databases; the same text runs in each
engine, so a test can compare them row for row (``tests/test_engine*.py``).

- :mod:`~crmbook.engine.backends`: :class:`Engine` (``dialect``, ``query``, ``rows_returned``) and the
  three backends;
- :mod:`~crmbook.engine.facts_sql`: :func:`customer_facts`, :func:`yearly_revenue`, :func:`model_summary`,
  :func:`signup_cohorts`;
- :mod:`~crmbook.engine.checks`: :func:`validation_counts` (the loader's rules, counted in the engine).
"""

from crmbook.engine.backends import DuckDBEngine, Engine, SparkEngine, SQLAlchemyEngine
from crmbook.engine.checks import ValidationCounts, validation_counts
from crmbook.engine.facts_sql import customer_facts, model_summary, signup_cohorts, yearly_revenue

__all__ = ["Engine", "DuckDBEngine", "SQLAlchemyEngine", "SparkEngine", "customer_facts", "yearly_revenue",
           "model_summary", "signup_cohorts", "validation_counts", "ValidationCounts"]
