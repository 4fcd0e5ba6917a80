"""Satisfaction and feedback (客户满意度与反馈管理): CSAT, NPS and CES with their uncertainty, targets,
drivers, satisfaction → loyalty, feedback management and relationship repair.

One module per method (``scores``, ``targets``, ``drivers``, ``loyalty``, ``feedback``, ``repair``), its
charts in ``charts``, its sentences in ``narrative`` (facts, then words), its tables for readers in
``display``, its KPI records in ``kpis`` and the exercises of notebook ``03_satisfaction`` in
``exercises``; texts, column labels and the repair playbook are data files (``text/``, ``playbooks/``),
the feedback keywords an editable rule file (``rules/feedback_keywords.yaml``).

    from crmbook import satisfaction as sat
    scores = sat.score_table(ds["surveys"])
    sat.table(sat.score_display(scores, ctx), ctx)
"""

from .charts import *  # noqa: F403
from .charts import __all__ as _charts
from .display import *  # noqa: F403
from .display import __all__ as _display
from .drivers import *  # noqa: F403
from .drivers import __all__ as _drivers
from .exercises import *  # noqa: F403
from .exercises import __all__ as _exercises
from .feedback import *  # noqa: F403
from .feedback import __all__ as _feedback
from .kpis import *  # noqa: F403
from .kpis import __all__ as _kpis
from .loyalty import *  # noqa: F403
from .loyalty import __all__ as _loyalty
from .narrative import *  # noqa: F403
from .narrative import __all__ as _narrative
from .repair import *  # noqa: F403
from .repair import __all__ as _repair
from .scores import *  # noqa: F403
from .scores import __all__ as _scores
from .targets import *  # noqa: F403
from .targets import __all__ as _targets

__all__ = [*_scores, *_targets, *_drivers, *_loyalty, *_feedback, *_repair, *_kpis, *_narrative, *_display,
           *_charts, *_exercises]
