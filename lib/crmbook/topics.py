"""The topic registry: each topic of the workbook declared once.

One :class:`TopicSpec` per topic says its number and name, its notebook, the package holding its logic,
its title in each report language, the tables it needs and what each of its analyses needs
(:class:`Need`). The runner (``crmbook run``, ``crmbook topics``) and the data check (notebook 00, to say
which analyses a data set allows) read it.

How the runner finds topics (:func:`crmbook.report.find_topics`): in the project's ``notebooks/``
folder the topics are exactly the ones declared here, in number order; a declared notebook that is
missing there, or a ``NN_name.ipynb`` there that is not declared, stops ``crmbook run`` and
``crmbook topics`` with a usage error naming it. In any other folder (``--notebooks DIR``: an analyst's
own notebooks, the tests' fixtures) every ``NN_name.ipynb`` is a topic, and carries the declaration of
its name when there is one (``Topic.spec``). ``crmbook topics`` shows the declared titles.

Only the topics that exist are declared; a topic is added here when its notebook and package are built.

A shared module: it imports no topic package (``package`` is only a name) and nothing else of crmbook.

Examples
--------
>>> from crmbook import topics
>>> topics.get("segmentation").title["zh"]
'客户细分'
>>> [t.number for t in topics.TOPICS][:2]
['00', '01']
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ALWAYS_COMPARED", "KPI_BETTER", "KPI_KINDS", "LANGUAGES", "TOPICS", "KpiSpec", "Need", "TopicSpec",
           "get", "kpi_spec"]

#: What a headline figure is: a share (0-1, or 0-100 when its unit is "%"), a count, money, a number.
KPI_KINDS: tuple[str, ...] = ("share", "count", "money", "number")

#: Which way a figure should move: ``up`` is good, ``down`` is good, or ``neutral`` (neither).
KPI_BETTER: tuple[str, ...] = ("up", "down", "neutral")

#: Parameters every figure depends on: two runs whose values of these differ are never compared. The
#: analysis date is not one of them: it is the time axis of a trend (a nightly run moves it by a day, and
#: that change is the business moving); the index names the date of the run it compares with.
ALWAYS_COMPARED: tuple[str, ...] = ("data", "mapping")

#: The report languages: every title and label is given in each of them.
LANGUAGES: tuple[str, ...] = ("en", "zh")  # as crmbook.context.LANGUAGES (a test keeps them equal; no import)

#: The tables every topic needs (the only required tables of the data model).
_CORE_TABLES: tuple[str, ...] = ("customers", "orders")


def _labels(value: Mapping[str, str], what: str) -> dict[str, str]:
    """``value`` as a new dict, checked to hold a text for every report language."""
    missing = [lang for lang in LANGUAGES if not str(value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"{what} needs a text in every report language {LANGUAGES}; missing: {missing}")
    return dict(value)


@dataclass(frozen=True)
class Need:
    """One analysis of a topic and what it needs to run.

    Parameters
    ----------
    key : str
        Stable machine name of the analysis, ``snake_case`` (``"rfm"``).
    label : mapping
        The analysis as a reader calls it, per report language: ``{"en": ..., "zh": ...}``.
    tables : tuple of str
        Tables that must be present (default: ``customers`` and ``orders``).
    columns : tuple of str
        ``table.column`` pairs that must hold at least one value; ``table.prefix_*`` means any column of
        that family (``surveys.rating_*``).
    months : int
        Calendar months of order history needed (0: any).
    """

    key: str
    label: Mapping[str, str] = field(hash=False)
    tables: tuple[str, ...] = _CORE_TABLES
    columns: tuple[str, ...] = ()
    months: int = 0

    def __post_init__(self) -> None:
        if not self.key.isidentifier():
            raise ValueError(f"Need.key must be a snake_case identifier, got {self.key!r}")
        object.__setattr__(self, "label", _labels(self.label, f"the label of need {self.key!r}"))
        for ref in self.columns:
            table, _, column = ref.partition(".")
            if not column or table not in self.tables:
                raise ValueError(f"need {self.key!r}: column {ref!r} must be 'table.column' of one of its "
                                 f"tables {self.tables}")


@dataclass(frozen=True)
class KpiSpec:
    """What a recorded figure (KPI) is, so that the index compares runs honestly.

    Parameters
    ----------
    pattern : str
        The KPI's name, or a name pattern (``"rfm_*_share"``, :mod:`fnmatch` rules); an exact name wins
        over a pattern, a longer pattern over a shorter one.
    kind : str
        One of :data:`KPI_KINDS`; a share changes in percentage points.
    depends_on : tuple of str
        Parameters that change the figure (besides :data:`ALWAYS_COMPARED`): runs differing in one of
        them are "not comparable".
    better : str
        One of :data:`KPI_BETTER`: whether a rise is good news.
    """

    pattern: str
    kind: str
    depends_on: tuple[str, ...] = ()
    better: str = "neutral"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9_*?]+", self.pattern):
            raise ValueError(f"KpiSpec.pattern must be a snake_case name or pattern, got {self.pattern!r}")
        if self.kind not in KPI_KINDS:
            raise ValueError(f"KPI {self.pattern!r}: kind must be one of {KPI_KINDS}, got {self.kind!r}")
        if self.better not in KPI_BETTER:
            raise ValueError(f"KPI {self.pattern!r}: better must be one of {KPI_BETTER}, got {self.better!r}")

    @property
    def compared_on(self) -> tuple[str, ...]:
        """Every parameter two runs must share for this figure to be compared."""
        return ALWAYS_COMPARED + tuple(p for p in self.depends_on if p not in ALWAYS_COMPARED)

    def matches(self, name: str) -> bool:
        """Whether this declaration covers KPI ``name``."""
        return fnmatch.fnmatchcase(name, self.pattern)


@dataclass(frozen=True)
class TopicSpec:
    """The declaration of one topic.

    Parameters
    ----------
    number : str
        Two digits, the topic's place in the course (``"01"``).
    name : str
        Machine name, ``snake_case`` (``"segmentation"``): ``crmbook run segmentation``.
    notebook : str
        File name of its notebook in ``notebooks/``: ``f"{number}_{name}.ipynb"``.
    package : str
        Dotted name of the package with its logic (``"crmbook.segmentation"``); never imported here.
    title : mapping
        The topic's title per report language: ``{"en": "Customer segmentation", "zh": "客户细分"}``.
    required_tables : tuple of str
        Tables without which the notebook cannot run.
    optional_tables : tuple of str
        Tables some of its sections use when present (a missing one skips the section, saying so).
    needs : tuple of Need
        Its analyses and what each needs.
    about : mapping
        One line per report language saying what the report answers (the run index lists it).
    kpis : tuple of KpiSpec
        What each figure it records is (kind, parameters it depends on, which way is better); each name
        or pattern once.
    headline : tuple of str
        The few KPI names shown as cards on the run index, each covered by ``kpis``.
    leads : bool
        Its headline cards open the run index, before the other topics' (the customer plan's management
        scorecard).
    cost : float
        How long its notebook runs compared with the others, on a large company (the seconds each took at
        1M customers in ``benchmarks/bench_scale.py``). A run starts the slowest notebooks first, by the last
        good run's times; in a reports folder without one, by this.
    """

    number: str
    name: str
    notebook: str
    package: str
    title: Mapping[str, str] = field(hash=False)
    required_tables: tuple[str, ...] = _CORE_TABLES
    optional_tables: tuple[str, ...] = ()
    needs: tuple[Need, ...] = ()
    about: Mapping[str, str] = field(default_factory=dict, hash=False)
    kpis: tuple[KpiSpec, ...] = ()
    headline: tuple[str, ...] = ()
    leads: bool = False
    cost: float = 1.0

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{2}", self.number):
            raise ValueError(f"topic {self.name!r}: number must be two digits, got {self.number!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"topic name must be snake_case, got {self.name!r}")
        if self.notebook != f"{self.stem}.ipynb":
            raise ValueError(f"topic {self.stem}: notebook must be {self.stem}.ipynb, got {self.notebook!r}")
        object.__setattr__(self, "title", _labels(self.title, f"the title of topic {self.stem}"))
        known = set(self.required_tables) | set(self.optional_tables)
        for need in self.needs:
            if not set(need.tables) <= known:
                raise ValueError(f"topic {self.stem}: need {need.key!r} uses tables "
                                 f"{sorted(set(need.tables) - known)} the topic does not declare")
        if self.about:
            object.__setattr__(self, "about", _labels(self.about, f"the line about topic {self.stem}"))
        patterns = [k.pattern for k in self.kpis]
        twice = sorted({p for p in patterns if patterns.count(p) > 1})
        if twice:
            raise ValueError(f"topic {self.stem}: KPI(s) {twice} declared more than once")
        if len(set(self.headline)) < len(self.headline):
            raise ValueError(f"topic {self.stem}: a headline KPI is listed twice: {self.headline}")
        for name in self.headline:
            if self.kpi(name) is None:
                raise ValueError(f"topic {self.stem}: headline KPI {name!r} has no declaration in kpis")

    def kpi(self, name: str) -> KpiSpec | None:
        """The declaration covering KPI ``name``: an exact name first, then the longest matching pattern."""
        found = [k for k in self.kpis if k.matches(name)]
        exact = [k for k in found if k.pattern == name]
        return (exact or sorted(found, key=lambda k: -len(k.pattern)) or [None])[0]

    @property
    def stem(self) -> str:
        """``"01_segmentation"``: the notebook's name without ``.ipynb``."""
        return f"{self.number}_{self.name}"


#: Every topic, in number order.
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        number="00",
        cost=13,  # s at 1M customers
        name="data_check",
        notebook="00_data_check.ipynb",
        package="crmbook.data_check",
        title={"en": "Data check", "zh": "数据检查"},
        optional_tables=("surveys", "contacts", "costs", "campaigns", "campaign_members", "market"),
        about={"en": "Can the data be trusted, and what does it allow?",
               "zh": "数据是否可信？能支持哪些分析？"},
        kpis=(
            KpiSpec("customers_used", "count", better="up"),
            KpiSpec("orders_used", "count", better="up"),
            KpiSpec("rows_set_aside", "count", better="down"),
            KpiSpec("revenue_total", "money", depends_on=("currency",), better="up"),
            KpiSpec("history_months", "count"),
        ),
        headline=("customers_used", "revenue_total", "rows_set_aside"),
    ),
    TopicSpec(
        number="01",
        cost=55,  # s at 1M customers
        name="segmentation",
        notebook="01_segmentation.ipynb",
        package="crmbook.segmentation",
        title={"en": "Customer segmentation", "zh": "客户细分"},
        optional_tables=("market",),
        needs=(
            Need("rfm", {"en": "RFM scores and segments", "zh": "RFM 评分与客户分群"}),
            Need("abc", {"en": "ABC classes with the two-year growth rule", "zh": "ABC 分类（含两年增长规则）"},
                 months=36),
            Need("key_accounts", {"en": "key accounts / agents in class A", "zh": "A 类中的大客户与代理商"},
                 columns=("customers.account_type",)),
            Need("clusters", {"en": "behavioural clusters", "zh": "客户行为聚类"}),
            Need("age_bands", {"en": "demographic portrait: age bands", "zh": "客户画像：年龄段"},
                 columns=("customers.birth_date",)),
            Need("gender_region", {"en": "demographic portrait: gender and region", "zh": "客户画像：性别与地区"},
                 columns=("customers.gender", "customers.region")),
            Need("market_share", {"en": "penetration and market share", "zh": "市场渗透率与市场份额"},
                 tables=("customers", "orders", "market"), columns=("customers.region",)),
        ),
        about={"en": "Which customers are worth what, and whom to contact first.",
               "zh": "哪些客户价值多少，先联系谁。"},
        kpis=(
            KpiSpec("customers", "count", better="up"),
            KpiSpec("rfm_*_share", "share", depends_on=("rfm_bins",)),
            KpiSpec("rfm_*_customers", "count", depends_on=("rfm_bins",)),
            KpiSpec("rfm_champions_share", "share", depends_on=("rfm_bins",), better="up"),
            KpiSpec("rfm_loyal_share", "share", depends_on=("rfm_bins",), better="up"),
            KpiSpec("rfm_at_risk_share", "share", depends_on=("rfm_bins",), better="down"),
            KpiSpec("rfm_cant_lose_share", "share", depends_on=("rfm_bins",), better="down"),
            KpiSpec("rfm_lost_share", "share", depends_on=("rfm_bins",), better="down"),
            KpiSpec("top20_revenue_share", "share"),
            KpiSpec("top_share_revenue", "share", depends_on=("abc_top_share",)),
            KpiSpec("abc_*_share", "share", depends_on=("abc_top_share", "abc_growth")),
            KpiSpec("abc_*_customers", "count", depends_on=("abc_top_share", "abc_growth")),
            KpiSpec("clusters_k", "count", depends_on=("rfm_bins", "k_min", "k_max", "seed")),
            KpiSpec("target_*_share", "share", depends_on=("target_split",)),
            KpiSpec("target_focus_share", "share", depends_on=("target_split",), better="up"),
            KpiSpec("target_abandon_share", "share", depends_on=("target_split",), better="down"),
            KpiSpec("penetration", "share", better="up"),
            KpiSpec("market_share", "share", better="up"),
        ),
        headline=("customers", "rfm_champions_share", "rfm_at_risk_share", "top20_revenue_share"),
    ),
    TopicSpec(
        number="02",
        cost=58,  # s at 1M customers
        name="lifecycle",
        notebook="02_lifecycle.ipynb",
        package="crmbook.lifecycle",
        title={"en": "Customer lifecycle and retention", "zh": "客户生命周期与留存"},
        optional_tables=("contacts", "points", "campaigns", "campaign_members"),
        needs=(
            Need("stages", {"en": "lifecycle stages and customer flow", "zh": "生命周期阶段与客户流转"}),
            Need("flow", {"en": "customer flow over a year", "zh": "一年的客户流转"}, months=13),
            Need("cohorts", {"en": "monthly cohorts and retention", "zh": "月度同期群与留存"}),
            Need("survival", {"en": "Kaplan-Meier lifetime", "zh": "Kaplan-Meier 客户生命周期"}),
            Need("channels", {"en": "retention and survival by acquisition channel", "zh": "各获客渠道的留存与生存"},
                 columns=("customers.acquisition_channel",)),
            Need("p_alive", {"en": "probability alive (BG/NBD)", "zh": "客户存活概率（BG/NBD）"}),
            Need("birthdays", {"en": "birthday greetings", "zh": "生日问候"}, columns=("customers.birth_date",)),
            Need("revisits", {"en": "regular revisits of key accounts and agents", "zh": "大客户与代理商的定期拜访"},
                 columns=("customers.account_type",)),
            Need("visit_history", {"en": "revisits from the last visit", "zh": "按最近拜访安排的定期拜访"},
                 tables=("customers", "orders", "contacts")),
            Need("tiers", {"en": "member tiers and their movement", "zh": "会员等级及其变动"}),
            Need("referrals", {"en": "referred customers against the others", "zh": "被推荐客户与其他客户的比较"},
                 columns=("customers.referred_by",)),
            Need("points", {"en": "loyalty points and the points liability", "zh": "会员积分与积分负债"},
                 tables=("customers", "orders", "points")),
            Need("pain_points", {"en": "touchpoints' response, outcome and pain points", "zh": "接触点的响应、结果与痛点"},
                 tables=("customers", "orders", "contacts")),
        ),
        about={"en": "Who is active, who is slipping away, how long customers stay, and whom to call this week.",
               "zh": "谁在活跃、谁在流失、客户能留多久，本周该联系谁。"},
        kpis=(
            KpiSpec("active_customers", "count", depends_on=("at_risk_days", "inactive_days"), better="up"),
            KpiSpec("retention_rate", "share", better="up"),
            KpiSpec("churn_rate", "share", better="down"),
            KpiSpec("repeat_purchase_rate", "share", better="up"),
            KpiSpec("reactivation_rate", "share", depends_on=("inactive_days",), better="up"),
            KpiSpec("median_lifetime_days", "number", depends_on=("inactive_days",), better="up"),
            KpiSpec("at_risk_revenue", "money", depends_on=("currency", "at_risk_days", "inactive_days"),
                    better="down"),
            KpiSpec("won_back_customers", "count", depends_on=("at_risk_days", "inactive_days", "flow_months"),
                    better="up"),
            KpiSpec("contacts_planned", "count", depends_on=("at_risk_days", "inactive_days", "top_value_share",
                                                             "birthday_days", "revisit_days", "follow_up_within",
                                                             "event_invites")),
            KpiSpec("stage_*_customers", "count", depends_on=("at_risk_days", "inactive_days", "loyal_orders")),
            KpiSpec("points_liability", "money", depends_on=("currency", "value_per_point"), better="neutral"),
            KpiSpec("points_redemption_rate", "share", better="neutral"),
            KpiSpec("referred_revenue_share", "share", better="up"),
            KpiSpec("referral_repeat_gap", "number", better="up"),
            KpiSpec("tier_retention_gap", "number", depends_on=("tier_thresholds", "tier_basis", "tier_window_months"),
                    better="neutral"),
            KpiSpec("pain_points_found", "count", depends_on=("pain_window_days", "slow_quantile", "min_group"),
                    better="down"),
        ),
        headline=("active_customers", "retention_rate", "median_lifetime_days", "at_risk_revenue"),
    ),
    TopicSpec(
        number="03",
        cost=20,  # s at 1M customers
        name="satisfaction",
        notebook="03_satisfaction.ipynb",
        package="crmbook.satisfaction",
        title={"en": "Customer satisfaction and feedback", "zh": "客户满意度与反馈管理"},
        optional_tables=("surveys", "contacts"),
        needs=(
            Need("scores", {"en": "CSAT, NPS and CES with intervals", "zh": "带置信区间的 CSAT、NPS 和 CES"},
                 tables=("customers", "orders", "surveys"), columns=("surveys.nps", "surveys.csat")),
            Need("drivers", {"en": "drivers and the importance-performance matrix", "zh": "驱动因素与重要性-表现矩阵"},
                 tables=("customers", "orders", "surveys"), columns=("surveys.csat", "surveys.rating_*")),
            Need("loyalty", {"en": "satisfaction and later repurchase", "zh": "满意度与后续复购"},
                 tables=("customers", "orders", "surveys"), columns=("surveys.nps",), months=13),
            Need("feedback", {"en": "comments classified by subject", "zh": "评论按主题分类"},
                 tables=("customers", "orders", "surveys"), columns=("surveys.comment",)),
            Need("complaints", {"en": "complaint response time and resolution", "zh": "投诉响应时间与解决率"},
                 tables=("customers", "orders", "contacts"), columns=("contacts.response_hours", "contacts.resolved")),
            Need("repair", {"en": "relationship repair list", "zh": "关系修复名单"},
                 tables=("customers", "orders", "contacts"), columns=("contacts.type",)),
        ),
        about={"en": "How satisfied are customers, what drives it, does it keep them, and whom to call.",
               "zh": "客户有多满意、受什么驱动、是否留住了客户、该联系谁。"},
        kpis=(
            KpiSpec("nps", "number", better="up"),
            KpiSpec("nps_low", "number", depends_on=("confidence",), better="up"),
            KpiSpec("nps_high", "number", depends_on=("confidence",), better="up"),
            KpiSpec("csat", "share", better="up"),
            KpiSpec("csat_low", "share", depends_on=("confidence",), better="up"),
            KpiSpec("csat_high", "share", depends_on=("confidence",), better="up"),
            KpiSpec("ces", "number", better="down"),
            KpiSpec("ces_low", "number", depends_on=("confidence",), better="down"),
            KpiSpec("ces_high", "number", depends_on=("confidence",), better="down"),
            KpiSpec("survey_answers", "count", better="up"),
            KpiSpec("complaints", "count", better="down"),
            KpiSpec("complaint_within_target", "share", depends_on=("complaint_target_hours",), better="up"),
            KpiSpec("complaint_resolved", "share", better="up"),
            KpiSpec("repair_list", "count", depends_on=("lookback_days", "complaint_target_hours", "drop_points"),
                    better="down"),
        ),
        headline=("nps", "csat", "complaint_within_target", "repair_list"),
    ),
    TopicSpec(
        number="04",
        cost=31,  # s at 1M customers
        name="cost_accounting",
        notebook="04_cost_accounting.ipynb",
        package="crmbook.costing",
        title={"en": "Customer cost accounting", "zh": "客户成本核算"},
        optional_tables=("costs", "contacts", "campaigns", "campaign_members"),
        needs=(
            Need("gross_margin", {"en": "gross margin per customer", "zh": "每位客户的毛利"},
                 columns=("orders.cost_of_goods",)),
            Need("cost_classes", {"en": "cost classes", "zh": "成本分类"},
                 tables=("customers", "orders", "costs")),
            Need("allocation", {"en": "activity-based allocation and customer P&L", "zh": "作业成本分摊与客户损益"},
                 tables=("customers", "orders", "costs"), columns=("orders.cost_of_goods",)),
            Need("service_drivers", {"en": "service and visit drivers", "zh": "服务与拜访成本动因"},
                 tables=("customers", "orders", "costs", "contacts")),
            Need("cac", {"en": "acquisition cost per new customer (CAC)", "zh": "每位新客户的获取成本"},
                 tables=("customers", "orders", "costs"), columns=("customers.signup_date",)),
        ),
        about={"en": "Which customers make money, which lose it, and what each costs to win and keep.",
               "zh": "哪些客户赚钱、哪些亏钱，获取和维护每位客户要花多少。"},
        kpis=(
            KpiSpec("unprofitable_share", "share", depends_on=("driver_map",), better="down"),
            KpiSpec("profit_total", "money", depends_on=("driver_map",), better="up"),
            KpiSpec("whale_peak", "share", depends_on=("driver_map",)),
            KpiSpec("top20_profit_share", "share", depends_on=("driver_map",)),
            KpiSpec("unprofitable_loss_share", "share", depends_on=("driver_map",), better="down"),
            KpiSpec("cac", "money", depends_on=("cac_period",), better="down"),
            KpiSpec("cac_*", "money", depends_on=("cac_period",), better="down"),
            KpiSpec("retention_cost_per_customer", "money", depends_on=("cac_period",), better="down"),
        ),
        headline=("unprofitable_share", "whale_peak", "top20_profit_share", "cac"),
    ),
    TopicSpec(
        number="05",
        cost=48,  # s at 1M customers
        name="roi",
        notebook="05_roi.ipynb",
        package="crmbook.roi",
        title={"en": "ROI and customer lifetime value", "zh": "投资回报率与客户终身价值"},
        optional_tables=("costs", "contacts", "campaigns", "campaign_members"),
        needs=(
            Need("customer_roi", {"en": "customer ROI on the customer P&L", "zh": "基于客户损益的客户投资回报率"},
                 tables=("customers", "orders", "costs"), columns=("orders.cost_of_goods",)),
            Need("clv", {"en": "CLV three ways, with a holdout check", "zh": "三种客户终身价值及验证"}, months=24),
            Need("ltv_cac", {"en": "LTV:CAC and payback per acquisition channel",
                             "zh": "各获客渠道的终身价值与获客成本之比及回收期"},
                 tables=("customers", "orders", "costs"), columns=("customers.acquisition_channel",), months=24),
            Need("campaign_roi", {"en": "campaign ROI against a control group", "zh": "对照组检验的营销活动投资回报率"},
                 tables=("customers", "orders", "campaigns", "campaign_members"),
                 columns=("campaign_members.group",)),
            Need("channels", {"en": "channel effectiveness", "zh": "渠道效果"},
                 tables=("customers", "orders", "contacts"), columns=("contacts.channel",)),
            Need("loyalty", {"en": "loyalty members vs matched non-members", "zh": "会员与匹配非会员对比"},
                 columns=("customers.member_tier",), months=24),
        ),
        about={"en": "What customers, campaigns and channels are worth, measured honestly.",
               "zh": "客户、营销活动和渠道值多少钱——诚实地测量。"},
        kpis=(
            KpiSpec("customer_roi", "share", better="up"),
            KpiSpec("clv_mean_course", "money", depends_on=("currency",), better="up"),
            KpiSpec("clv_mean_retention", "money", depends_on=("currency", "discount_rate", "clv_years"), better="up"),
            KpiSpec("clv_mean_probabilistic", "money",
                    depends_on=("currency", "discount_rate", "clv_years", "time_unit", "purchase_model"), better="up"),
            KpiSpec("ltv_cac_*", "number", depends_on=("discount_rate",), better="up"),
            KpiSpec("payback_months_*", "number", better="down"),
            KpiSpec("campaign_roi_*", "share", depends_on=("confidence", "min_control"), better="up"),
            KpiSpec("campaign_uplift_*", "money", depends_on=("currency", "min_control"), better="up"),
        ),
        headline=("customer_roi", "clv_mean_retention", "clv_mean_probabilistic"),
    ),
    TopicSpec(
        number="06",
        cost=66,  # s at 1M customers
        name="customer_plan",
        notebook="06_customer_plan.ipynb",
        package="crmbook.plan",
        title={"en": "Customer management plan", "zh": "客户经营计划"},
        optional_tables=("surveys", "contacts", "costs", "campaigns", "campaign_members"),
        needs=(
            Need("view360", {"en": "one view per customer (360)", "zh": "客户 360 视图"}),
            Need("plan", {"en": "budgeted contact plan", "zh": "预算约束下的联系计划"}),
            Need("measured_uplift", {"en": "uplift rates measured from campaigns", "zh": "由营销活动测得的提升率"},
                 tables=("customers", "orders", "campaigns", "campaign_members"),
                 columns=("campaign_members.group", "campaign_members.responded")),
            Need("plan_vs_actual", {"en": "contacted vs not contacted since the last plan",
                                    "zh": "上期计划中已联系与未联系客户的对比"},
                 tables=("customers", "orders", "contacts"), columns=("contacts.type",)),
            Need("scorecard_nps", {"en": "scorecard: satisfaction (NPS)", "zh": "记分卡：满意度（NPS）"},
                 tables=("customers", "orders", "surveys"), columns=("surveys.nps",)),
        ),
        about={"en": "Whom to contact this week within the budget, why, what it is worth, and whether the last plan worked.",
               "zh": "在预算内本周联系谁、为什么、值多少，以及上期计划是否奏效。"},
        kpis=(
            KpiSpec("plan_customers", "count", depends_on=("budget", "phone_capacity", "field_capacity")),
            KpiSpec("plan_cost", "money", depends_on=("currency", "budget", "phone_capacity", "field_capacity")),
            KpiSpec("plan_net_value", "money", depends_on=("currency", "budget", "phone_capacity", "field_capacity"),
                    better="up"),
            KpiSpec("plan_budget_used", "share", depends_on=("budget", "phone_capacity", "field_capacity")),
            KpiSpec("plan_marginal_value", "number", depends_on=("budget", "budget_step", "phone_capacity",
                                                                 "field_capacity")),
            KpiSpec("plan_held_out", "count", depends_on=("holdout_share",)),
            KpiSpec("pva_uplift", "number", better="up"),
            KpiSpec("score_nps", "number", better="up"),
            KpiSpec("score_retention_rate", "share", better="up"),
            KpiSpec("score_repeat_rate", "share", better="up"),
            KpiSpec("score_revenue_growth", "share", better="up"),
            KpiSpec("score_campaign_roi", "share", better="up"),
            KpiSpec("score_on_target", "count", depends_on=("target_nps", "target_retention", "target_repeat",
                                                            "target_growth", "target_campaign_roi"), better="up"),
        ),
        headline=("score_nps", "score_retention_rate", "score_revenue_growth", "score_campaign_roi",
                  "plan_net_value"),
        leads=True,
    ),
)

if ([t.number for t in TOPICS] != sorted({t.number for t in TOPICS})
        or len({t.name for t in TOPICS}) < len(TOPICS)):
    raise ValueError("crmbook.topics.TOPICS must be in number order, each number and name once")


def kpi_spec(topic: str, name: str) -> KpiSpec | None:
    """The declaration of KPI ``name`` of ``topic`` (None: the topic or the figure is not declared)."""
    try:
        return get(topic).kpi(name)
    except LookupError:
        return None


def get(name: str) -> TopicSpec:
    """The declaration of a topic, by name (``"segmentation"``), number (``"01"``) or stem
    (``"01_segmentation"``).

    Raises
    ------
    LookupError
        No topic is declared under that name; the message lists the declared topics.
    """
    key = str(name).strip().removesuffix(".ipynb")
    for spec in TOPICS:
        if key in (spec.name, spec.number, spec.stem):
            return spec
    raise LookupError(f"no topic {name!r} in crmbook.topics; the topics are: "
                      f"{', '.join(t.stem for t in TOPICS)}")
