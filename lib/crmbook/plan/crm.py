"""The 360 view and the plan in a CRM's import layout (CRM 导入格式): HubSpot's contacts import.

The layout follows HubSpot's import of contacts from a CSV file (knowledge base "Import records and
activities"): one header row whose names are HubSpot property labels; one row per contact; dates as
``YYYY-MM-DD``; enumeration properties take their internal values (``Lifecycle Stage``: ``subscriber, lead,
marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other``). HubSpot matches
contacts to update on ``Email`` (or ``Record ID``). With personal data masked (the default) the file holds
no e-mail, phone or name: it then matches on the custom unique property ``Customer ID`` (create it in
HubSpot as a single-line text property with unique values before importing), or unmask the export inside
the team (``mask_personal=False``) to add ``Email``, ``Phone Number``, ``First Name``.

The other columns are custom properties to create once (labels as below, number or single-line text).
"""

from __future__ import annotations

import pandas as pd

from crmbook.tables import require_columns

__all__ = ["HUBSPOT_COLUMNS", "HUBSPOT_LIFECYCLE", "crm_import_layout"]

#: 360-view / plan column -> HubSpot property label.
HUBSPOT_COLUMNS: dict[str, str] = {
    "customer_id": "Customer ID", "email": "Email", "phone": "Phone Number", "name": "First Name",
    "hubspot_stage": "Lifecycle Stage", "member_tier": "Member Tier", "segment": "RFM Segment",
    "abc_class": "ABC Class", "stage": "crmbook Lifecycle Stage", "p_alive": "Probability Alive",
    "clv": "Customer Lifetime Value", "profit": "Customer Profit", "nps": "Latest NPS",
    "open_complaints": "Open Complaints", "action": "Next Action", "channel": "Next Action Channel",
    "expected_value": "Next Action Expected Value", "holdout": "Control Group", "plan_date": "Plan Date"}

#: crmbook lifecycle stage -> HubSpot's Lifecycle Stage internal value.
HUBSPOT_LIFECYCLE: dict[str, str] = {"prospect": "lead", "new": "customer", "repeat": "customer",
                                     "loyal": "evangelist", "won_back": "customer", "at_risk": "customer",
                                     "lapsed": "other"}


def crm_import_layout(view: pd.DataFrame, plan: pd.DataFrame | None = None, *, as_of: object = None,
                      customers: pd.DataFrame | None = None, mask_personal: bool = True) -> pd.DataFrame:
    """One row per customer of ``view`` in HubSpot's contacts-import layout (:data:`HUBSPOT_COLUMNS`).

    Parameters
    ----------
    view : DataFrame
        :func:`crmbook.plan.customer_360`.
    plan : DataFrame, optional
        The chosen actions (``customer_id, action, channel, expected_value, holdout``): their columns are
        filled for planned customers, empty for the others.
    as_of : date, optional
        The plan's date (``Plan Date``).
    customers : DataFrame, optional
        With ``name, phone, email``: added only when ``mask_personal`` is False.
    mask_personal : bool
        Leave out e-mail, phone and name (default).
    """
    require_columns(view, "360 view", ["customer_id", "stage"])
    out = view.copy()
    out["hubspot_stage"] = out["stage"].map(HUBSPOT_LIFECYCLE)
    if plan is not None and len(plan):
        p = plan.drop_duplicates("customer_id").set_index("customer_id")
        for col in ("action", "channel", "expected_value", "holdout"):
            if col in p.columns:
                out[col] = out["customer_id"].map(p[col])
        out["plan_date"] = pd.Timestamp(as_of).date().isoformat() if as_of is not None else None
        out.loc[out["action"].isna(), "plan_date"] = None
    if not mask_personal and customers is not None:
        personal = [c for c in ("name", "phone", "email") if c in customers.columns]
        out = out.merge(customers[["customer_id", *personal]].astype({"customer_id": str}), on="customer_id",
                        how="left")
    keep = [c for c in HUBSPOT_COLUMNS if c in out.columns]
    return out[keep].rename(columns=HUBSPOT_COLUMNS)
