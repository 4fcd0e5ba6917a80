"""The random control group (随机对照组): planned customers left uncontacted on purpose, so that the next run
can measure what the plan's contacts changed.

Comparing contacted customers with customers nobody chose to contact measures the choice, not the
contact (the planned are the ones at risk, or the most valuable). Leaving a random share of the *planned*
customers uncontacted makes the two groups alike in everything but the contact: the difference of their
repurchase rates next time is the uplift (提升效果) of the plan.

The draw is seeded (a run repeated with the same seed holds out the same customers) and exact: the number
held out is ``round(share x planned)`` in every action, so each action keeps its share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.tables import require_columns

__all__ = ["HOLDOUT_SHARE", "HOLDOUT_SEED", "assign_holdout"]

#: Default share of planned customers held out (0: no control group).
HOLDOUT_SHARE: float = 0.0
#: Default seed of the draw.
HOLDOUT_SEED: int = 2024


def assign_holdout(plan: pd.DataFrame, share: float = HOLDOUT_SHARE, *, seed: int = HOLDOUT_SEED,
                   by: str | None = "action") -> pd.DataFrame:
    """``plan`` with a ``holdout`` column: True for the customers left uncontacted as the control group.

    Parameters
    ----------
    plan : DataFrame
        One row per planned customer (``customer_id``; ``by`` when given).
    share : float
        Share held out, in ``[0, 1)``: ``round(share x n)`` customers of each ``by`` group of ``n``.
    seed : int
        Seed of the draw; the draw depends only on the seed and the customer ids in each group (their row
        order does not matter).
    by : str, optional
        Draw within each group of this column (default: each action), so every action has its control group.

    Returns
    -------
    DataFrame
        A copy of ``plan`` with ``holdout`` (bool); ``attrs["holdout"]`` = ``{"share", "seed", "held_out"}``.
    """
    require_columns(plan, "plan", ["customer_id"] + ([by] if by else []))
    share = float(share)
    if not 0 <= share < 1:
        raise ValueError(f"holdout share must be in [0, 1) (a fraction of the planned customers), got {share!r}")
    out = plan.copy()
    out["holdout"] = False
    if share > 0 and len(out):
        rng = np.random.default_rng(int(seed))
        groups = out.groupby(by, sort=True).groups if by else {None: out.index}
        for _, index in sorted(groups.items(), key=lambda kv: str(kv[0])):
            ids = out.loc[index, "customer_id"].astype(str)
            ordered = ids.sort_values(kind="stable").index  # independent of the row order
            k = int(round(share * len(ordered)))
            if k:
                picked = rng.choice(len(ordered), size=k, replace=False)
                out.loc[ordered[picked], "holdout"] = True
    out.attrs.update(plan.attrs)
    out.attrs["holdout"] = {"share": share, "seed": int(seed), "held_out": int(out["holdout"].sum())}
    return out
