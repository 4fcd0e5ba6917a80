"""Shared data of the data-check tests: a tiny hand-written data set, contexts, stand-in topics.

The stand-in topics have the attributes of the topic registry (``crmbook.topics``) that the data check
reads, and nothing else; the tests never import the registry itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmbook.context import Context  # noqa: E402
from crmbook.data import Dataset, check  # noqa: E402

CUSTOMERS = """customer_id,signup_date,region,acquisition_channel,birth_date
C1,2024-01-10,North,store,1980-05-01
C2,2024-02-03,North,online_ads,
C3,2024-03-15,South,store,1990-07-12
"""
# 6 rows: O6 has a negative revenue and is set aside; C3 never buys.
# Usable: Jan 2024 (O1 100), Mar 2024 (O2 50, O3 30), no order in Feb 2024, Apr 2024 (O4 20, O5 200).
ORDERS = """order_id,customer_id,order_date,revenue
O1,C1,2024-01-20,100
O2,C1,2024-03-01,50
O3,C2,2024-03-05,30
O4,C2,2024-04-09,20
O5,C1,2024-04-30,200
O6,C2,2024-04-30,-5
"""


@dataclass(frozen=True)
class Need:
    key: str
    label: dict[str, str]
    tables: tuple[str, ...] = ("customers", "orders")
    columns: tuple[str, ...] = ()
    months: int = 0


@dataclass(frozen=True)
class Topic:
    number: int
    name: str
    title: dict[str, str]
    needs: tuple[Need, ...] = field(default=())


def _need(key: str, en: str, zh: str, **kw) -> Need:
    return Need(key, {"en": en, "zh": zh}, **kw)


#: Stand-ins for the registry: segmentation as declared today, and a satisfaction topic.
TOPICS = (
    Topic(1, "segmentation", {"en": "Segmentation", "zh": "客户细分"}, needs=(
        _need("rfm", "RFM scores and segments", "RFM 评分与细分"),
        _need("abc", "ABC classes with the two-year growth rule", "ABC 分类", months=36),
        _need("key_accounts", "key accounts / agents in class A", "A 类大客户", columns=("customers.account_type",)),
        _need("penetration", "penetration and market share", "渗透率与市场份额",
              tables=("customers", "orders", "market"), columns=("customers.region",)),
    )),
    Topic(3, "satisfaction", {"en": "Satisfaction", "zh": "客户满意度"}, needs=(
        _need("scores", "NPS, CSAT and CES", "NPS、CSAT 与 CES", tables=("customers", "surveys")),
    )),
)


def dataset(**tables: pd.DataFrame) -> Dataset:
    """A Dataset of hand-made, already typed tables: every row read is used, nothing is absent."""
    rejected = pd.DataFrame(columns=["table", "file", "row", "column", "reason", "value"])
    return Dataset(tables=tables, absent=(), rejected=rejected, problems=[], as_of=None, sources={},
                   rows_read={name: len(frame) for name, frame in tables.items()})


@pytest.fixture(scope="package")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "orders.csv").write_text(ORDERS, encoding="utf-8")
    return folder


@pytest.fixture(scope="package")
def ds(tiny):
    return check(tiny, as_of="2024-12-31")


@pytest.fixture
def ctx() -> Context:
    return Context(as_of="2024-12-31", currency="CNY", language="en")


@pytest.fixture
def ctx_zh() -> Context:
    return Context(as_of="2024-12-31", currency="CNY", language="zh")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
