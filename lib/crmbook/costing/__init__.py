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

from .allocation import *  # noqa: F403
from .allocation import __all__ as _allocation
from .cac import *  # noqa: F403
from .cac import __all__ as _cac
from .drivers import *  # noqa: F403
from .drivers import __all__ as _drivers
from .pnl import *  # noqa: F403
from .pnl import __all__ as _pnl

__all__ = [*_drivers, *_allocation, *_cac, *_pnl]
