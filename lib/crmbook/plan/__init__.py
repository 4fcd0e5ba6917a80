"""The customer management plan (客户经营计划): one view per customer across the topics, a budgeted contact
plan, and last plan vs what happened.

One module per method (``view360``, ``actions``, ``optimise``, ``holdout``, ``history``, ``crm``,
``scorecard``), its charts in ``charts``, its sentences in ``narrative`` (facts, then words), its KPI records
in ``kpis`` and the exercises of notebook ``06_customer_plan`` in ``exercises``; texts, column labels and
the action playbook are data files (``text/``, ``playbooks/``).

Analyses take the shared :class:`crmbook.facts.CustomerFacts` as their first argument; everything a reader
sees takes the :class:`crmbook.context.Context` ``ctx``::

    from crmbook import plan
    view = plan.customer_360(facts, surveys=..., contacts=...)
    chosen = plan.optimise_plan(plan.candidate_actions(view), budget=20_000, capacity={"phone": 200})
"""

from importlib import import_module

#: The modules whose public names the package re-exports, in this order.
MODULES: tuple[str, ...] = ("view360", "actions", "optimise", "holdout", "history", "crm", "scorecard", "kpis",
                            "narrative", "display", "charts", "exercises")

__all__: list[str] = []
for _name in MODULES:
    _module = import_module(f"{__name__}.{_name}")
    globals().update({_key: getattr(_module, _key) for _key in _module.__all__})
    __all__ += list(_module.__all__)
del _name, _module
