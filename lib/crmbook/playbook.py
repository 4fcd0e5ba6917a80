"""Playbooks: the recommended action per group (segment, class, quadrant), kept as data files.

A playbook is a YAML file in a topic package's ``playbooks/`` folder, so an author changes the advice
without touching code::

    order: [champions, loyal, ...]        # display order (best first)
    groups:
      champions:
        label: {en: Champions, zh: 重要价值客户}
        action: {en: "Reward and involve: ...", zh: "奖励并邀请参与：..."}

:func:`action_plan` turns a playbook and one row per customer into the table a report shows: each
group's size, revenue share and action, in the report language.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context, language_of, require_languages
from crmbook.language import catalogue, package_yaml
from crmbook.tables import group_summary

__all__ = ["Playbook", "load_playbook", "action_plan"]


class Playbook(Mapping[str, str]):
    """Group -> label and action in every report language, with a display order.

    As a mapping it reads group -> English action (``playbook["champions"]``); :meth:`action` and
    :meth:`label` take a language.
    """

    def __init__(self, name: str, groups: Mapping[str, Mapping[str, Mapping[str, str]]],
                 order: Sequence[str] | None = None) -> None:
        self.name = name
        self.groups: dict[str, dict[str, dict[str, str]]] = {}
        for group, spec in groups.items():
            for part in ("label", "action"):
                require_languages((spec or {}).get(part), f"playbook {name!r}: group {group!r}'s {part}")
            self.groups[str(group)] = {part: dict(spec[part]) for part in ("label", "action")}
        self.order = tuple(order) if order is not None else tuple(self.groups)

    def __getitem__(self, group: str) -> str:
        return self.groups[group]["action"]["en"]

    def __iter__(self) -> Iterator[str]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __repr__(self) -> str:
        return f"Playbook({self.name!r}, {len(self)} groups)"

    def action(self, group: Any, language: str | Context = "en") -> str:
        """The action for ``group``; a group the playbook does not name gets a plain request to define one."""
        lang = language_of(language)
        spec = self.groups.get(str(group))
        if spec is None:
            return catalogue("crmbook").label("playbook.undefined", lang)
        return spec["action"][lang]

    def label(self, group: Any, language: str | Context = "en") -> str:
        """The human name of ``group`` (its code when the playbook does not name it)."""
        lang = language_of(language)
        spec = self.groups.get(str(group))
        return spec["label"][lang] if spec else str(group)


@functools.cache
def load_playbook(package: str, name: str) -> Playbook:
    """The playbook ``<package>/playbooks/<name>.yaml`` (cached)."""
    source = resources.files(package) / "playbooks" / f"{name}.yaml"
    try:
        tree = package_yaml(source.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise FileNotFoundError(f"no playbook {name!r} in {package} (expected playbooks/{name}.yaml)") from None
    return Playbook(name, tree.get("groups") or {}, tree.get("order"))


def action_plan(assignments: pd.DataFrame, playbook: Playbook | Mapping[str, str], ctx: Context | None = None, *,
                segment_col: str = "segment", revenue_col: str | None = "monetary",
                order: Sequence[str] | None = None) -> pd.DataFrame:
    """The recommended action for each group, with its size and revenue share.

    Parameters
    ----------
    assignments : DataFrame
        One row per customer with ``segment_col`` (and ``revenue_col`` when given).
    playbook : Playbook or mapping
        The playbook (a plain mapping group -> action serves too, in one language).
    ctx : Context, optional
        The report language (English without one).
    order : sequence of str, optional
        Row order; default the playbook's order (groups it does not name follow, largest first).

    Returns
    -------
    DataFrame
        ``segment`` (the group code), ``customers, customer_share, revenue_share, action``.
    """
    language = ctx.language if ctx is not None else "en"
    rev = revenue_col if revenue_col and revenue_col in assignments.columns else None
    a = assignments if rev else assignments.assign(_one=1.0)
    default_order = playbook.order if isinstance(playbook, Playbook) else list(playbook)
    summary = group_summary(a, group_col=segment_col, revenue_col=rev or "_one",
                            order=order if order is not None else default_order)
    out = summary[["segment", "customers", "customer_share"]].copy()
    out["revenue_share"] = summary["revenue_share"] if rev else np.nan
    if isinstance(playbook, Playbook):
        out["action"] = [playbook.action(s, language) for s in out["segment"]]
    else:
        undefined = catalogue("crmbook").label("playbook.undefined", language)
        out["action"] = [playbook.get(s, undefined) for s in out["segment"]]
    return out
