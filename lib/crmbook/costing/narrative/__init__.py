"""Reading the cost accounting: facts (numbers and names) and the sentences made from them.

Each ``*_facts()`` function returns a small dict computed from the analysis tables (tested without
text); the function beside it picks templates of the package's catalogue (``text/<language>.yaml``) and
returns a :class:`crmbook.language.Narrative`.
"""

from __future__ import annotations

from .common import *  # noqa: F403
from .common import __all__ as _common
from .findings import *  # noqa: F403
from .findings import __all__ as _findings

__all__ = [*_common, *_findings]
