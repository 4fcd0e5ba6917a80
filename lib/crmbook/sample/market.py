r"""Market: potential customers and market revenue per region.

For region *r* with market share :math:`m_r`, customer share and spend per head :math:`h_r`
(:data:`REGIONS`):

.. math:: \text{potential}_r = \operatorname{round}(m_r \cdot 25\, n), \qquad
   \text{market revenue}_r = \text{potential}_r \cdot h_r \text{ per year},

so the company's penetration (its customers in the region / potential) and market share differ by region:
strong in the East, weak in the West. Nothing here is random.
"""

from __future__ import annotations

import pandas as pd

from crmbook.sample.company import _MARKET_SIZE_FACTOR, REGIONS

__all__: list[str] = []


def _potential(n: int) -> dict[str, int]:
    """Potential customers per region, for a company of ``n`` customers."""
    return {r: int(round(REGIONS[r]["market_share"] * n * _MARKET_SIZE_FACTOR)) for r in REGIONS}


def _market_table(n: int) -> pd.DataFrame:
    """The market table: one row per region."""
    reg_names = list(REGIONS)
    potential = _potential(n)
    return pd.DataFrame({
        "region": reg_names,
        "potential_customers": [potential[r] for r in reg_names],
        "market_revenue": [round(potential[r] * REGIONS[r]["spend_per_head"], 2) for r in reg_names],
    })
