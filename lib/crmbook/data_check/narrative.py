"""The findings of the data check: facts first (numbers and names), then sentences in the report language.

:func:`findings_facts` says whether the data can be used, how many rows were set aside and why (the top
reasons), which optional tables are absent, how much history the orders cover and which analyses of the
topics lack data; :func:`findings` turns those facts into sentences through the templates in
``data_check/text/<language>.yaml``. :func:`kpi_label` names the notebook's headline figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmbook.context import Context
from crmbook.data import Dataset
from crmbook.data_check.overview import _date_span
from crmbook.data_check.readiness import readiness_facts, readiness_reason, table_label
from crmbook.language import Narrative, catalogue

__all__ = ["TOP_REASONS", "ACTIONS", "actions", "findings_facts", "findings", "kpi", "kpi_label", "note"]

#: How many reasons for rows set aside the findings name.
TOP_REASONS = 3

_TEXT = "crmbook.data_check"


def findings_facts(ds: Dataset, topics: Iterable[Any] | None = None, *,
                   top_reasons: int = TOP_REASONS) -> dict[str, Any]:
    """The numbers and names behind the findings of the data check.

    Returns
    -------
    dict
        ``usable`` (bool); ``rows_read``, ``rows_used``, ``rows_rejected`` (all tables);
        ``reasons``: the ``top_reasons`` largest ``(table, reason, rows)`` of the rows set aside;
        ``absent``: the optional tables absent; ``orders_first``, ``orders_last``, ``orders_months``
        (``None`` without dated orders); when usable, ``customers``, ``orders``, ``revenue`` (usable
        rows), ``analyses`` (how many needs the topics declare) and ``blocked`` (the records of
        :func:`~crmbook.data_check.readiness.readiness_facts` that are not ready).
    """
    recon = ds.reconciliation()
    read, used = int(recon["rows_read"].sum()), int(recon["rows_used"].sum())
    facts: dict[str, Any] = {"usable": ds.usable, "rows_read": read, "rows_used": used,
                             "rows_rejected": read - used, "reasons": [], "absent": list(ds.absent)}
    if read - used:
        by_reason = ds.rejected_by_reason()
        count_col = "rows" if "rows" in by_reason.columns else by_reason.columns[-1]
        top = by_reason.sort_values(count_col, ascending=False).head(top_reasons)
        facts["reasons"] = [(r.table, r.reason, int(getattr(r, count_col))) for r in top.itertuples()]
    span = _date_span(ds, "orders")
    facts["orders_first"] = span["first"] if span else None
    facts["orders_last"] = span["last"] if span else None
    facts["orders_months"] = span["months"] if span else None
    if ds.usable:
        orders = ds["orders"]
        ready = readiness_facts(ds, topics)
        facts.update(customers=len(ds["customers"]), orders=len(orders),
                     revenue=float(orders["revenue"].sum()), analyses=len(ready),
                     blocked=[f for f in ready if not f["ready"]])
    return facts


def findings(ds: Dataset, ctx: Context, topics: Iterable[Any] | None = None) -> Narrative:
    """The findings of the data check as bullet points in ``ctx``'s language, computed from ``ds``.

    One sentence per fact of :func:`findings_facts`; a notebook shows the result as Markdown.
    """
    f = findings_facts(ds, topics)
    text = catalogue(_TEXT)

    def say(key: str, count: float | None = None, **values: Any) -> str:
        return text.say(f"findings.{key}", ctx, count, **values)

    out = []
    if not f["usable"]:
        out.append(say("unusable"))
    if f["rows_rejected"]:
        reasons = text.say("findings.reason_sep", ctx).join(
            say("reason", table=table_label(t, ctx), reason=r, rows=n) for t, r, n in f["reasons"])
        out.append(text.say("findings.set_aside", ctx, escape=False,  # the reasons are escaped already
                            rejected=f["rows_rejected"], read=f["rows_read"],
                            share=_share_text(f["rows_rejected"] / f["rows_read"]), reasons=reasons))
    else:
        out.append(say("all_usable", read=f["rows_read"]))
    if f["absent"]:  # table names are the schema's (no markup in them), shown as written
        out.append(text.say("findings.absent", ctx, escape=False,
                            tables=text.say("list_sep", ctx).join(table_label(t, ctx) for t in f["absent"])))
    if f["orders_months"] is not None:
        out.append(say("history", f["orders_months"], first=str(f["orders_first"]), last=str(f["orders_last"])))
    if f["usable"]:
        revenue = f"{f['revenue']:,.0f} {ctx.currency}".rstrip()
        out.append(say("volume", customers=f["customers"], orders=f["orders"], revenue=revenue))
        if not f["blocked"]:
            out.append(say("all_ready"))
        else:
            lang = ctx.language
            items = text.say("findings.reason_sep", ctx).join(
                say("blocked_item", topic=b["title"][lang], analysis=b["label"][lang],
                    reason=readiness_reason(b, ctx)) for b in f["blocked"])
            out.append(text.say("findings.blocked", ctx, escape=False,  # the items are escaped already
                                blocked=len(f["blocked"]), total=f["analyses"], items=items))
    return Narrative(out, language=ctx.language, bullets=True)


def _share_text(share: float) -> str:
    """A share as a percentage that never reads 0.0 % for rows that were set aside: one decimal from 1 %,
    two significant digits below (10 of 43,451 rows -> 0.023 %)."""
    if share >= 0.01 or share == 0:
        return f"{share:.1%}"
    return f"{share * 100:.2g}%"


def kpi_label(name: str, ctx: Context) -> str:
    """The label of headline figure ``name`` (``"customers_used"`` -> "Usable customers") in ``ctx``'s language."""
    return catalogue(_TEXT).label(f"kpi.{name}", ctx)


#: The data check's fixed advice, in order (texts ``actions.<key>`` of the catalogue: an author edits them there).
ACTIONS: tuple[str, ...] = ("fix_at_source", "ask_owner", "recheck")


def actions(ctx: Context) -> Narrative:
    """What to do after a data check, as bullet points in ``ctx``'s language (fixed advice, kept as data)."""
    text = catalogue(_TEXT)
    return Narrative([text.label(f"actions.{key}", ctx) for key in ACTIONS], lead=text.label("actions.lead", ctx),
                     language=ctx.language, bullets=True)


def kpi(name: str, value: Any, unit: str, ctx: Context) -> dict[str, Any]:
    """One KPI record for :func:`crmbook.kpis.record_kpis`: its label and card in ``ctx``'s language."""
    return {"name": name, "value": value, "unit": unit, "label": kpi_label(name, ctx), "language": ctx.language}


def note(key: str, ctx: Context) -> Narrative:
    """A one-line remark of the report (``"no_problems"``, ``"no_rows_set_aside"``) in ``ctx``'s language."""
    return Narrative([f"*{catalogue(_TEXT).say('note.' + key, ctx)}*"], language=ctx.language)
