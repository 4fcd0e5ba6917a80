"""The truth behind the tables: true parameters, true uplifts, summary figures (``truth.json``) and the
per-customer truth (``truth_customers.parquet``, one row per buying customer).

Nothing here is random: the truth is read off what the other modules drew. Per-customer contribution is

.. math:: \\text{contribution}_i = \\sum_{\\text{orders}} (\\text{revenue} - \\text{cost of goods})
   - \\sum_{\\text{contacts}} \\text{cost},

the operating profit of a year is its gross margin minus its cost pools. Numbers are rounded (6 digits
unless said otherwise) so the files read the same on every machine. In memory (``SampleData.truth``) and
as :func:`read_truth` returns it, ``truth["customers"]`` is a DataFrame; ``truth.json`` holds in its
place the name of the Parquet file, its row count and its columns, so it stays small at any size (a
million customers: about 0.5 MB of JSON and 30 MB of Parquet instead of a 104 MB JSON file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crmbook.sample.columns import _iso_column, _take
from crmbook.sample.company import (
    _CONTACT_TAIL_DAYS,
    _HIGH_MAINTENANCE,
    _MEMBER_TIERS,
    ACCOUNT_TYPES,
    ACQUISITION_GROWTH,
    BGNBD,
    CATEGORIES,
    CHANNELS,
    CONTACT_RATES,
    COST_POOLS,
    GAMMA_GAMMA,
    REGIONS,
    SATISFACTION_CHURN_EFFECT,
    SURVEY,
)
from crmbook.sample.contacts import _ContactDraws
from crmbook.sample.customers import _CustomerBase
from crmbook.sample.days import _History
from crmbook.sample.market import _potential
from crmbook.sample.orders import _Buying, _OrderLines

__all__ = ["TRUTH_FILE", "TRUTH_CUSTOMERS_FILE", "read_truth"]

#: The truth's small parts (parameters, campaigns, summary, prospects, defects, points), as JSON.
TRUTH_FILE = "truth.json"
#: The per-customer truth, one row per buying customer (``customer_id`` first), as Parquet.
TRUTH_CUSTOMERS_FILE = "truth_customers.parquet"


def _r(x: float, digits: int = 6) -> float:
    return round(float(x), digits)


def _truth(*, seed: int, history: _History, purchase_rate: float, base: _CustomerBase, buying: _Buying, orders: _OrderLines,
           contacts: _ContactDraws, campaign_truth: list[dict[str, Any]], tables: dict[str, pd.DataFrame],
           cust_ids: pa.Array, customers: pd.DataFrame | None = None) -> dict[str, Any]:
    """The truth as a dict (see :class:`crmbook.sample.SampleData`): JSON-serialisable but for
    ``"customers"``, a DataFrame.

    ``tables`` are the clean tables; ``customers`` the customers table as written (prospects included),
    which the market's customer counts are read from (the clean one when not given).
    """
    n, d0 = base.n, history.d0
    o_cust, o_value, o_cogs = orders.cust, orders.value, orders.cogs
    costs = tables["costs"]
    region = (tables["customers"] if customers is None else customers)["region"]
    potential = _potential(n)
    margin = np.bincount(o_cust, weights=o_value - o_cogs, minlength=n)
    serve = np.bincount(contacts.cust, weights=contacts.cost, minlength=n)
    contribution = margin - serve
    years = (d0 + orders.day).astype("datetime64[Y]").astype(int) + 1970
    rev_year = {int(y): _r(o_value[years == y].sum(), 2) for y in np.unique(years)}
    gm_year = {int(y): _r((o_value - o_cogs)[years == y].sum(), 2) for y in np.unique(years)}
    cost_year = costs.groupby(costs["period"].str[:4])["amount"].sum()
    op_year = {y: _r(gm_year[y] - cost_year.get(str(y), 0.0), 2) for y in gm_year}
    return {
        "generator": {"module": "crmbook.sample", "n_customers": n, "seed": int(seed), "start": history.start,
                      "end": history.end, "purchase_rate": purchase_rate, "time_unit": "days",
                      "company": "Hexi Home (禾喜家居)"},
        "acquisition": {"growth_per_year": ACQUISITION_GROWTH, "channels": CHANNELS,
                        "account_types": ACCOUNT_TYPES},
        "bgnbd": {**BGNBD, "alpha": BGNBD["alpha"] / purchase_rate, "rate_unit": "per day",
                  "mean_rate_per_day": _r(BGNBD["r"] * purchase_rate / BGNBD["alpha"]),
                  "satisfaction_churn_effect": SATISFACTION_CHURN_EFFECT,
                  "dropout_formula": "p = expit(logit(p0) - beta_s * satisfaction) * dropout_multiplier",
                  "rate_formula": "lambda = lambda0 * channel rate_multiplier * account rate_multiplier",
                  "note": "first order on the signup day; dropout possible after each repeat order"},
        "gamma_gamma": {**GAMMA_GAMMA, "mean_order_value": _r(GAMMA_GAMMA["p"] * GAMMA_GAMMA["gamma"]
                                                             / (GAMMA_GAMMA["q"] - 1), 4),
                        "note": "retail order value; business accounts multiply by order_multiplier; "
                                "campaign-converted orders use the same distribution"},
        "categories": CATEGORIES,
        "cogs_formula": "revenue * (1 - margin) / (1 - discount) * LogNormal(0, 0.05)",
        "satisfaction": {"distribution": "Normal(channel satisfaction_mean, 1)", "survey": SURVEY},
        "contacts": {"rates_per_year": CONTACT_RATES, "high_maintenance": _HIGH_MAINTENANCE,
                     "tail_days_after_dropout": _CONTACT_TAIL_DAYS},
        "campaigns": campaign_truth,
        "cost_pools": COST_POOLS,
        "member_tiers": {t: b for b, t in _MEMBER_TIERS},
        "market": {r: {**REGIONS[r], "potential_customers": potential[r],
                       "customers": int((region == r).sum()),
                       "penetration": _r((region == r).sum() / potential[r])} for r in REGIONS},
        "summary": {
            "customers": n, "orders": int(o_cust.size), "campaign_orders": int(orders.campaign.sum()),
            "surveys": len(tables["surveys"]), "contacts": len(tables["contacts"]),
            "alive_at_end_share": _r(buying.alive_end.mean()),
            "revenue_by_year": rev_year, "gross_margin_by_year": gm_year,
            "operating_profit_by_year": op_year,
            "customers_with_negative_contribution": int((contribution < 0).sum()),
            "gross_margin_total": _r(margin.sum(), 2), "contact_cost_total": _r(serve.sum(), 2),
        },
        "customers": pd.DataFrame({
            "customer_id": _take(cust_ids, np.arange(n)),
            "lambda_per_day": np.round(buying.lam, 6),
            "p0": np.round(buying.p0, 6),
            "p": np.round(buying.p, 6),
            "nu": np.round(buying.nu, 8),
            "mean_order_value": np.round(GAMMA_GAMMA["p"] / buying.nu * buying.a_size, 2),
            "satisfaction": np.round(base.satisfaction, 4),
            "high_maintenance": contacts.high_maint,
            "alive_at_end": buying.alive_end,
            "dropout_date": _iso_column(d0, np.maximum(buying.dropout_day, 0), missing=~buying.died),
            "repeat_orders": buying.repeats.astype("int64"),
            "contribution": np.round(contribution, 2),
        }),
    }


def _truth_json(truth: dict[str, Any]) -> str:
    """The small parts of ``truth`` as indented JSON; ``"customers"`` names the Parquet file instead."""
    head = {k: v for k, v in truth.items() if k != "customers"}
    per_customer = truth.get("customers")
    if isinstance(per_customer, pd.DataFrame):
        head["customers"] = {
            "file": TRUTH_CUSTOMERS_FILE, "rows": len(per_customer), "columns": list(per_customer.columns),
            "note": "one row per buying customer (prospects excluded); read with crmbook.sample.read_truth"}
    return json.dumps(head, ensure_ascii=False, indent=1) + "\n"


def _write_truth(truth: dict[str, Any], folder: Path) -> list[Path]:
    """Write ``truth.json`` and ``truth_customers.parquet`` into ``folder``; the paths written."""
    json_path = folder / TRUTH_FILE
    json_path.write_text(_truth_json(truth), encoding="utf-8")
    paths = [json_path]
    if isinstance(truth.get("customers"), pd.DataFrame):
        table = pa.Table.from_pandas(truth["customers"], preserve_index=False)
        parquet_path = folder / TRUTH_CUSTOMERS_FILE
        pq.write_table(table, parquet_path, compression="zstd")
        paths.append(parquet_path)
    return paths


def read_truth(folder: str | Path) -> dict[str, Any]:
    """The truth of a generated case company, as :func:`crmbook.sample.generate` returns it.

    Parameters
    ----------
    folder : str or Path
        A folder written by :func:`crmbook.sample.write_sample` (``crmbook sample --out``), e.g.
        :data:`crmbook.sample.SAMPLE_DIR`.

    Returns
    -------
    dict
        ``truth.json`` as a dict, with ``truth["customers"]`` the per-customer truth as a DataFrame
        (``customer_id``, ``lambda_per_day``, ``p0``, ``p``, ``nu``, ``mean_order_value``,
        ``satisfaction``, ``high_maintenance``, ``alive_at_end``, ``dropout_date`` (missing if alive),
        ``repeat_orders``, ``contribution``; one row per buying customer), read from
        ``truth_customers.parquet``. A folder written before the Parquet file existed, whose
        ``truth.json`` holds the per-customer columns as lists, is read too.

    Raises
    ------
    FileNotFoundError
        When ``truth.json``, or the Parquet file it names, is not in ``folder``.

    Examples
    --------
    >>> from crmbook import sample
    >>> truth = sample.read_truth(sample.SAMPLE_DIR)
    >>> truth["customers"].columns[:3].tolist()
    ['customer_id', 'lambda_per_day', 'p0']
    """
    folder = Path(folder)
    path = folder / TRUTH_FILE
    if not path.is_file():
        raise FileNotFoundError(f"read_truth: {path} not found (write it with `crmbook sample --out {folder}`)")
    truth = json.loads(path.read_text(encoding="utf-8"))
    per_customer = truth.get("customers")
    if isinstance(per_customer, dict) and "file" in per_customer:
        parquet_path = folder / per_customer["file"]
        if not parquet_path.is_file():
            raise FileNotFoundError(f"read_truth: {parquet_path} not found; {path} names it as the per-customer "
                                    "truth (write both with `crmbook sample`)")
        truth["customers"] = pd.read_parquet(parquet_path)
    elif isinstance(per_customer, dict):  # the per-customer columns as lists (older truth.json)
        truth["customers"] = pd.DataFrame(per_customer)
    return truth
