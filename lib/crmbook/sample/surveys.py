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

from crmbook.sample.company import SURVEY
from crmbook.sample.days import _History, _iso

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
                  contacts_raw: pd.DataFrame, cust_ids: np.ndarray, history: _History) -> pd.DataFrame:
    """The surveys table, by date then customer; ``o_*`` the orders, ``contacts_raw`` the drawn contacts."""
    sv = SURVEY
    take_o = rng.random(o_cust.size) < sv["post_purchase_rate"]
    svc = contacts_raw[contacts_raw["type"].isin(["service_call", "complaint"])]
    take_c = rng.random(len(svc)) < sv["after_service_rate"]
    svc = svc[take_c]
    s_cust = np.concatenate((o_cust[take_o], svc["_c"].to_numpy()))
    s_base = np.concatenate((o_day[take_o], svc["_d"].to_numpy()))
    s_day = s_base + 1 + rng.integers(0, 10, s_base.size)
    occasion = np.concatenate((np.zeros(int(take_o.sum())),
                               np.where(svc["type"].to_numpy() == "complaint", sv["complaint_effect"], 0.0)
                               + np.where(svc["resolved"].to_numpy() == False,  # noqa: E712
                                          sv["unresolved_effect"], 0.0)))
    s_cat = np.concatenate((np.full(int(take_o.sum()), "post_purchase", dtype=object),
                            np.full(len(svc), "after_service", dtype=object)))
    ok = s_day <= history.end_idx
    s_cust, s_day, occasion, s_cat = s_cust[ok], s_day[ok], occasion[ok], s_cat[ok]
    x = satisfaction[s_cust] + occasion + rng.normal(0.0, sv["noise_sd"], s_cust.size)

    nps = _scale(rng, x, sv["nps"]["intercept"], sv["nps"]["slope"], 0, 10)
    surveys = {"customer_id": cust_ids[s_cust], "response_date": _iso(history.d0, s_day), "nps": nps,
               "csat": _scale(rng, x, sv["csat"]["intercept"], sv["csat"]["slope"], 1, 5),
               "ces": _scale(rng, x, sv["ces"]["intercept"], sv["ces"]["slope"], 1, 7, sv["ces"]["noise_sd"])}
    for attr, w in sv["ratings"].items():
        surveys[f"rating_{attr}"] = _scale(rng, x, sv["rating_intercept"], w, 1, 5, sv["rating_noise_sd"])
    band = np.where(nps >= 9, "promoter", np.where(nps >= 7, "passive", "detractor"))
    has_comment = rng.random(nps.size) < sv["comment_rate"]
    pick_c = rng.integers(0, 1000, nps.size)
    surveys["comment"] = np.array([
        _COMMENTS[b][k % len(_COMMENTS[b])] if h else None for b, k, h in zip(band, pick_c, has_comment, strict=True)
    ], dtype=object)
    surveys["category"] = s_cat
    surveys = pd.DataFrame(surveys)
    s_order = np.lexsort((s_cust, s_day))
    return surveys.iloc[s_order].reset_index(drop=True)
