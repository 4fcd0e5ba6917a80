"""Customer lifecycle and retention (客户生命周期与留存): stages and customer flow, cohorts, rates, survival,
probability alive, the contact plan.

One module per method (``stages``, ``flow``, ``cohorts``, ``rates``, ``survival``, ``palive``, ``actions``),
its charts in ``charts``, its sentences in ``narrative`` (facts, then words), its tables for readers in
``display``, its KPI records in ``kpis`` and the exercises of notebook ``02_lifecycle`` in ``exercises``;
texts, column labels and playbooks are data files (``text/``, ``playbooks/``).

Analyses take the shared :class:`crmbook.facts.CustomerFacts` (computed once per dataset) as their first
argument; everything a reader sees takes the :class:`crmbook.context.Context` ``ctx``::

    from crmbook import lifecycle as lc
    stages = lc.lifecycle_stages(facts)
    lc.table(lc.stage_summary(stages), ctx)
"""

from crmbook.playbook import action_plan

from .actions import *  # noqa: F403
from .actions import __all__ as _actions
from .charts import *  # noqa: F403
from .charts import __all__ as _charts
from .cohorts import *  # noqa: F403
from .cohorts import __all__ as _cohorts
from .display import *  # noqa: F403
from .display import __all__ as _display
from .exercises import *  # noqa: F403
from .exercises import __all__ as _exercises
from .flow import *  # noqa: F403
from .flow import __all__ as _flow
from .kpis import *  # noqa: F403
from .kpis import __all__ as _kpis
from .narrative import *  # noqa: F403
from .narrative import __all__ as _narrative
from .palive import *  # noqa: F403
from .palive import __all__ as _palive
from .rates import *  # noqa: F403
from .rates import __all__ as _rates
from .stages import *  # noqa: F403
from .stages import __all__ as _stages
from .survival import *  # noqa: F403
from .survival import __all__ as _survival

# The loyalty programme (``loyalty``) and the customer journey (``journey``) join here as two more modules.
_extra: list[str] = []

__all__ = ["action_plan", *_stages, *_flow, *_cohorts, *_rates, *_survival, *_palive, *_actions, *_kpis,
           *_narrative, *_display, *_charts, *_exercises, *_extra]
