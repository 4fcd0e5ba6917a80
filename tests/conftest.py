"""Shared test fixtures: small hand-made tables, and a throwaway PostgreSQL server.

The PostgreSQL fixture (:func:`pg_server`) starts a private cluster for the test session: it finds
``initdb``/``pg_ctl`` (on PATH or in ``/usr/lib/postgresql/*/bin``), initialises a cluster in a temporary
folder, starts it on a free localhost port with password (SCRAM) authentication over TCP, creates a role
with a password and a database, and stops and removes everything at the end. PostgreSQL refuses to run
as root, so when the tests run as root the server runs as the ``postgres`` OS user (``runuser``). When no
server can be started the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"

# The snapshot cache of crmbook.data.load (crmbook.data.snapshot) goes to a folder of this test session,
# never to the developer's ~/.cache; the notebook kernels the tests start inherit it.
os.environ["CRMBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="crmbook-test-cache-")

# Fixture notebooks are inputs of the runner tests, not notebooks for nbval to check.
collect_ignore_glob = ["fixtures/*"]


# --------------------------------------------------------------------------------------------------
# Small tables (text, as an analyst's export would hold them)
# --------------------------------------------------------------------------------------------------

def crm_customers() -> pd.DataFrame:
    """Four customers, all valid."""
    return pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4"],
        "signup_date": ["2024-01-05", "2024-02-10", "2024-03-15", "2025-06-30"],
        "gender": ["F", "M", "F", "unknown"],
        "region": ["east", "north", "east", "south"],
        "name": ["张三丰", "John Smith", "李四", "Ann"],
        "phone": ["13812345678", "13987654321", "", "15000001111"],
        "email": ["zhang@example.com", "john@example.com", "", "ann@example.org"],
    })


def crm_orders() -> pd.DataFrame:
    """Six orders of the four customers, all valid (revenue 100 + 50 + 20.5 + 80 + 10 + 0 = 260.5)."""
    return pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O5", "O6"],
        "customer_id": ["C1", "C1", "C2", "C3", "C4", "C4"],
        "order_date": ["2024-01-10", "2024-05-01", "2024-02-11", "2024-04-01", "2025-07-01", "2025-12-31"],
        "revenue": ["100", "50", "20.5", "80", "10", "0"],
        "channel": ["online", "store", "online", "agent", "store", "online"],
    })


def crm_surveys() -> pd.DataFrame:
    """Three survey answers."""
    return pd.DataFrame({
        "customer_id": ["C1", "C2", "C3"],
        "response_date": ["2024-06-01", "2024-06-02", "2024-06-03"],
        "nps": ["9", "3", "10"],
        "csat": ["5", "2", "4"],
        "rating_speed": ["4", "2", "5"],
    })


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], fmt: str = "csv",
                 encoding: str = "utf-8") -> Path:
    """Write each frame to ``folder/<table>.<fmt>`` and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(path, index=False, encoding=encoding)
        elif fmt == "xlsx":
            df.to_excel(path, index=False)
        elif fmt == "parquet":
            df.to_parquet(path, index=False)
        else:
            raise ValueError(fmt)
    return folder


@pytest.fixture
def crm_folder(tmp_path: Path) -> Path:
    """A valid data folder: customers.csv and orders.csv (UTF-8)."""
    return write_tables(tmp_path / "data", {"customers": crm_customers(), "orders": crm_orders()})


# --------------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------------

@dataclass
class PgServer:
    """A running throwaway PostgreSQL server."""

    host: str
    port: int
    socket_dir: str
    user: str
    password: str
    dbname: str

    def url(self, *, with_password: bool = False) -> str:
        """SQLAlchemy URL of the test database (over TCP, so the password is checked)."""
        auth = f"{self.user}:{self.password}" if with_password else self.user
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"


def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """Start a private PostgreSQL cluster for the session; skip (saying why) when that is impossible."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("PostgreSQL tests skipped: the psycopg driver is not installed (pip install 'psycopg[binary]')")
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL tests skipped: no PostgreSQL server found (initdb/pg_ctl not on PATH nor in "
                    "/usr/lib/postgresql/*/bin); install it with: apt-get install postgresql")
    prefix: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL tests skipped: running as root and there is no 'postgres' OS user to run the "
                        "server as (the Debian package postgresql creates it)")
        runuser = shutil.which("runuser")
        prefix = [runuser, "-u", "postgres", "--"] if runuser else None
        if prefix is None:
            pytest.skip("PostgreSQL tests skipped: running as root and 'runuser' is not available")
    base = Path(tempfile.mkdtemp(prefix="crmbook-pg-"))
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, log, sock = base / "data", base / "server.log", base
    port = _free_port()

    def run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(prefix + args, capture_output=True, text=True, timeout=timeout, cwd=base)

    init = run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"])
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL tests skipped: initdb failed: {init.stderr.strip()[-500:]}")
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = run([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60",
                 "start"])
    if start.returncode != 0:
        text = log.read_text(errors="replace")[-500:] if log.exists() else start.stderr
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL tests skipped: the server did not start: {text.strip()}")
    server = PgServer("127.0.0.1", port, str(sock), "crm_analyst", "s3cret-Pa55-易", "crm")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                admin = psycopg.connect(host=str(sock), port=port, user="postgres", dbname="postgres",
                                        autocommit=True)
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with admin:
            admin.execute(f"CREATE ROLE {server.user} LOGIN PASSWORD '{server.password}'")
            admin.execute(f"CREATE DATABASE {server.dbname} OWNER {server.user}")
        yield server
    finally:
        run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)
        shutil.rmtree(base, ignore_errors=True)
