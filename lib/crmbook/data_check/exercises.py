"""The exercises of notebook 00, with answers computed from the data and text in the report language."""

from __future__ import annotations

from crmbook.context import Context
from crmbook.data import SCHEMAS, Dataset
from crmbook.data_check.overview import DATA_KINDS
from crmbook.exercises import ChoiceExercise, ExerciseSet, NumberExercise
from crmbook.language import catalogue

__all__ = ["exercises"]


def exercises(ds: Dataset, ctx: Context) -> ExerciseSet:
    """The exercises of notebook 00, with answers computed from ``ds``, in ``ctx``'s language.

    - ``q1``: how many orders can the analysis use?
    - ``q2``: average number of usable orders per customer who bought at least once.
    - ``q3``: which table holds feedback (the NPS answer of a customer)? The table's name, or its
      name in the report language (``问卷调查``), is accepted.
    """
    text = catalogue("crmbook.data_check")
    lang = ctx.language

    def say(key: str, **values) -> str:
        return text.say(f"exercise.{key}", lang, escape=False, **values)

    def orders_used() -> int:
        return len(ds["orders"])

    def orders_per_buyer() -> float:
        orders = ds["orders"]
        return len(orders) / orders["customer_id"].nunique()

    feedback = next(table for table, kind in DATA_KINDS.items() if kind == "think")
    names = {text.label(f"table_name.{t}", lang): t for t in SCHEMAS}
    return ExerciseSet(
        q1=NumberExercise(say("name", n=1), say("q1.question"), orders_used, rel_tol=0.0, abs_tol=0.5,
                          hint=say("q1.hint"), solution=say("q1.solution"), language=lang),
        q2=NumberExercise(say("name", n=2), say("q2.question"), orders_per_buyer, rel_tol=0.01,
                          hint=say("q2.hint"), solution=say("q2.solution"), language=lang),
        q3=ChoiceExercise(say("name", n=3), say("q3.question"), feedback, choices=tuple(SCHEMAS),
                          aliases={k: v for k, v in names.items() if k != v},
                          hint=say("q3.hint"), solution=say("q3.solution"), language=lang),
    )
