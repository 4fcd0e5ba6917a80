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

    - ``q1``: how many orders can the analysis use? Rows read minus rows set aside of the orders table.
      Named mistakes: the rows read, and the rows read minus the rows set aside of *every* table.
    - ``q2``: average number of usable orders per customer who bought at least once (usable orders /
      distinct ``customer_id`` in the usable orders). Named mistakes: dividing by all customers
      (prospects who never ordered included), and dividing the other way round (customers per order).
    - ``q3``: which table holds feedback (the NPS answer of a customer)? The table's name, or its
      name in the report language (``问卷调查``), is accepted.

    The hints quote the figures of ``ds`` (rows read, customers, customers without an order).
    """
    text = catalogue("crmbook.data_check")
    lang = ctx.language

    def say(key: str, **values) -> str:
        return text.say(f"exercise.{key}", lang, escape=False, **values)

    recon = ds.reconciliation().set_index("table")
    read = int(recon.loc["orders", "rows_read"]) if "orders" in recon.index else 0
    aside_all = int(recon["rows_rejected"].sum()) if len(recon) else 0
    customers = len(ds["customers"]) if "customers" in ds.tables else 0

    def orders_used() -> int:
        return len(ds["orders"])

    def buyers() -> int:
        return int(ds["orders"]["customer_id"].nunique())

    def orders_per_buyer() -> float:
        return orders_used() / buyers()

    def q1_traps() -> dict[str, float]:
        aside = read - orders_used()
        return {say("q1.rows_read", read=read, aside=aside): read,
                say("q1.all_tables", aside_all=aside_all, aside=aside): read - aside_all}

    def q2_traps() -> dict[str, float]:
        traps = {say("q2.inverted"): buyers() / orders_used()}
        if customers:
            traps = {say("q2.all_customers", customers=customers, buyers=buyers(),
                         prospects=customers - buyers()): orders_used() / customers, **traps}
        return traps

    def q2_hint() -> str:
        try:
            return say("q2.hint", customers=customers, prospects=customers - buyers())
        except Exception:  # no usable orders: the exercise says it is unavailable; the hint stays general
            return say("q2.hint_general")

    feedback = next(table for table, kind in DATA_KINDS.items() if kind == "think")
    names = {text.label(f"table_name.{t}", lang): t for t in SCHEMAS}
    return ExerciseSet(
        q1=NumberExercise(say("name", n=1), say("q1.question"), orders_used, rel_tol=0.0, abs_tol=0.5,
                          traps=q1_traps, hint=say("q1.hint", read=read), solution=say("q1.solution"),
                          language=lang),
        q2=NumberExercise(say("name", n=2), say("q2.question"), orders_per_buyer, rel_tol=0.005,
                          traps=q2_traps, hint=q2_hint(), solution=say("q2.solution"), language=lang),
        q3=ChoiceExercise(say("name", n=3), say("q3.question"), feedback, choices=tuple(SCHEMAS),
                          aliases={k: v for k, v in names.items() if k != v},
                          hint=say("q3.hint"), solution=say("q3.solution"), language=lang),
    )
