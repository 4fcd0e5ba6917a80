"""The generator: draws every table of the case company from one seeded random generator, in a fixed order.

All draws come from one numpy ``PCG64`` generator seeded with ``seed``, in this order (each step is one
module; moving a step, or a draw inside it, changes every table drawn after it):

1. the customer base: sign-ups, account types, channels, satisfaction, referrers (:mod:`.customers`);
2. purchase and spend processes, then the organic orders (:mod:`.orders`);
3. the campaigns' members, treatment and conversions (:mod:`.campaigns`), then the converted orders;
4. the customers table: gender, age, region, personal data (:mod:`.customers`, :mod:`.personal`);
5. contacts (:mod:`.contacts`);
6. surveys (:mod:`.surveys`);
7. cost pools (:mod:`.costs`);
8. the defects of a real export (:mod:`.defects`): prospects who never ordered, orders of customers missing
   from the export, refunds booked as orders, a duplicated order, contacts dated after the history, an
   answer out of range. They come from a second generator seeded with ``[seed, 1]``, so the clean tables
   keep every value they had without them;
9. the loyalty-points ledger (:mod:`.points`), from a third generator seeded with ``[seed, 2]`` that reads
   the clean orders only, so every other table is the same with or without it.

The other tables (orders, campaigns, campaign members, market) and the truth (:mod:`.truth`) are read
off these draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from crmbook.sample.campaigns import _campaign_members_table, _campaigns_table, _draw_campaigns
from crmbook.sample.company import DEFAULT_N_CUSTOMERS, DEFAULT_SEED, END, START
from crmbook.sample.contacts import _contacts_table, _draw_contacts
from crmbook.sample.costs import _draw_costs
from crmbook.sample.customers import _customer_ids, _customers_table, _draw_customer_base
from crmbook.sample.days import _day0, _History
from crmbook.sample.defects import _add_defects
from crmbook.sample.market import _market_table
from crmbook.sample.orders import (
    _draw_buying,
    _draw_orders,
    _draw_organic_orders,
    _merge_orders,
    _orders_table,
)
from crmbook.sample.points import _draw_points
from crmbook.sample.surveys import _draw_surveys
from crmbook.sample.truth import _truth

__all__ = ["SampleData", "generate"]


@dataclass
class SampleData:
    """The generated case company: its tables and the truth behind them.

    Attributes
    ----------
    tables : dict of str to DataFrame
        One frame per table of :data:`crmbook.data.SCHEMAS`, with the schema's column names; dates are
        ISO strings ``YYYY-MM-DD``, empty optional values are missing (NaN/None).
    truth : dict
        The true parameters, per-campaign true uplifts, summary figures (JSON-serialisable) and, under
        ``"customers"``, the per-customer truth as a DataFrame (one row per buying customer; written as
        ``truth_customers.parquet``, read back by :func:`crmbook.sample.read_truth`).
    """

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any] = field(default_factory=dict)


def generate(n_customers: int = DEFAULT_N_CUSTOMERS, seed: int = DEFAULT_SEED, start: str = START,
             end: str = END, purchase_rate: float = 1.0) -> SampleData:
    """Generate the case company's tables and their truth.

    The processes and their true parameters are described in the docstring of the module that draws each
    table (:mod:`crmbook.sample.customers`, :mod:`~crmbook.sample.orders`, ...), their values are in
    :mod:`crmbook.sample.company`, and both are repeated in ``truth``. The result depends only on the
    arguments (numpy ``PCG64`` seeded with ``seed``).

    Parameters
    ----------
    n_customers : int
        Number of customers (at least 50).
    seed : int
        Random seed.
    start, end : str
        First and last day of the history, ``YYYY-MM-DD``; at least three years apart is needed for
        year-over-year comparisons. Campaigns falling outside the history are left out. An earlier
        ``start`` gives more orders per customer, up to a point (customers drop out): at a million
        customers, 4.8M orders from 2022-01-01, 6.4M from 2016-01-01.
    purchase_rate : float
        Multiplies every customer's purchase rate lambda (the truth's ``alpha`` becomes
        ``alpha / purchase_rate``); 1 gives the documented company. With ``start="2016-01-01"`` and
        ``purchase_rate=3``, a million customers place about 10M orders (a benchmark size). The random
        numbers drawn are the same at any value.

    Returns
    -------
    SampleData
        ``tables`` (customers, orders, surveys, contacts, costs, campaigns, campaign_members, market,
        points) and ``truth``.

    Examples
    --------
    >>> data = generate(300, seed=1)
    >>> sorted(data.tables)[:3]
    ['campaign_members', 'campaigns', 'contacts']
    """
    if not isinstance(n_customers, int | np.integer) or n_customers < 50:
        raise ValueError(f"generate: n_customers must be an integer >= 50, got {n_customers!r}")
    if not isinstance(purchase_rate, int | float | np.number) or not 0 < purchase_rate <= 100:
        raise ValueError(f"generate: purchase_rate must be a number in (0, 100], got {purchase_rate!r}")
    for name, date in (("start", start), ("end", end)):
        if not isinstance(date, str) or len(date) != 10:
            raise ValueError(f"generate: {name} must be a date YYYY-MM-DD, got {date!r}")
        try:
            _day0(date)
        except ValueError:
            raise ValueError(f"generate: {name} must be a date YYYY-MM-DD, got {date!r}") from None
    d0, d1 = _day0(start), _day0(end)
    end_idx = int((d1 - d0).astype(int))
    if end_idx < 365:
        raise ValueError(f"generate: the history {start}..{end} must span at least a year")
    history = _History(start=start, end=end, d0=d0, end_idx=end_idx)
    rng = np.random.Generator(np.random.PCG64(seed))
    n = int(n_customers)

    base = _draw_customer_base(rng, n, end_idx)
    buying = _draw_buying(rng, base, float(purchase_rate))
    organic = _draw_organic_orders(rng, base, buying)
    # the repeat purchases are in the organic orders now: let their arrays go (memory at 10M orders)
    buying = replace(buying, repeat_cust=buying.repeat_cust[:0], repeat_t=buying.repeat_t[:0])
    campaigns = _draw_campaigns(rng, base, buying, history, organic.cust, organic.day)
    converted = _draw_orders(rng, base, buying, campaigns.extra_cust, campaigns.extra_day, campaign=True)
    orders = _merge_orders(organic, converted)
    del organic, converted

    cust_ids = _customer_ids(n)
    customers = _customers_table(rng, base, history, cust_ids, orders.cust, orders.value)
    contacts = _draw_contacts(rng, base, buying, history, campaigns.touches)
    surveys = _draw_surveys(rng, base.satisfaction, orders.cust, orders.day, contacts, cust_ids, history)
    costs = _draw_costs(rng, history, base.signup, orders.day, orders.value, contacts, campaigns.rows)
    tables = {
        "customers": customers,
        "orders": _orders_table(orders, cust_ids, history),
        "surveys": surveys,
        "contacts": _contacts_table(contacts, cust_ids, history),
        "costs": costs,
        "campaigns": _campaigns_table(campaigns),
        "campaign_members": _campaign_members_table(campaigns, orders, cust_ids, end_idx),
        "market": _market_table(n),
    }
    points, points_truth = _draw_points(seed, orders, base.retail, cust_ids, history)
    defects = _add_defects(seed, tables, n, history)
    defects.tables["points"] = points
    truth = _truth(seed=seed, history=history, purchase_rate=float(purchase_rate), base=base, buying=buying, orders=orders, contacts=contacts,
                   campaign_truth=campaigns.truth, tables=tables, cust_ids=cust_ids,
                   customers=defects.tables["customers"])
    truth["prospects"] = {"customer_id": defects.prospects,
                          "note": "signed up, never ordered: not part of the BG/NBD population, no truth under "
                                  "'customers'"}
    truth["defects"] = defects.records
    truth["points"] = points_truth
    return SampleData(tables=defects.tables, truth=truth)
