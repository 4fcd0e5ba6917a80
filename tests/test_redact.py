"""Tests of crmbook.redact: passwords out of database URLs, scrubbed in every form they can be written."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from crmbook import redact
from crmbook.errors import UsageError
from crmbook.redact import Redactor


def test_split_password() -> None:
    assert redact.split_password("postgresql://ana:pw@db:5432/crm") == ("postgresql://ana@db:5432/crm", "pw")
    assert redact.split_password("mysql+pymysql://u:p%40ss@h/d?x=1") == ("mysql+pymysql://u@h/d?x=1", "p@ss")
    assert redact.split_password("postgresql://ana@db/crm") == ("postgresql://ana@db/crm", None)
    assert redact.split_password("datasets/sample") == ("datasets/sample", None)
    assert redact.split_password("sqlite:///C:/data/crm.db") == ("sqlite:///C:/data/crm.db", None)


@pytest.mark.parametrize(("url", "bare", "password"), [
    # / ? # written plainly: SQLAlchemy (and so the data loader) reads them as part of the password
    ("postgresql+psycopg://ana:s3cr/et@db.example/crm", "postgresql+psycopg://ana@db.example/crm", "s3cr/et"),
    ("postgresql://ana:a?b#c@db:5432/crm?sslmode=require", "postgresql://ana@db:5432/crm?sslmode=require",
     "a?b#c"),
    # URL-encoded @ / ?
    ("postgresql://ana:p%40ss%2F%3F@db/crm", "postgresql://ana@db/crm", "p@ss/?"),
    # ?password= in the query, other keys kept
    ("postgresql://ana@db/crm?password=s3cr%2Fet&sslmode=require", "postgresql://ana@db/crm?sslmode=require",
     "s3cr/et"),
    ("postgresql://ana:s3cret@db/crm?password=s3cret", "postgresql://ana@db/crm", "s3cret"),
])
def test_split_password_special_characters_and_query(url: str, bare: str, password: str) -> None:
    assert redact.split_password(url) == (bare, password)


def test_split_password_refuses_unreadable_urls_without_echoing_them() -> None:
    with pytest.raises(UsageError, match="%40") as info:
        redact.split_password("postgresql://ana:p@ss@db/crm")  # SQLAlchemy would read password "p"
    assert "p@ss" not in str(info.value) and "postgresql://..." in str(info.value)
    with pytest.raises(UsageError, match="cannot be read as one") as info:
        redact.split_password("postgresql://ana:Hush-9x@db:port/crm")
    assert "Hush" not in str(info.value)
    with pytest.raises(UsageError, match="two different passwords"):
        redact.split_password("postgresql://ana:one-pw@db/crm?password=two-pw")


def test_redactor_scrubs_encoded_forms_and_refuses_short_secrets() -> None:
    secret = "s3cr/et?#@ x"
    redact = Redactor([secret])
    text = ("plain s3cr/et?#@ x, quote s3cr/et%3F%23%40%20x, quote_plus s3cr%2Fet%3F%23%40+x, "
            "lower s3cr%2fet%3f%23%40%20x, import pandas as pd")
    assert redact(text) == "plain ***, quote ***, quote_plus ***, lower ***, import pandas as pd"
    assert Redactor(["a&b<c>d"])('<td>a&amp;b&lt;c&gt;d</td> "a&b<c>d"') == "<td>***</td> \"***\""
    assert not Redactor([None, ""])
    with pytest.raises(ValueError, match="shorter than 4"):
        Redactor(["p"])


def test_secret_forms_cover_encodings_and_escapes() -> None:
    forms = redact.secret_forms('a/b?c "d"')
    assert {'a/b?c "d"', "a/b%3Fc%20%22d%22", "a%2Fb%3Fc%20%22d%22", "a%2Fb%3Fc+%22d%22",
            "a%2fb%3fc+%22d%22", "a/b?c &quot;d&quot;", 'a/b?c \\"d\\"'} <= forms
    assert json.dumps({"x": 'a/b?c "d"'}).split('"x": "')[1][:-2] in forms  # as written inside JSON
    assert redact.secret_forms("s3cret") == {"s3cret"}


def test_url_secrets_finds_what_split_password_refuses() -> None:
    assert redact.url_secrets("postgresql://ana:p@ss@db/crm") == ["p", "p@ss"]
    assert redact.url_secrets("postgresql://ana:p%40ss@db/crm") == ["p@ss", "p%40ss"]
    assert redact.url_secrets("postgresql://ana@db/crm") == []
    assert redact.url_secrets("datasets/sample") == []


def test_lenient_redactor_never_raises_and_skips_short_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(redact.PASSWORD_ENV, "env-secret")
    scrub = redact.lenient_redactor("postgresql://ana:p@ss@db/crm")
    assert scrub("p@ss env-secret pandas") == "*** *** pandas"  # the 1-letter "p" left alone
    monkeypatch.setenv(redact.PASSWORD_ENV, "ab")
    assert not redact.lenient_redactor("datasets/sample")


def test_run_secrets_splits_and_knows_both_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(redact.PASSWORD_ENV, "env-secret")
    data, password, scrub = redact.run_secrets("postgresql://ana:url-secret@db/crm")
    assert (data, password) == ("postgresql://ana@db/crm", "url-secret")
    assert scrub("url-secret env-secret") == "*** ***"
    monkeypatch.delenv(redact.PASSWORD_ENV)
    assert redact.run_secrets("sample")[:2] == ("sample", None) and not redact.run_secrets("sample")[2]
    with pytest.raises(UsageError, match="password in the URL is shorter than 4"):
        redact.run_secrets("postgresql://ana:abc@db/crm")
    monkeypatch.setenv(redact.PASSWORD_ENV, "abc")
    with pytest.raises(UsageError, match="password in CRMBOOK_DB_PASSWORD is shorter than 4"):
        redact.run_secrets("sample")


def test_password_in_env_sets_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(redact.PASSWORD_ENV, raising=False)
    with redact.password_in_env("s3cret"):
        assert os.environ[redact.PASSWORD_ENV] == "s3cret"
    assert redact.PASSWORD_ENV not in os.environ
    monkeypatch.setenv(redact.PASSWORD_ENV, "before")
    with pytest.raises(RuntimeError), redact.password_in_env("s3cret"):
        raise RuntimeError
    assert os.environ[redact.PASSWORD_ENV] == "before"
    with redact.password_in_env(None):
        assert os.environ[redact.PASSWORD_ENV] == "before"


def test_redact_notebook_scrubs_sources_and_outputs() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print("s3cr/et")')])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="s3cr%2Fet\n"),
                           nbformat.v4.new_output("display_data", data={"text/html": "<b>s3cr/et</b>"})]
    clean = redact.redact_notebook(nb, Redactor(["s3cr/et"]))
    assert clean.cells[0].source == 'print("***")'
    assert clean.cells[0].outputs[0].text == "***\n" and clean.cells[0].outputs[1].data["text/html"] == "<b>***</b>"
    assert "s3cr" in nb.cells[0].source  # the notebook given is left as it was
    assert redact.redact_notebook(nb, Redactor()) is nb
    assert redact.redact_notebook(clean, Redactor(["s3cr/et"])) is clean  # nothing to scrub
