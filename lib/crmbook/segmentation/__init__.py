"""Customer segmentation (客户细分): RFM, ABC, behavioural clusters, portraits, psychographics, target
customers, penetration.

One module per method (``rfm``, ``abc``, ``clusters``, ``portrait``, ``psychographic``, ``target``, ``penetration``,
``contacts``), its charts in ``charts``, its sentences in ``narrative`` (facts, then words), its tables for
readers in ``display``, its KPI records in ``kpis`` and the exercises of notebook ``01_segmentation`` in
``exercises``; texts, column labels and playbooks are data files (``text/``, ``playbooks/``).

Analyses take the shared :class:`crmbook.facts.CustomerFacts` (computed once per dataset) as their first
argument; everything a reader sees takes the :class:`crmbook.context.Context` ``ctx``::

    from crmbook import segmentation as seg
    rfm = seg.rfm_segmentation(facts)
    seg.table(seg.segment_summary(rfm), ctx)
"""

from crmbook.playbook import action_plan

from .abc import *  # noqa: F403
from .abc import __all__ as _abc
from .charts import *  # noqa: F403
from .charts import __all__ as _charts
from .clusters import *  # noqa: F403
from .clusters import __all__ as _clusters
from .contacts import *  # noqa: F403
from .contacts import __all__ as _contacts
from .display import *  # noqa: F403
from .display import __all__ as _display
from .exercises import *  # noqa: F403
from .exercises import __all__ as _exercises
from .kpis import *  # noqa: F403
from .kpis import __all__ as _kpis
from .narrative import *  # noqa: F403
from .narrative import __all__ as _narrative
from .penetration import *  # noqa: F403
from .penetration import __all__ as _penetration
from .portrait import *  # noqa: F403
from .portrait import __all__ as _portrait
from .psychographic import *  # noqa: F403
from .psychographic import __all__ as _psychographic
from .rfm import *  # noqa: F403
from .rfm import __all__ as _rfm
from .target import *  # noqa: F403
from .target import __all__ as _target

__all__ = ["action_plan", *_rfm, *_abc, *_clusters, *_portrait, *_psychographic, *_target, *_penetration, *_contacts, *_kpis,
           *_narrative, *_display, *_charts, *_exercises]
