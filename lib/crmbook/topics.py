"""TEMPORARY stand-in for the topic registry (replaced by the real ``crmbook.topics`` at merge).

It declares only what the data check reads: each topic's ``number``, ``name``, ``title`` per language
and ``needs`` (each a :class:`Need`: ``key``, ``label`` per language, ``tables``, ``columns``,
``months``). Only the topics that exist are listed: the data check and segmentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Need", "Topic", "TOPICS"]


@dataclass(frozen=True)
class Need:
    """One analysis of a topic and what it needs: tables, ``table.column`` values, months of orders."""

    key: str
    label: dict[str, str]
    tables: tuple[str, ...] = ("customers", "orders")
    columns: tuple[str, ...] = ()
    months: int = 0


@dataclass(frozen=True)
class Topic:
    """A topic: its number, name (as in its notebook's name), title per language and needs."""

    number: int
    name: str
    title: dict[str, str]
    needs: tuple[Need, ...] = field(default=())


TOPICS: tuple[Topic, ...] = (
    Topic(0, "data_check", {"en": "Data check", "zh": "数据检查"}),
    Topic(1, "segmentation", {"en": "Segmentation", "zh": "客户细分"}, needs=(
        Need("rfm", {"en": "RFM scores and segments", "zh": "RFM 评分与细分"}),
        Need("abc", {"en": "ABC classes with the two-year growth rule", "zh": "ABC 分类（两年增长规则）"},
             months=36),
        Need("key_accounts", {"en": "key accounts / agents in class A", "zh": "A 类中的大客户 / 代理商"},
             columns=("customers.account_type",)),
        Need("clusters", {"en": "behavioural clusters", "zh": "行为聚类"}),
        Need("age_bands", {"en": "demographic portrait: age bands", "zh": "人口特征画像：年龄段"},
             columns=("customers.birth_date",)),
        Need("gender_region", {"en": "demographic portrait: gender and region", "zh": "人口特征画像：性别与地区"},
             columns=("customers.gender", "customers.region")),
        Need("penetration", {"en": "penetration and market share", "zh": "渗透率与市场份额"},
             tables=("customers", "orders", "market"), columns=("customers.region",)),
    )),
)
