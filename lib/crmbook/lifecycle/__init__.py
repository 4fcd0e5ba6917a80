"""Customer lifecycle and retention (客户生命周期与留存): stages and customer flow, cohorts, rates, survival,
probability alive, the loyalty programme and the customer journey, the contact plan.

One module per method (``stages``, ``flow``, ``cohorts``, ``rates``, ``survival``, ``palive``, ``loyalty``,
``journey``, ``actions``), its charts in ``charts`` (the loyalty and journey charts in ``loyalty_charts``),
its sentences in ``narrative`` (facts, then words), its tables for readers in ``display``, its KPI records in
``kpis`` and the exercises of notebook ``02_lifecycle`` in ``exercises``; texts, column labels, playbooks and the journey mapping are data files (``text/``,
``playbooks/``, ``journey_map.yaml``).

Analyses take the shared :class:`crmbook.facts.CustomerFacts` (computed once per dataset) as their first
argument; everything a reader sees takes the :class:`crmbook.context.Context` ``ctx``::

    from crmbook import lifecycle as lc
    stages = lc.lifecycle_stages(facts)
    lc.table(lc.stage_summary(stages), ctx)

The package re-exports the ``__all__`` of each module of :data:`MODULES`; a new method module joins by adding
its name there (a name exported by two modules is refused at import).
"""

from importlib import import_module

from crmbook.playbook import action_plan

#: The modules whose public names the package re-exports, in this order.
MODULES: tuple[str, ...] = ("stages", "flow", "cohorts", "rates", "survival", "palive", "loyalty", "journey",
                            "actions", "kpis", "narrative", "display", "charts", "loyalty_charts", "exercises")

__all__ = ["action_plan"]
for _name in MODULES:
    _module = import_module(f"{__name__}.{_name}")
    _clash = sorted(set(_module.__all__) & set(__all__))
    if _clash:
        raise ImportError(f"crmbook.lifecycle.{_name} exports names another lifecycle module already exports: "
                          f"{', '.join(_clash)}")
    globals().update({_key: getattr(_module, _key) for _key in _module.__all__})
    __all__ += list(_module.__all__)
del _name, _module, _clash
