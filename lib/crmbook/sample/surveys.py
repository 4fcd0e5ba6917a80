r"""Surveys: answers driven by the customer's latent satisfaction and the occasion.

15 % of orders are followed by a ``post_purchase`` survey and 25 % of service calls and complaints by an
``after_service`` one, 1-10 days later (answers after the end of the history are dropped). With the
occasion's latent

.. math:: x = s_i + o + \varepsilon, \qquad \varepsilon \sim N(0, 0.6)

(:math:`o` = -0.6 after a complaint, -0.5 more if it was unresolved, 0 otherwise):

- NPS = clip(round(7.3 + 2.2x), 0, 10),
- CSAT = clip(round(3.6 + 0.9x), 1, 5),
- CES = clip(round(3.4 - 1.1x + N(0, 0.6)), 1, 7),
- rating_k = clip(round(3.5 + w_k x + N(0, 0.7)), 1, 5) with loadings w = quality 0.9, service 0.7,
  delivery 0.5, price 0.3 (:data:`SURVEY`).

30 % of answers carry a comment, picked at random among those of the answer's NPS band (promoter 9-10,
passive 7-8, detractor 0-6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from crmbook.sample.columns import _iso_column, _pick, _take
from crmbook.sample.company import SURVEY
from crmbook.sample.contacts import _CONTACT_TYPES, _ContactDraws
from crmbook.sample.days import _History

__all__: list[str] = []

_COMMENTS = {
    "promoter": ["质量很好，会再买", "Great quality, fast delivery", "客服很耐心", "Love it, told my friends",
                 "物流很快", "性价比高", "Very happy with the service"],
    "passive": ["还可以", "OK overall", "价格有点贵", "Delivery a bit slow", "包装一般", "Fine, nothing special"],
    "detractor": ["质量太差了", "Never again", "客服不回复", "退货太麻烦", "Broke after a week", "等了两周才到货",
                  "Too expensive for the quality"],
}


def _scale(rng: np.random.Generator, x: np.ndarray, intercept: float, slope: float, lo: int, hi: int,
           noise: float = 0.0) -> np.ndarray:
    """clip(round(intercept + slope * x + N(0, noise)), lo, hi) as integers (no draw when noise is 0)."""
    val = intercept + slope * x + (rng.normal(0.0, noise, x.size) if noise else 0.0)
    return np.clip(np.round(val), lo, hi).astype("int64")


def _draw_surveys(rng: np.random.Generator, satisfaction: np.ndarray, o_cust: np.ndarray, o_day: np.ndarray,
                  contacts: _ContactDraws, cust_ids: pa.Array, history: _History) -> pd.DataFrame:
    """The surveys table, by date then customer; ``o_*`` the orders, ``contacts`` the drawn contacts."""
    sv = SURVEY
    take_o = rng.random(o_cust.size) < sv["post_purchase_rate"]
    svc = np.flatnonzero(contacts.of_type("service_call", "complaint"))
    take_c = rng.random(svc.size) < sv["after_service_rate"]
    svc = svc[take_c]
    s_cust = np.concatenate((o_cust[take_o], contacts.cust[svc]))
    s_base = np.concatenate((o_day[take_o], contacts.day[svc]))
    s_day = s_base + 1 + rng.integers(0, 10, s_base.size)
    complaint = contacts.ctype[svc] == _CONTACT_TYPES.index("complaint")
    occasion = np.concatenate((np.zeros(int(take_o.sum())),
                               np.where(complaint, sv["complaint_effect"], 0.0)
                               + np.where(contacts.resolved[svc] == 0, sv["unresolved_effect"], 0.0)))
    s_cat = np.concatenate((np.zeros(int(take_o.sum()), dtype="int8"), np.ones(svc.size, dtype="int8")))
    ok = s_day <= history.end_idx
    s_cust, s_day, occasion, s_cat = s_cust[ok], s_day[ok], occasion[ok], s_cat[ok]
    x = satisfaction[s_cust] + occasion + rng.normal(0.0, sv["noise_sd"], s_cust.size)

    nps = _scale(rng, x, sv["nps"]["intercept"], sv["nps"]["slope"], 0, 10)
    answers = {"nps": nps, "csat": _scale(rng, x, sv["csat"]["intercept"], sv["csat"]["slope"], 1, 5),
               "ces": _scale(rng, x, sv["ces"]["intercept"], sv["ces"]["slope"], 1, 7, sv["ces"]["noise_sd"])}
    for attr, w in sv["ratings"].items():
        answers[f"rating_{attr}"] = _scale(rng, x, sv["rating_intercept"], w, 1, 5, sv["rating_noise_sd"])
    band = np.where(nps >= 9, 0, np.where(nps >= 7, 1, 2))  # promoter, passive, detractor
    has_comment = rng.random(nps.size) < sv["comment_rate"]
    pick_c = rng.integers(0, 1000, nps.size)
    sizes = np.array([len(c) for c in _COMMENTS.values()])
    comment = np.where(has_comment, (np.cumsum(sizes) - sizes)[band] + pick_c % sizes[band], -1)
    s_order = np.lexsort((s_cust, s_day))
    surveys = {"customer_id": _take(cust_ids, s_cust[s_order]),
               "response_date": _iso_column(history.d0, s_day[s_order]),
               **{name: values[s_order] for name, values in answers.items()},
               "comment": _pick([c for band_comments in _COMMENTS.values() for c in band_comments],
                                comment[s_order]),
               "category": _pick(["post_purchase", "after_service"], s_cat[s_order])}
    return pd.DataFrame(surveys)
