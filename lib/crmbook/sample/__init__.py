"""The case company: a deterministic, seeded generator of every crmbook table.

The fictional company **Hexi Home (禾喜家居)** sells home, kitchen, apparel, beauty and electronics goods in
five regions of China, online, in its app and in its stores, to consumers and a few business accounts,
from :data:`START` to :data:`END`. Every table is drawn from a known process, so an analysis of the data
can be checked against the truth (written beside the tables as ``truth.json`` and, per customer,
``truth_customers.parquet``; :func:`read_truth` reads both back). One module per table,
each docstring opening with the process it draws from:

- :mod:`~crmbook.sample.company`: the company's constants and true parameters (draws nothing);
- :mod:`~crmbook.sample.customers` (acquisition, satisfaction, referrals; :mod:`~crmbook.sample.personal`
  for names, phones, e-mails), :mod:`~crmbook.sample.orders` (BG/NBD, Gamma-Gamma, margins),
  :mod:`~crmbook.sample.campaigns`, :mod:`~crmbook.sample.contacts`, :mod:`~crmbook.sample.surveys`,
  :mod:`~crmbook.sample.costs`, :mod:`~crmbook.sample.market`, :mod:`~crmbook.sample.truth`;
- :mod:`~crmbook.sample.defects`: what a real export holds besides the clean history (prospects who never
  ordered, orders of customers missing from the export, refunds booked as orders, a duplicated order,
  contacts dated after the history, an answer out of range), listed in ``truth["defects"]``;
- :mod:`~crmbook.sample.processes`: the Poisson, BG/NBD and gamma draws they share;
- :mod:`~crmbook.sample.generator` (:func:`generate`, the order of the draws) and
  :mod:`~crmbook.sample.write` (:func:`write_sample`; CSV through :mod:`~crmbook.csv_writer`, the same bytes
  as ``DataFrame.to_csv``), :mod:`~crmbook.sample.columns` (text columns built in Arrow).

A million customers are generated and written in well under a minute (``benchmarks/bench_sample.py``);
``generate(1_000_000, start="2016-01-01", purchase_rate=3)`` gives about 10M orders.

Examples
--------
>>> from crmbook import sample
>>> data = sample.generate(300, seed=1)
>>> data.truth["gamma_gamma"]["mean_order_value"]
350.0
>>> len(data.truth["customers"])  # the per-customer truth, a DataFrame
300
"""

from crmbook.sample.company import (
    ACCOUNT_TYPES,
    ACQUISITION_GROWTH,
    BGNBD,
    CAMPAIGNS,
    CATEGORIES,
    CHANNELS,
    CONTACT_RATES,
    COST_POOLS,
    DEFAULT_N_CUSTOMERS,
    DEFAULT_SEED,
    END,
    GAMMA_GAMMA,
    REGIONS,
    SATISFACTION_CHURN_EFFECT,
    START,
    SURVEY,
)
from crmbook.sample.generator import SampleData, generate
from crmbook.sample.truth import TRUTH_CUSTOMERS_FILE, TRUTH_FILE, read_truth
from crmbook.sample.write import FORMATS, SAMPLE_DIR, write_sample

__all__ = [
    "DEFAULT_N_CUSTOMERS",
    "DEFAULT_SEED",
    "START",
    "END",
    "SAMPLE_DIR",
    "FORMATS",
    "BGNBD",
    "GAMMA_GAMMA",
    "SATISFACTION_CHURN_EFFECT",
    "ACQUISITION_GROWTH",
    "CHANNELS",
    "ACCOUNT_TYPES",
    "CATEGORIES",
    "REGIONS",
    "SURVEY",
    "CONTACT_RATES",
    "CAMPAIGNS",
    "COST_POOLS",
    "SampleData",
    "generate",
    "write_sample",
    "read_truth",
    "TRUTH_FILE",
    "TRUTH_CUSTOMERS_FILE",
]
