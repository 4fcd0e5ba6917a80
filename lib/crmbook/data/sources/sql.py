"""A database reached by a SQLAlchemy URL: tables read by name, or with the SQL queries of the mapping.

``sqlite:///crm.db``, ``postgresql+psycopg://analyst@db.example:5432/crm`` ... The password is read
from an environment variable (:data:`DEFAULT_PASSWORD_ENV`), so it never appears in a notebook
parameter, and it is never printed: every message is scrubbed of it (:func:`_scrub`), as is a password
written in the URL.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from crmbook.data.dataset import Problem
from crmbook.data.sources.base import RawTable, Reading, _not_found, _texts, _wanted
from crmbook.redact import PASSWORD_ENV, secret_forms

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["DatabaseSource", "DEFAULT_PASSWORD_ENV"]

#: Environment variable holding the database password.
DEFAULT_PASSWORD_ENV = PASSWORD_ENV  # one name for the loader and the runner (crmbook.redact)


def _scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Replace each secret with ``***`` in every form the runner also scrubs (plain, URL-encoded, escaped).

    Not :class:`crmbook.redact.Redactor`: that one refuses secrets too short to scrub safely from a report,
    while an error message must lose every password, however short.
    """
    forms = {form for secret in secrets if secret for form in secret_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def _db_error(exc: BaseException) -> str:
    """The driver's message of a database error, on one line, without SQLAlchemy's link to its docs."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip()
                    and not line.strip().startswith("(Background on this error"))


@dataclass(frozen=True)
class DatabaseSource:
    """A database (:class:`~crmbook.data.sources.base.Source`); made from its URL by :meth:`from_url`.

    ``url`` holds the password of the environment variable ``password_env`` when the URL gives none;
    ``url_password`` and ``env_password`` are the passwords hidden in every message.
    """

    url: URL
    password_env: str
    url_password: str | None = field(default=None, repr=False)
    env_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url_text: str, password_env: str = DEFAULT_PASSWORD_ENV) -> DatabaseSource:
        """The database of ``url_text``, with the password read from ``password_env`` (now).

        Raises ``ValueError`` when the URL cannot be parsed (the message does not repeat it).
        """
        from sqlalchemy.engine import make_url

        try:
            url = make_url(url_text)
        except Exception:  # noqa: BLE001 - the message of make_url may echo the URL
            raise ValueError("cannot parse the database URL (expected e.g. "
                             "postgresql+psycopg://user@host:5432/dbname or sqlite:///path/to/file.db)") from None
        url_password = url.password
        env_password = os.environ.get(password_env) if password_env else None
        if env_password and url.password is None:
            url = url.set(password=env_password)
        return cls(url, password_env, str(url_password) if url_password is not None else None, env_password)

    @property
    def shown(self) -> str:
        """The URL without its password."""
        return self.url.render_as_string(hide_password=True)

    def describe(self) -> str:
        return f"database {self.shown}"

    def expected(self, table: str) -> str:
        return f"a database table named {table} (or a query in the mapping)"

    def read(self, mapping: dict[str, dict[str, Any]], tables: Collection[str] | None = None) -> Reading:
        import sqlalchemy as sa

        url, shown, secrets = self.url, self.shown, [self.url_password, self.env_password]
        if url.get_backend_name() == "sqlite":
            db = url.database
            if db and db != ":memory:" and not db.startswith("file:") and not Path(db).expanduser().is_file():
                raise FileNotFoundError(f"the SQLite database {db} does not exist (URL {shown})")
        if url.drivername == "postgresql":
            try:
                import psycopg2  # noqa: F401
            except ImportError:
                url = url.set(drivername="postgresql+psycopg")
        try:
            engine = sa.create_engine(url)
        except ModuleNotFoundError as exc:
            raise ValueError(f"cannot open database {shown}: its Python driver is not installed ({exc}); "
                             "for PostgreSQL use postgresql+psycopg://... with the psycopg package") from None
        except Exception as exc:  # noqa: BLE001 - any other engine failure, reported plainly
            raise ValueError(f"cannot open database {shown}: {_scrub(str(exc), secrets)}") from None
        raws: dict[str, RawTable] = {}
        problems: list[Problem] = []
        try:
            with engine.connect() as conn:
                inspector = sa.inspect(conn)
                names = list(inspector.get_table_names()) + list(inspector.get_view_names())
                used: set[str] = set()
                for table in _wanted(tables):
                    spec = mapping.get(table, {})
                    query, wanted = spec.get("query"), spec.get("file")
                    if query:
                        label = f"query for {table} (mapping)"
                        raws[table] = _read_sql(conn, sa.text(query), table, label, f"{shown} ({label})")
                        continue
                    schema = None
                    if wanted:
                        wanted = str(wanted)
                        schema, _, name = wanted.rpartition(".")
                        schema = schema or None
                        if schema is None and name not in names:
                            problems.append(_not_found(table, f"table {wanted}",
                                                       f"the mapping names database table {wanted!r} for "
                                                       f"{table}, but the database has no such table",
                                                       "the table"))
                            continue
                    else:
                        match = [n for n in names if n.lower() == table]
                        if not match:
                            continue
                        name = match[0]
                    used.add(name)
                    stmt = sa.select(sa.text("*")).select_from(sa.table(name, schema=schema))
                    label = f"table {wanted or name}"
                    raws[table] = _read_sql(conn, stmt, table, label, f"{shown} ({label})")
        except sa.exc.SQLAlchemyError as exc:
            hint = ""
            message = _scrub(_db_error(exc), secrets)
            if "password" in message.lower() or "authentication" in message.lower():
                hint = (f" - the password is read from the environment variable {self.password_env}"
                        + (" (which is not set)" if not self.env_password else "; check it"))
            raise ValueError(f"cannot read database {shown}: {message}{hint}") from None
        finally:
            engine.dispose()
        for raw in raws.values():
            if raw.error:
                raw.error = _scrub(raw.error, secrets)
        ignored = [f"table {n}" for n in names if n not in used]
        return raws, problems, ignored


def _read_sql(conn, stmt, table: str, label: str, source: str) -> RawTable:
    """The result of ``stmt`` as table ``table``; a failing query is reported in ``error``, not raised."""
    import sqlalchemy as sa

    raw = RawTable(table, None, label, source, 1)
    try:
        df = pd.read_sql(stmt, conn)
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as exc:
        conn.rollback()
        if not isinstance(exc, sa.exc.SQLAlchemyError) and exc.__cause__ is not None:
            exc = exc.__cause__
        raw.error = f"cannot read {label}: {_db_error(exc)}"
        return raw
    raw.frame = _texts(df)
    return raw
