"""Reading the lifecycle: facts (numbers and names) and the sentences made from them.

Each function takes the figures of an analysis (the ``*_facts`` dicts of the method modules, or their
tables) and picks templates of the package's catalogue (``text/<language>.yaml``), returning a
:class:`crmbook.language.Narrative`, which a notebook shows as Markdown by being a cell's value. Stage,
phase, action and channel names come from the playbooks and the catalogue.
"""

from __future__ import annotations

from .common import *  # noqa: F403
from .common import __all__ as _common
from .reading import *  # noqa: F403
from .reading import __all__ as _reading

__all__ = [*_common, *_reading]
