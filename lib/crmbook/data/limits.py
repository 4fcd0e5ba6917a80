"""The set-aside limit: a scheduler's guard against a broken export.

Rows set aside one by one (a bad date, an unknown customer ...) do not make the data unusable, so a
nightly run on an export where most orders failed to read would otherwise succeed. The limit makes
``crmbook validate`` and ``crmbook run`` fail (exit 1, one line per table over it) when more than a share
of a **required** table's rows (``customers``, ``orders``) are set aside **as defects**. Rows outside the
analysis window (dated after ``as_of``, or referring to a customer who is) are not defects and are not
counted (:meth:`crmbook.data.Dataset.set_aside_defects`).

The default is :data:`DEFAULT_MAX_SET_ASIDE` (5 %). It is changed with ``--max-set-aside`` (repeatable):
``0.1`` or ``10%`` for every required table, ``orders=0.2`` or ``orders=20%`` for one table, ``1`` (or
``100%``) to turn the check off; in a ``crmbook run`` config file, ``max_set_aside: 0.1`` or
``max_set_aside: {orders: 0.2}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crmbook.data.schemas import REQUIRED_TABLES

__all__ = ["DEFAULT_MAX_SET_ASIDE", "SetAsideLimit", "parse_set_aside_limit", "set_aside_over_limit", "share_text"]

#: Share of a required table's rows that may be set aside as defects before a check or a run fails.
DEFAULT_MAX_SET_ASIDE = 0.05


@dataclass(frozen=True)
class SetAsideLimit:
    """The limit for every required table, and the tables that have their own."""

    default: float = DEFAULT_MAX_SET_ASIDE
    per_table: dict[str, float] = field(default_factory=dict)

    def of(self, table: str) -> float:
        """The limit of ``table``."""
        return self.per_table.get(table, self.default)


def _share(text: Any, what: str) -> float:
    """``0.05``, ``"0.05"`` or ``"5%"`` as a share between 0 and 1 (ValueError naming ``what`` otherwise)."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValueError(f"{what}: expected a share such as 0.05 or 5%, got {text!r}") from None
    if not 0 <= value <= 1:
        raise ValueError(f"{what}: expected a share between 0 and 1 (0% to 100%), got {text!r}")
    return value


def parse_set_aside_limit(values: Iterable[Any] | Mapping[str, Any] | Any | None) -> SetAsideLimit:
    """The limit from ``--max-set-aside`` values (``"0.1"``, ``"10%"``, ``"orders=0.2"``) or a config
    file's ``max_set_aside`` (a share, or a mapping table -> share). None or empty: the default.

    Raises
    ------
    ValueError
        A value that is not a share between 0 and 1, or a table that is not a required table.
    """
    if values is None:
        return SetAsideLimit()
    if isinstance(values, Mapping):
        items = [f"{k}={v}" for k, v in values.items()]
    elif isinstance(values, (str, int, float)):
        items = [str(values)]
    else:
        items = [str(v) for v in values]
    default, per_table = DEFAULT_MAX_SET_ASIDE, {}
    for item in items:
        match = re.fullmatch(r"\s*([A-Za-z_]+)\s*=\s*(.+)", item)
        if match:
            table = match[1].lower()
            if table not in REQUIRED_TABLES:
                raise ValueError(f"--max-set-aside {item}: the limit applies to the required tables "
                                 f"({', '.join(REQUIRED_TABLES)}), not {match[1]!r}")
            per_table[table] = _share(match[2], f"--max-set-aside {item}")
        else:
            default = _share(item, f"--max-set-aside {item}")
    return SetAsideLimit(default, per_table)


def set_aside_over_limit(dataset: Any, limit: SetAsideLimit | None = None) -> list[str]:
    """One line per required table whose rows set aside as defects exceed the limit (empty: none).

    ``dataset`` is a :class:`crmbook.data.Dataset`. A line names the table, the rows set aside of the rows
    read and their share, the top reasons, the limit and how to change it.
    """
    limit = limit or SetAsideLimit()
    lines = []
    for r in dataset.set_aside_defects().itertuples():
        if r.table not in REQUIRED_TABLES or r.share <= limit.of(r.table):
            continue
        lines.append(f"{r.table}: {r.rows_defective:,} of {r.rows_read:,} rows set aside as defects "
                     f"({share_text(r.share)}), above the limit of {limit.of(r.table):.0%} (top reasons: {r.top_reasons}); "
                     f"fix the export, or raise the limit with --max-set-aside {r.table}="
                     f"{min(1.0, _round_up(r.share)):.0%}")
    return lines


def share_text(share: float) -> str:
    """A share as a percentage for a message: one decimal (``6.0%``), two significant digits below 1 %
    (``0.042%``: a few rows of many thousands do not read 0.0 %), ``0%`` for none."""
    if share == 0:
        return "0%"
    return f"{share * 100:.2g}%" if share < 0.01 else f"{share:.1%}"


def _round_up(share: float) -> float:
    """The share rounded up to the next whole percent (the limit a user would need to pass)."""
    import math

    return math.ceil(round(share * 100, 6)) / 100
