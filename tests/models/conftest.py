"""Fixtures of the model tests: the CDNOW sample summaries (Fader & Hardie's CDNOW data via lifetimes)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

CDNOW = Path(__file__).resolve().parents[1] / "fixtures" / "cdnow"


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    """2,357 CDNOW customers, 39 weeks: frequency, recency, T (weeks), indexed by ID."""
    return pd.read_csv(CDNOW / "cdnow_customers_summary.csv", index_col="ID")


@pytest.fixture(scope="session")
def cdnow_monetary() -> pd.DataFrame:
    """The CDNOW summary with the mean repeat-purchase value: columns renamed to frequency, recency, T,
    monetary_value (the file says x, t_x, T, zbar)."""
    df = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv", index_col="ID")
    return df.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
