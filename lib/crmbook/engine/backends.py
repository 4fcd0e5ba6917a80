"""The engines that run crmbook's SQL: DuckDB (in-process), any SQLAlchemy database, a Spark session.

Every engine has the same small interface (:class:`Engine`): its sqlglot ``dialect``, :meth:`Engine.query`
(SQL written once in DuckDB's dialect, with ``{name}`` fields filled by SQL literals, transpiled to the
engine's dialect and run; a DataFrame back) and :attr:`Engine.rows_returned`, a record of how many rows
each query returned, so that a test can check that no query brings back more rows than there are
customers. :meth:`Engine.columns` tells the queries which columns a table has and of which kind (a date
column of a database needs no parsing, a text one does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Engine", "DuckDBEngine", "SQLAlchemyEngine", "SparkEngine", "render", "transpile"]

#: Tables the engine layer reads.
TABLES = ("customers", "orders")

#: sqlglot's dialect for a SQLAlchemy backend name (the part of the URL before ``+`` or ``://``).
_SQLALCHEMY_DIALECTS = {"postgresql": "postgres", "redshift": "redshift", "mysql": "mysql", "mariadb": "mysql",
                        "sqlite": "sqlite", "mssql": "tsql", "oracle": "oracle", "snowflake": "snowflake",
                        "bigquery": "bigquery", "clickhouse": "clickhouse", "duckdb": "duckdb", "trino": "trino",
                        "databricks": "databricks", "hive": "hive", "presto": "presto"}


def _literal(value: Any) -> str:
    """``value`` as a SQL literal in DuckDB's dialect (dates, timestamps, numbers, text, NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(value)
        return f"TIMESTAMP '{ts:%Y-%m-%d %H:%M:%S}'" if ts.microsecond == 0 else f"TIMESTAMP '{ts.isoformat(' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value:%Y-%m-%d}'"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            raise ValueError(f"no SQL literal for the number {value!r}")
        return repr(float(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__} {value!r}")


class _Raw(str):
    """SQL text inserted as it is (a fragment built by crmbook, never a user's value)."""


def render(sql: str, params: Mapping[str, Any]) -> str:
    """``sql`` with each ``{name}`` replaced by the literal of ``params[name]`` (:class:`_Raw` as it is)."""
    values = {k: (v if isinstance(v, _Raw) else _literal(v)) for k, v in params.items()}
    try:
        return sql.format_map(values)
    except KeyError as exc:
        raise ValueError(f"the query needs a parameter {exc.args[0]!r} that was not given") from None


def transpile(sql: str, dialect: str, tables: Mapping[str, str] | None = None) -> str:
    """DuckDB-dialect ``sql`` in ``dialect`` (sqlglot), with table names replaced as ``tables`` says."""
    import sqlglot
    from sqlglot import exp

    if dialect == "duckdb" and not tables:
        return sql
    tree = sqlglot.parse_one(sql, read="duckdb")
    if tables:
        def rename(node):
            if isinstance(node, exp.Table) and not node.db and node.name in tables:
                new = exp.to_table(tables[node.name], dialect=dialect)
                if node.alias:
                    new.set("alias", node.args["alias"])
                return new
            return node
        tree = tree.transform(rename)
    return tree.sql(dialect=dialect)


def _kind(type_name: str) -> str:
    """``"date"`` (date or timestamp), ``"number"``, ``"text"`` or ``"other"`` for a column type name."""
    t = type_name.lower()
    if "timestamp" in t or t.startswith("date"):
        return "date"
    if any(w in t for w in ("int", "decimal", "numeric", "double", "float", "real", "number")):
        return "number"
    if any(w in t for w in ("char", "text", "string")):
        return "text"
    return "other"


class Engine:
    """One SQL engine: ``dialect``, :meth:`query` and the record :attr:`rows_returned`.

    Subclasses implement :meth:`_run` (run native SQL, return a DataFrame) and :meth:`_column_types`.
    ``tables`` maps crmbook's table names (``customers``, ``orders``) to the engine's own (``crm.orders``).
    """

    dialect: str = "duckdb"

    def __init__(self, tables: Mapping[str, str] | None = None) -> None:
        self.tables = dict(tables or {})
        #: ``(query name, rows returned)`` of every query run, in order.
        self.rows_returned: list[tuple[str, int]] = []

    def native(self, sql: str, **params: Any) -> str:
        """The SQL the engine runs for DuckDB-dialect ``sql`` with ``params`` (for reading, not running)."""
        return transpile(render(sql, params), self.dialect, self.tables)

    def query(self, sql: str, *, name: str = "query", **params: Any) -> pd.DataFrame:
        """Run ``sql`` (DuckDB's dialect, ``{name}`` fields filled from ``params``) and return the result.

        The number of rows returned is appended to :attr:`rows_returned` under ``name``.
        """
        df = self._run(self.native(sql, **params))
        self.rows_returned.append((name, len(df)))
        return df

    def columns(self, table: str) -> dict[str, str]:
        """Column name -> kind (``date``, ``number``, ``text``, ``other``) of crmbook table ``table``."""
        return {str(n).lower(): _kind(str(t)) for n, t in self._column_types(self.tables.get(table, table))}

    def _run(self, sql: str) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _column_types(self, table: str) -> list[tuple[str, str]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dialect={self.dialect!r})"


class DuckDBEngine(Engine):
    """DuckDB in this process, over pandas frames (registered as views) or over files.

    Parameters
    ----------
    frames : dict of DataFrame, optional
        Tables by name, registered as views (no copy).
    files : dict of path, optional
        Tables by name from CSV (read as text, as crmbook's loader reads them: ``all_varchar``) or Parquet
        files (their own column types).
    connection : duckdb.DuckDBPyConnection, optional
        A connection to use (default: a new in-memory database).
    threads : int, optional
        DuckDB's ``threads`` setting (default: DuckDB's own, the number of cores).
    """

    dialect = "duckdb"

    def __init__(self, frames: Mapping[str, pd.DataFrame] | None = None, files: Mapping[str, Any] | None = None,
                 *, connection=None, threads: int | None = None) -> None:
        import duckdb

        super().__init__()
        self.con = connection if connection is not None else duckdb.connect()
        if threads is not None:
            self.con.execute(f"SET threads = {int(threads)}")
        for name, frame in (frames or {}).items():
            self.con.register(name, frame)
        for name, path in (files or {}).items():
            self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {_file_scan(Path(path))}")

    @classmethod
    def from_folder(cls, folder: str | Path, **kwargs: Any) -> DuckDBEngine:
        """The ``customers`` and ``orders`` files of a data folder (``<table>.parquet`` or ``<table>.csv``)."""
        folder = Path(folder).expanduser()
        files = {}
        for table in TABLES:
            found = [folder / f"{table}.{ext}" for ext in ("parquet", "csv") if (folder / f"{table}.{ext}").is_file()]
            if not found:
                raise FileNotFoundError(f"{folder}: no {table}.parquet or {table}.csv (the engine needs the "
                                        f"customers and orders tables)")
            files[table] = found[0]
        return cls(files=files, **kwargs)

    def _run(self, sql: str) -> pd.DataFrame:
        # through Arrow: text columns stay Arrow text (``.df()`` makes a Python string of every cell, a
        # third of the time of a per-customer query at a million customers), and so do money sums
        return self.con.sql(sql).to_arrow_table().to_pandas(types_mapper=_money_dtype)

    def _column_types(self, table: str) -> list[tuple[str, str]]:
        rel = self.con.sql(f"SELECT * FROM {table} LIMIT 0")
        return list(zip(rel.columns, map(str, rel.types), strict=True))


def _money_dtype(t: Any) -> pd.ArrowDtype | None:
    """Decimals with a fraction (crmbook's money sums) stay Arrow decimals, which
    :func:`crmbook.engine.facts_sql.money` reads without a Python ``Decimal`` per cell; other types as pandas'."""
    import pyarrow as pa

    return pd.ArrowDtype(t) if pa.types.is_decimal(t) and t.scale > 0 else None


def _file_scan(path: Path) -> str:
    """DuckDB's table function reading ``path``: CSV as text (like the loader), Parquet as typed."""
    text = "'" + str(path).replace("'", "''") + "'"
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return f"read_parquet({text})"
    if suffix in (".csv", ".txt", ".tsv"):
        return f"read_csv({text}, header = true, all_varchar = true)"
    raise ValueError(f"{path}: the engine reads .csv and .parquet files, not {suffix or 'files without a suffix'}")


class SQLAlchemyEngine(Engine):
    """A database reached by a SQLAlchemy URL; the queries run in the database.

    The password is read from the environment variable ``password_env`` when the URL holds none, as
    :class:`crmbook.data.sources.sql.DatabaseSource` does, and every error message is scrubbed of it.

    Parameters
    ----------
    url : str
        ``postgresql+psycopg://analyst@db.example:5432/crm``, ``snowflake://...``, ``bigquery://project``...
    password_env : str
        Environment variable holding the password (default ``CRMBOOK_DB_PASSWORD``).
    tables : dict, optional
        crmbook table name -> the database's (``{"orders": "sales.orders"}``).
    dialect : str, optional
        sqlglot dialect; by default from the URL's backend.
    """

    def __init__(self, url: str, password_env: str | None = None, *, tables: Mapping[str, str] | None = None,
                 dialect: str | None = None) -> None:
        import sqlalchemy as sa

        from crmbook.data.sources.sql import DEFAULT_PASSWORD_ENV, DatabaseSource, _scrub

        super().__init__(tables)
        self.source = DatabaseSource.from_url(url, DEFAULT_PASSWORD_ENV if password_env is None else password_env)
        backend = self.source.url.get_backend_name()
        self.dialect = dialect or _SQLALCHEMY_DIALECTS.get(backend, backend)
        target = self.source.url
        if target.drivername == "postgresql":
            try:
                import psycopg2  # noqa: F401
            except ImportError:
                target = target.set(drivername="postgresql+psycopg")
        try:
            self.sa_engine = sa.create_engine(target)
        except ModuleNotFoundError as exc:
            raise ValueError(f"cannot open database {self.source.shown}: its Python driver is not installed "
                             f"({exc})") from None
        except Exception as exc:  # noqa: BLE001 - reported plainly, without the password
            raise ValueError(f"cannot open database {self.source.shown}: {_scrub(str(exc), self._secrets)}") from None

    @property
    def _secrets(self) -> list[str | None]:
        return [self.source.url_password, self.source.env_password]

    def _error(self, exc: BaseException) -> ValueError:
        from crmbook.data.sources.sql import _db_error, _scrub

        return ValueError(f"database {self.source.shown}: {_scrub(_db_error(exc), self._secrets)}")

    def _run(self, sql: str) -> pd.DataFrame:
        import sqlalchemy as sa

        try:
            with self.sa_engine.connect() as conn:
                if self.sa_engine.dialect.paramstyle in ("format", "pyformat"):
                    sql = sql.replace("%", "%%")  # a literal % for drivers that read %s placeholders
                result = conn.exec_driver_sql(sql)
                return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        except sa.exc.SQLAlchemyError as exc:
            raise self._error(exc) from None

    def _column_types(self, table: str) -> list[tuple[str, str]]:
        import sqlalchemy as sa

        schema, _, name = table.rpartition(".")
        try:
            cols = sa.inspect(self.sa_engine).get_columns(name, schema=schema or None)
        except sa.exc.NoSuchTableError:
            raise ValueError(f"database {self.source.shown} has no table {table}") from None
        except sa.exc.SQLAlchemyError as exc:
            raise self._error(exc) from None
        return [(c["name"], _sa_type_name(c["type"])) for c in cols]

    def __repr__(self) -> str:
        return f"SQLAlchemyEngine({self.source.shown!r}, dialect={self.dialect!r})"


def _sa_type_name(t: Any) -> str:
    import sqlalchemy as sa

    if isinstance(t, sa.DateTime | sa.Date):
        return "timestamp" if isinstance(t, sa.DateTime) else "date"
    if isinstance(t, sa.Numeric | sa.Integer):
        return "numeric"
    if isinstance(t, sa.String):
        return "varchar"
    return str(t)


class SparkEngine(Engine):
    """A Spark session: the queries run as ``spark.sql``; tables are the session's tables or temp views.

    Only the result rows come to Python (``collect``), one per customer at most. Run the session in
    UTC (``spark.sql.session.timeZone``) so that dates are not shifted.
    """

    dialect = "spark"

    def __init__(self, spark, tables: Mapping[str, str] | None = None) -> None:
        super().__init__(tables)
        self.spark = spark

    @classmethod
    def from_parquet(cls, spark, paths: Mapping[str, Any]) -> SparkEngine:
        """Register each Parquet file or folder of ``paths`` (``{"orders": ".../orders.parquet"}``) as a view."""
        for name, path in paths.items():
            spark.read.parquet(str(path)).createOrReplaceTempView(name)
        return cls(spark)

    def _run(self, sql: str) -> pd.DataFrame:
        df = self.spark.sql(sql)
        rows = df.collect()
        return pd.DataFrame([tuple(r) for r in rows], columns=df.columns)

    def _column_types(self, table: str) -> list[tuple[str, str]]:
        return list(self.spark.table(table).dtypes)
