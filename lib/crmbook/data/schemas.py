"""The tables crmbook knows: every column's kind, bounds and vocabulary, each table's key and references.

:data:`SCHEMAS` is the contract between the data and the notebooks (``datasets/README.md`` is its data
dictionary, and a test checks that the page names every table and column). Only ``customers`` and
``orders`` are required (:data:`REQUIRED_TABLES`); the rest are optional (:data:`OPTIONAL_TABLES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ColumnSpec",
    "TableSchema",
    "SCHEMAS",
    "REQUIRED_TABLES",
    "OPTIONAL_TABLES",
    "PERSONAL_COLUMNS",
    "GENDERS",
    "ACCOUNT_TYPES",
    "CONTACT_TYPES",
    "COST_KINDS",
    "CAMPAIGN_GROUPS",
    "POINT_KINDS",
    "table_order",
]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table.

    Parameters
    ----------
    name : str
        Our column name (an analyst maps their own names onto it with a mapping file).
    kind : str
        ``"id"`` (text key, kept as string), ``"date"``, ``"number"`` (float), ``"integer"``,
        ``"text"`` (free text), ``"category"`` (a value from ``allowed`` when that is given, any
        text otherwise), ``"bool"`` (true/false, yes/no, 1/0, 是/否) or ``"period"`` (a month
        ``YYYY-MM`` or a year ``YYYY``, kept as text ``"2025-03"`` / ``"2025"``; a period that starts
        after ``as_of`` is set aside).
    required : bool
        The table is unusable without this column.
    min, max : float, optional
        Inclusive bounds for numbers (e.g. revenue >= 0, NPS 0-10).
    allowed : tuple of str, optional
        The closed vocabulary of a category column; any other value is rejected.
    description : str
        What the column means, for the data dictionary and for error messages.
    """

    name: str
    kind: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSchema:
    """One table: its columns, key, references to other tables and date columns bounded by ``as_of``.

    ``key`` lists the columns whose combination must be unique (empty: no key). ``references`` maps a
    column to ``(table, column)`` it must be found in (e.g. ``orders.customer_id`` ->
    ``customers.customer_id``). ``event_date`` is the column that may not lie after ``as_of`` (rows after
    ``as_of`` are set aside, not errors of the data: they are simply outside the analysis window).
    ``prefix_columns`` names column-name prefixes that stand for a family of columns (``rating_`` in
    ``surveys``) sharing one spec. ``signs`` maps a number column to ``(category column, {value: +1 or
    -1})``: the sign the number must have for each value of the category (``points`` are positive when
    earned, negative when redeemed or expired); a row whose number has the other sign, or is zero, is set
    aside (``sign does not match kind``).
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    required: bool = False
    key: tuple[str, ...] = ()
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    event_date: str | None = None
    prefix_columns: dict[str, ColumnSpec] = field(default_factory=dict)
    signs: dict[str, tuple[str, dict[str, int]]] = field(default_factory=dict)
    description: str = ""

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec | None:
        """The spec of column ``name`` (also for prefix families such as ``rating_speed``)."""
        for c in self.columns:
            if c.name == name:
                return c
        for prefix, spec in self.prefix_columns.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                return ColumnSpec(name, spec.kind, spec.required, spec.min, spec.max, spec.allowed,
                                  spec.description)
        return None


GENDERS = ("F", "M", "other", "unknown")
ACCOUNT_TYPES = ("retail", "franchisee", "agent", "key_account")
CONTACT_TYPES = ("service_call", "complaint", "visit", "campaign_touch", "email", "sms", "chat", "other")
COST_KINDS = ("direct", "indirect", "acquisition", "retention")
CAMPAIGN_GROUPS = ("treatment", "control")
#: Entries of a loyalty-points ledger: points earned (> 0), redeemed (< 0) or expired (< 0).
POINT_KINDS = ("earn", "redeem", "expire")

#: Columns that hold personal data; masked in reports unless masking is turned off.
PERSONAL_COLUMNS = ("name", "phone", "email")

SCHEMAS: dict[str, TableSchema] = {
    "customers": TableSchema(
        name="customers",
        required=True,
        key=("customer_id",),
        event_date="signup_date",
        description="One row per customer: who they are and how they came (basic profile, characteristics).",
        columns=(
            ColumnSpec("customer_id", "id", required=True, description="unique customer key"),
            ColumnSpec("signup_date", "date", required=True, description="date the customer was acquired"),
            ColumnSpec("acquisition_channel", "category",
                       description="how the customer was acquired (e.g. online_ads, store, referral)"),
            ColumnSpec("region", "category", description="sales region; joins to market.region"),
            ColumnSpec("gender", "category", allowed=GENDERS, description="F, M, other or unknown"),
            ColumnSpec("birth_date", "date", description="date of birth (age bands, birthday campaigns)"),
            ColumnSpec("member_tier", "category", description="loyalty-programme tier (e.g. bronze, silver, gold)"),
            ColumnSpec("referred_by", "id", description="customer_id of the referrer, empty if none"),
            ColumnSpec("account_type", "category", allowed=ACCOUNT_TYPES,
                       description="retail, franchisee, agent or key_account"),
            ColumnSpec("name", "text", description="customer name (personal data: masked in reports)"),
            ColumnSpec("phone", "text", description="phone number (personal data: masked in reports)"),
            ColumnSpec("email", "text", description="e-mail address (personal data: masked in reports)"),
        ),
        references={"referred_by": ("customers", "customer_id")},
    ),
    "orders": TableSchema(
        name="orders",
        required=True,
        key=("order_id",),
        event_date="order_date",
        references={"customer_id": ("customers", "customer_id")},
        description="One row per order (transactions).",
        columns=(
            ColumnSpec("order_id", "id", required=True, description="unique order key"),
            ColumnSpec("customer_id", "id", required=True, description="the customer who ordered"),
            ColumnSpec("order_date", "date", required=True, description="date of the order"),
            ColumnSpec("revenue", "number", required=True, min=0,
                       description="net revenue of the order, in the data's currency"),
            ColumnSpec("cost_of_goods", "number", min=0, description="cost of the goods sold in the order"),
            ColumnSpec("channel", "category", description="sales channel (e.g. online, store, agent)"),
            ColumnSpec("category", "category", description="product category"),
        ),
    ),
    "surveys": TableSchema(
        name="surveys",
        event_date="response_date",
        references={"customer_id": ("customers", "customer_id")},
        description="One row per survey response (feedback).",
        columns=(
            ColumnSpec("customer_id", "id", required=True, description="the responding customer"),
            ColumnSpec("response_date", "date", required=True, description="date of the response"),
            ColumnSpec("nps", "integer", min=0, max=10, description="likelihood to recommend, 0-10"),
            ColumnSpec("csat", "integer", min=1, max=5, description="satisfaction, 1-5"),
            ColumnSpec("ces", "integer", min=1, max=7, description="customer effort, 1-7 (low is easy)"),
            ColumnSpec("comment", "text", description="free-text comment"),
            ColumnSpec("category", "category", description="what the survey was about"),
        ),
        prefix_columns={
            "rating_": ColumnSpec("rating_", "integer", min=1, max=5,
                                  description="attribute rating 1-5 (rating_quality, rating_service, ...)"),
        },
    ),
    "contacts": TableSchema(
        name="contacts",
        event_date="contact_date",
        references={"customer_id": ("customers", "customer_id")},
        description="One row per contact with a customer: service calls, complaints, visits, campaign touches.",
        columns=(
            ColumnSpec("customer_id", "id", required=True, description="the customer contacted"),
            ColumnSpec("contact_date", "date", required=True, description="date of the contact"),
            ColumnSpec("type", "category", required=True, allowed=CONTACT_TYPES,
                       description="kind of contact: " + ", ".join(CONTACT_TYPES)),
            ColumnSpec("channel", "category", description="phone, store, online, field ..."),
            ColumnSpec("cost", "number", min=0, description="cost of this contact (cost to serve)"),
            ColumnSpec("response_hours", "number", min=0, description="hours until the first response"),
            ColumnSpec("resolved", "bool", description="whether the issue was resolved"),
        ),
    ),
    "costs": TableSchema(
        name="costs",
        description="Cost pools per period, for customer cost accounting (activity-based costing).",
        columns=(
            ColumnSpec("period", "period", required=True, description="month as YYYY-MM (or year as YYYY)"),
            ColumnSpec("pool", "category", required=True,
                       description="cost pool: marketing, sales, service, admin, logistics ..."),
            ColumnSpec("amount", "number", required=True, min=0, description="amount spent in the period"),
            ColumnSpec("kind", "category", allowed=COST_KINDS,
                       description="direct, indirect, acquisition or retention"),
            ColumnSpec("driver", "category",
                       description="activity that drives the pool: orders, contacts, revenue, customers ..."),
        ),
        key=("period", "pool"),
    ),
    "campaigns": TableSchema(
        name="campaigns",
        key=("campaign_id",),
        event_date="start_date",
        description="One row per marketing campaign.",
        columns=(
            ColumnSpec("campaign_id", "id", required=True, description="unique campaign key"),
            ColumnSpec("channel", "category", description="sms, email, app push, direct mail ..."),
            ColumnSpec("start_date", "date", description="first day of the campaign"),
            ColumnSpec("end_date", "date", description="last day of the campaign"),
            ColumnSpec("cost", "number", required=True, min=0, description="total cost of the campaign"),
        ),
    ),
    "campaign_members": TableSchema(
        name="campaign_members",
        key=("campaign_id", "customer_id"),
        references={"campaign_id": ("campaigns", "campaign_id"), "customer_id": ("customers", "customer_id")},
        description="Who was in each campaign, in which group, and what they did.",
        columns=(
            ColumnSpec("campaign_id", "id", required=True, description="the campaign"),
            ColumnSpec("customer_id", "id", required=True, description="the customer targeted or held out"),
            ColumnSpec("group", "category", allowed=CAMPAIGN_GROUPS,
                       description="treatment (contacted) or control (held out)"),
            ColumnSpec("responded", "bool", description="whether the customer bought in the response window"),
            ColumnSpec("revenue", "number", min=0, description="revenue in the response window"),
        ),
    ),
    "market": TableSchema(
        name="market",
        key=("region",),
        description="Market size per region, for penetration and market share.",
        columns=(
            ColumnSpec("region", "category", required=True, description="region; joins to customers.region"),
            ColumnSpec("potential_customers", "integer", required=True, min=0,
                       description="number of potential customers in the region"),
            ColumnSpec("market_revenue", "number", min=0, description="total market revenue in the region per year"),
        ),
    ),
    "points": TableSchema(
        name="points",
        event_date="date",
        references={"customer_id": ("customers", "customer_id"), "order_id": ("orders", "order_id")},
        signs={"points": ("kind", {"earn": 1, "redeem": -1, "expire": -1})},
        description="Loyalty-points ledger (积分明细): one row per entry - points earned, redeemed or expired.",
        columns=(
            ColumnSpec("customer_id", "id", required=True, description="the member whose balance changes"),
            ColumnSpec("date", "date", required=True, description="date of the entry"),
            ColumnSpec("points", "integer", required=True,
                       description="points of the entry: positive when earned, negative when redeemed or expired"),
            ColumnSpec("kind", "category", required=True, allowed=POINT_KINDS,
                       description="earn, redeem or expire (decides the sign of points)"),
            ColumnSpec("order_id", "id", description="the order the points were earned on or redeemed against"),
        ),
    ),
}

REQUIRED_TABLES = tuple(name for name, s in SCHEMAS.items() if s.required)
OPTIONAL_TABLES = tuple(name for name, s in SCHEMAS.items() if not s.required)


def table_order() -> list[str]:
    """Tables in an order where each referenced table comes before the tables that refer to it."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for ref_table, _ in SCHEMAS[name].references.values():
            if ref_table != name:
                visit(ref_table)
        order.append(name)

    for name in SCHEMAS:
        visit(name)
    return order
