"""Reading the segmentation: facts (numbers and names) and the sentences made from them.

Each ``*_facts()`` function returns a small dict of numbers and codes computed from the analysis tables
(tested without text); the function beside it picks the templates of the package's catalogue
(``text/<language>.yaml``) and returns a :class:`crmbook.language.Narrative`, which a notebook shows as
Markdown by being a cell's value. Group names (segments, classes, quadrants) are the playbooks' labels.
"""

from __future__ import annotations

from .behaviour import *  # noqa: F403
from .behaviour import __all__ as _behaviour
from .common import *  # noqa: F403
from .common import __all__ as _common
from .customers import *  # noqa: F403
from .customers import __all__ as _customers
from .market import *  # noqa: F403
from .market import __all__ as _market

__all__ = [*_common, *_customers, *_market, *_behaviour]
