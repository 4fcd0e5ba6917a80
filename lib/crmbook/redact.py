"""Database passwords: kept out of notebook parameters, scrubbed from everything a run writes.

A password in a database URL (``user:password@`` or ``?password=``, read with SQLAlchemy's ``make_url``)
is taken out of the URL (:func:`split_password`) before the URL becomes a notebook parameter (Papermill
writes parameters in plain text into the notebook) and handed to the kernels in the environment variable
:data:`PASSWORD_ENV` (:func:`password_in_env`), where the data loader reads it. That password and the one
already in :data:`PASSWORD_ENV` are scrubbed (plain, URL-encoded, HTML- and JSON-escaped:
:func:`secret_forms`) from every executed notebook, report, JSON file and log line (:class:`Redactor`,
:func:`redact_notebook`). A password shorter than :data:`MIN_SECRET_LENGTH` characters stops the run
with :class:`~crmbook.errors.UsageError` (scrubbing it would mangle the reports), as does a ``--data``
with ``://`` that SQLAlchemy cannot read.

A shared module, used by the data loader (:mod:`crmbook.data`, for its own messages) and the runner
(:mod:`crmbook.report`); it never imports either.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import unquote

from crmbook.errors import UsageError

__all__ = [
    "MIN_SECRET_LENGTH",
    "PASSWORD_ENV",
    "Redactor",
    "lenient_redactor",
    "password_in_env",
    "redact_notebook",
    "run_secrets",
    "secret_forms",
    "split_password",
    "url_secrets",
]

#: Environment variable through which a database password reaches the kernels (the data loader reads it).
PASSWORD_ENV = "CRMBOOK_DB_PASSWORD"

#: Shortest password the runner accepts: a shorter one cannot be scrubbed from the reports without
#: mangling them (every "p" of the notebook would become ``***``), so the run stops with exit code 2.
MIN_SECRET_LENGTH = 4


def split_password(data: str) -> tuple[str, str | None]:
    """Take the password out of a database URL.

    ``"postgresql://ana:pw@db/crm"`` -> ``("postgresql://ana@db/crm", "pw")``. The URL is read with
    SQLAlchemy's :func:`~sqlalchemy.engine.make_url`, exactly as the data loader reads it, so a password
    holding ``/ ? #`` (written plainly or URL-encoded) comes out whole; a ``password`` query key
    (``...?password=pw``) is taken out too. Anything without ``://`` (a folder, a file, ``"sample"``),
    and a URL without a password, comes back unchanged with ``None``.

    Raises
    ------
    UsageError
        ``data`` has ``://`` but is not a URL SQLAlchemy can read, or its host holds an ``@`` (an ``@`` in
        the password must be written ``%40``). The message never repeats the URL.
    """
    if "://" not in data:
        return data, None
    from sqlalchemy.engine import URL, make_url

    scheme = data.split("://", 1)[0]
    shown = scheme if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", scheme) else "a"
    try:
        url = make_url(data)
    except Exception:  # ArgumentError, or ValueError for a port that is not a number
        raise UsageError(f"--data looks like a database URL ({shown}://...) but cannot be read as one; expected "
                         "dialect+driver://user@host:port/database (URL not repeated here: it may hold "
                         "a password)") from None
    if "@" in (url.host or ""):
        raise UsageError(f"--data: the database URL ({shown}://...) has more than one '@'; write an '@' inside "
                         "the password as %40, or better, leave the password out of the URL and set "
                         f"{PASSWORD_ENV}")
    in_query = url.query.get("password")
    query_passwords = [in_query] if isinstance(in_query, str) else list(in_query or ())
    password = url.password or next((p for p in query_passwords if p), None)
    if password is None and "password" not in url.query:
        return data, None
    if url.password and any(p and p != url.password for p in query_passwords):
        raise UsageError(f"--data: the database URL ({shown}://...) holds two different passwords "
                         "(user:password@ and ?password=); give one")
    bare = URL.create(url.drivername, username=url.username, password=None, host=url.host, port=url.port,
                      database=url.database, query={k: v for k, v in url.query.items() if k != "password"})
    return bare.render_as_string(hide_password=False), password or None


def url_secrets(data: str) -> list[str]:
    """Every password a ``--data`` value may hold, for scrubbing error messages; never raises.

    Used where :func:`split_password` may have refused the URL: the password as SQLAlchemy reads it,
    and the whole ``user:...@`` part up to the last ``@`` (an unencoded ``@`` in the password).
    ``"postgresql://ana:p@ss@db/crm"`` -> ``["p", "p@ss"]``; no password -> ``[]``.
    """
    found = []
    with contextlib.suppress(UsageError):
        found.append(split_password(data)[1])
    with contextlib.suppress(Exception):
        from sqlalchemy.engine import make_url

        found.append(make_url(data).password)
    match = re.match(r"^[^:/]*://[^:/@]*:(?P<pw>.*)@[^@]*$", data)
    if match:
        found += [match["pw"], unquote(match["pw"])]
    return [str(s) for s in dict.fromkeys(found) if s]


def secret_forms(secret: str) -> set[str]:
    """The ways a secret can be written into a notebook, a page or a log: plain, URL-encoded, escaped.

    ``quote`` (with and without ``/`` kept), ``quote_plus``, upper- and lower-case ``%xx``, HTML-escaped
    (with and without quotes), and each of those as it stands inside a JSON string.
    """
    from urllib.parse import quote, quote_plus

    forms = {secret, quote(secret), quote(secret, safe=""), quote_plus(secret), quote_plus(secret, safe="/"),
             html.escape(secret), html.escape(secret, quote=False)}
    for form in list(forms):
        forms.add(json.dumps(form)[1:-1])  # as it stands inside a JSON string (.ipynb, kpis.json)
        forms.add(json.dumps(form, ensure_ascii=False)[1:-1])
    for form in list(forms):  # %2f as well as %2F
        if "%" in form:
            forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form))
    return {f for f in forms if f}


class Redactor:
    """Replaces secrets with ``***`` in any text: plain, URL-encoded (``quote``, ``quote_plus``), HTML-
    and JSON-escaped (the forms of :func:`secret_forms`, longest first).

    ``Redactor(["s3cret"])("pw=s3cret")`` -> ``"pw=***"``; a redactor without secrets is false and
    returns text unchanged. Secrets shorter than :data:`MIN_SECRET_LENGTH` are refused (``ValueError``):
    replacing them would mangle ordinary text.
    """

    def __init__(self, secrets_: Sequence[str | None] = ()) -> None:
        forms: set[str] = set()
        for s in secrets_:
            if not s:
                continue
            if len(s) < MIN_SECRET_LENGTH:
                raise ValueError(f"a secret shorter than {MIN_SECRET_LENGTH} characters cannot be scrubbed")
            forms |= secret_forms(s)
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, "***")
        return text

    def __bool__(self) -> bool:
        return bool(self.forms)


def lenient_redactor(data: str) -> Redactor:
    """A redactor for error messages: every secret it can find, short ones included only when safe.

    The secrets of :func:`url_secrets` and the password in :data:`PASSWORD_ENV`, those shorter than
    :data:`MIN_SECRET_LENGTH` left out (never raises).
    """
    candidates = [*url_secrets(data), os.environ.get(PASSWORD_ENV) or ""]
    return Redactor([s for s in candidates if len(s) >= MIN_SECRET_LENGTH])


def run_secrets(data: str) -> tuple[str, str | None, Redactor]:
    """``data`` without its password, the password for :data:`PASSWORD_ENV`, and the run's redactor.

    The redactor knows the URL's password and the one already in :data:`PASSWORD_ENV` (the documented
    way to give it).

    Raises
    ------
    UsageError
        Either password is shorter than :data:`MIN_SECRET_LENGTH`, or :func:`split_password` refuses
        the URL.
    """
    safe_data, password = split_password(data)
    known = {"in the URL": password, f"in {PASSWORD_ENV}": os.environ.get(PASSWORD_ENV)}
    for where, secret in known.items():
        if secret and len(secret) < MIN_SECRET_LENGTH:
            raise UsageError(f"the database password {where} is shorter than {MIN_SECRET_LENGTH} characters: "
                             "the runner could not scrub it from the reports without mangling them; use a "
                             "longer password")
    return safe_data, password, Redactor([s for s in known.values() if s])


@contextlib.contextmanager
def password_in_env(password: str | None) -> Iterator[None]:
    """Put the password into :data:`PASSWORD_ENV` for the kernels started meanwhile.

    The variable's previous value (or its absence) is restored on exit; ``None`` changes nothing.
    """
    if password is None:
        yield
        return
    before = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = password
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = before


def redact_notebook(nb: Any, redact: Redactor) -> Any:
    """A notebook with secrets scrubbed from every source and output (belt and braces: they should not be
    there).

    The notebook itself when there is nothing to scrub, else a new one read back from the scrubbed text.
    """
    if not redact:
        return nb
    import nbformat

    text = nbformat.writes(nb)
    clean = redact(text)
    return nb if clean == text else nbformat.reads(clean, as_version=4)
