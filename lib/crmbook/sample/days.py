"""Time in the generator: whole days counted from the first day of the history.

Day :math:`t = 0` is ``start`` and :math:`t_{end}` (``end_idx``) is ``end``; every process draws day
numbers, and only the tables turn them into ISO dates ``YYYY-MM-DD`` (:func:`_iso`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__: list[str] = []


@dataclass(frozen=True)
class _History:
    """The history: first and last day as given (``YYYY-MM-DD``), day 0 as a date, the last day's number."""

    start: str
    end: str
    d0: np.datetime64
    end_idx: int


def _day0(date: str) -> np.datetime64:
    return np.datetime64(date, "D")


def _iso(start: np.datetime64, days: np.ndarray) -> np.ndarray:
    """Day offsets from ``start`` -> ISO date strings (object array)."""
    return (start + np.asarray(days, dtype="int64")).astype("datetime64[D]").astype(str).astype(object)
