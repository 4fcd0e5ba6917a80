"""Customer cost accounting (客户成本核算): cost classes, activity-based allocation that reconciles to the
cent, acquisition and retention cost, the customer P&L, the whale curve, good and bad customers.

One module per method (``classes``, ``drivers``, ``allocation``, ``cac``, ``pnl``, ``whale``,
``good_bad``), its charts in ``charts``, its sentences in ``narrative`` (facts, then words), its tables
for readers in ``display``, its KPI records in ``kpis`` and the exercises of notebook
``04_cost_accounting`` in ``exercises``; texts, column labels, the pool -> driver map and the playbook are
data files (``text/``, ``drivers.yaml``, ``playbooks/``).

Analyses take the shared :class:`crmbook.facts.CustomerFacts` as their first argument::

    from crmbook import costing
    pnl = costing.customer_pnl(facts, costs, contacts=contacts)
    costing.cac(facts, costs)
"""

from crmbook.playbook import action_plan

from .allocation import *  # noqa: F403
from .allocation import __all__ as _allocation
from .cac import *  # noqa: F403
from .cac import __all__ as _cac
from .charts import *  # noqa: F403
from .charts import __all__ as _charts
from .classes import *  # noqa: F403
from .classes import __all__ as _classes
from .display import *  # noqa: F403
from .display import __all__ as _display
from .drivers import *  # noqa: F403
from .drivers import __all__ as _drivers
from .exercises import *  # noqa: F403
from .exercises import __all__ as _exercises
from .good_bad import *  # noqa: F403
from .good_bad import __all__ as _good_bad
from .kpis import *  # noqa: F403
from .kpis import __all__ as _kpis
from .narrative import *  # noqa: F403
from .narrative import __all__ as _narrative
from .pnl import *  # noqa: F403
from .pnl import __all__ as _pnl
from .whale import *  # noqa: F403
from .whale import __all__ as _whale

__all__ = ["action_plan", *_drivers, *_allocation, *_classes, *_cac, *_pnl, *_whale, *_good_bad, *_kpis,
           *_narrative, *_display, *_charts, *_exercises]
