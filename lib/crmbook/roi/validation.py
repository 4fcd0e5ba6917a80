r"""Validating the purchase model on a holdout (模型验证): fit on the calibration period, predict the holdout.

The orders up to ``calibration_end`` fit the model; for each customer it predicts the purchases of the
holdout period (``calibration_end`` to ``as_of``), :math:`E[X(t_h) \mid x, t_x, T]`, which are compared with
the purchases that were actually made, per group of calibration frequency (the *tracking* or
*conditional expectation* chart of Fader, Hardie & Lee 2005). A model that tracks well predicts each
group's mean within a few tenths of a purchase; one-time buyers (frequency 0) are where a model that
forgets dropout over-predicts most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MAX_GROUP", "holdout_by_frequency"]

#: Calibration frequencies above this form one group (``"7+"``).
MAX_GROUP: int = 7


def holdout_by_frequency(calibration: pd.DataFrame, holdout: pd.DataFrame, model) -> pd.DataFrame:
    """Mean predicted and actual holdout purchases per calibration frequency group.

    Parameters
    ----------
    calibration : DataFrame
        ``frequency, recency, T`` per customer (:func:`crmbook.models.calibration_holdout`).
    holdout : DataFrame
        ``frequency_holdout, duration_holdout`` per customer, same index.
    model
        A fitted purchases model with ``expected_purchases(t, frequency, recency, T)``.

    Returns
    -------
    DataFrame
        ``frequency_group, customers, predicted, actual, error`` (``error = predicted - actual``), groups
        0 .. :data:`MAX_GROUP` - 1 and ``"7+"``; ``attrs``: ``predicted_total``, ``actual_total``.
    """
    h = holdout.reindex(calibration.index)
    pred = np.asarray(model.expected_purchases(h["duration_holdout"].to_numpy(float),
                                               calibration["frequency"].to_numpy(float),
                                               calibration["recency"].to_numpy(float),
                                               calibration["T"].to_numpy(float)), dtype=float)
    f = calibration["frequency"].astype(int).clip(upper=MAX_GROUP)
    d = pd.DataFrame({"group": f.to_numpy(), "predicted": pred,
                      "actual": h["frequency_holdout"].fillna(0).to_numpy(float)})
    g = d.groupby("group")
    out = pd.DataFrame({"customers": g.size(), "predicted": g["predicted"].mean(), "actual": g["actual"].mean()})
    out["error"] = out["predicted"] - out["actual"]
    out = out.reset_index()
    out["frequency_group"] = [f"{MAX_GROUP}+" if k == MAX_GROUP else str(k) for k in out["group"]]
    out = out[["frequency_group", "customers", "predicted", "actual", "error"]]
    out.attrs.update(predicted_total=float(d["predicted"].sum()), actual_total=float(d["actual"].sum()))
    return out
