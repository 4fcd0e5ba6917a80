"""The seeded control group: reproducible, its share respected in every action."""

import pandas as pd
import pytest

from crmbook.plan import assign_holdout


def _plan(n_call: int = 40, n_text: int = 60) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n_call + n_text)],
                         "action": ["win_back_call"] * n_call + ["retention_offer"] * n_text})


def test_share_respected_per_action() -> None:
    """25% of 40 calls = 10 and of 60 texts = 15 held out; 0.3 of 7 rounds to 2."""
    out = assign_holdout(_plan(), 0.25, seed=1)
    assert out.groupby("action")["holdout"].sum().to_dict() == {"retention_offer": 15, "win_back_call": 10}
    assert out.attrs["holdout"] == {"share": 0.25, "seed": 1, "held_out": 25}
    assert assign_holdout(_plan(7, 0), 0.3, seed=3)["holdout"].sum() == 2


def test_reproducible_by_seed_whatever_the_row_order() -> None:
    plan = _plan()
    a = assign_holdout(plan, 0.2, seed=7)
    b = assign_holdout(plan.iloc[::-1], 0.2, seed=7)
    c = assign_holdout(plan, 0.2, seed=8)
    held = lambda d: set(d.loc[d["holdout"], "customer_id"])  # noqa: E731
    assert held(a) == held(b)
    assert held(a) != held(c) and len(held(a)) == len(held(c)) == 20


def test_no_share_holds_out_nobody_and_a_bad_share_is_refused() -> None:
    assert not assign_holdout(_plan(), 0.0)["holdout"].any()
    with pytest.raises(ValueError, match="holdout share must be in"):
        assign_holdout(_plan(), 1.0)
