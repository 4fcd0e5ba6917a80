"""ROI and customer lifetime value (投资回报率与客户终身价值): customer ROI, CLV three ways, LTV:CAC and
payback, campaign ROI against control groups, channel effectiveness, loyalty-programme ROI.

One module per method (``customer_roi``, ``clv``, ``probabilistic``, ``validation``, ``acquisition``,
``campaigns``, ``channels``, ``loyalty``), its charts in ``charts``, its sentences in ``narrative`` (facts,
then words), its tables for readers in ``display``, its KPI records in ``kpis`` and the exercises of notebook
``05_roi`` in ``exercises``; texts and column labels are data files (``text/``).

The probabilistic models come from the shared :mod:`crmbook.models`; the customer P&L and CAC of the cost
accounting are passed in as DataFrames (``customer_roi(facts, pnl=...)``, ``ltv_cac(facts, cac)``), so this
package imports no other topic::

    from crmbook import roi
    results = roi.campaign_results(ds["campaigns"], ds["campaign_members"], margin_rate=0.34)
    roi.table(results, ctx)
"""

from .acquisition import *  # noqa: F403
from .acquisition import __all__ as _acquisition
from .campaigns import *  # noqa: F403
from .campaigns import __all__ as _campaigns
from .channels import *  # noqa: F403
from .channels import __all__ as _channels
from .charts import *  # noqa: F403
from .charts import __all__ as _charts
from .clv import *  # noqa: F403
from .clv import __all__ as _clv
from .customer_roi import *  # noqa: F403
from .customer_roi import __all__ as _customer_roi
from .display import *  # noqa: F403
from .display import __all__ as _display
from .exercises import *  # noqa: F403
from .exercises import __all__ as _exercises
from .kpis import *  # noqa: F403
from .kpis import __all__ as _kpis
from .loyalty import *  # noqa: F403
from .loyalty import __all__ as _loyalty
from .narrative import *  # noqa: F403
from .narrative import __all__ as _narrative
from .probabilistic import *  # noqa: F403
from .probabilistic import __all__ as _probabilistic
from .validation import *  # noqa: F403
from .validation import __all__ as _validation

__all__ = [*_customer_roi, *_clv, *_probabilistic, *_validation, *_acquisition, *_campaigns, *_channels, *_loyalty,
           *_narrative, *_display, *_charts, *_kpis, *_exercises]
