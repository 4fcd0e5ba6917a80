"""crmbook.context: the analysis date, currency and language given once."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook.context import Context, as_date


def test_context_parses_the_date_once_and_checks_the_language():
    ctx = Context("2025-12-31", "CNY", "zh")
    assert ctx.as_of == pd.Timestamp("2025-12-31") and ctx.language == "zh"
    assert ctx.unit("收入") == "收入（CNY）" and Context("2025-12-31").unit("Revenue") == "Revenue"
    assert Context("2025-12-31", "CNY").unit("Revenue") == "Revenue (CNY)"
    with pytest.raises(ValueError, match="language must be one of 'en', 'zh'"):
        Context("2025-12-31", language="fr")
    with pytest.raises(AttributeError):
        ctx.language = "en"  # frozen: set once


@pytest.mark.parametrize("bad", [None, "", "  ", "31/31/2025", "not a date"])
def test_as_date_never_reads_the_clock(bad):
    with pytest.raises(ValueError, match="as_of"):
        as_date(bad)
