"""Tests of crmbook.sample: determinism, conformity to the schemas, the committed files, the truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmbook import sample
from crmbook.data import SCHEMAS

SMALL = 300
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
README = Path(__file__).resolve().parents[1] / "datasets" / "README.md"


@pytest.fixture(scope="module")
def small() -> sample.SampleData:
    return sample.generate(SMALL, seed=7)


@pytest.fixture(scope="module")
def large() -> sample.SampleData:
    """Big enough for the truth to show through the noise (about a second to generate)."""
    return sample.generate(20_000, seed=11)


def _clean(data: sample.SampleData) -> dict[str, pd.DataFrame]:
    """The tables as the data check keeps them: the defect rows listed in the truth dropped, the values out
    of range blanked (the prospects are real customers and stay)."""
    if id(data) in _CLEANED:
        return _CLEANED[id(data)]
    tables = {name: frame.copy() for name, frame in data.tables.items()}
    for name in tables:
        listed = [d for d in data.truth["defects"] if d["table"] == name]
        blank = [d["position"] for d in listed if d["reason"] == "out of range"]
        if blank:
            tables[name].loc[blank, "nps"] = np.nan
        drop = [d["position"] for d in listed if d["reason"] != "out of range"]
        tables[name] = tables[name].drop(index=drop).reset_index(drop=True)
    _CLEANED[id(data)] = tables
    return tables


_CLEANED: dict[int, dict[str, pd.DataFrame]] = {}


def _assert_same_truth(a: dict, b: dict, leave_out: tuple[str, ...] = ()) -> None:
    """Two truths are equal: the small parts as JSON, the per-customer frames value for value."""
    small = [{k: v for k, v in t.items() if k != "customers" and k not in leave_out} for t in (a, b)]
    assert json.dumps(small[0], sort_keys=True) == json.dumps(small[1], sort_keys=True)
    if "customers" not in leave_out:
        pd.testing.assert_frame_equal(a["customers"], b["customers"], check_exact=True)


# ---- determinism ---------------------------------------------------------------------------------

def test_same_seed_gives_identical_tables_and_truth(small):
    again = sample.generate(SMALL, seed=7)
    assert list(again.tables) == list(small.tables)
    for name, frame in small.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], frame, obj=name)
    _assert_same_truth(again.truth, small.truth)
    assert list(small.truth["customers"].columns) == [
        "customer_id", "lambda_per_day", "p0", "p", "nu", "mean_order_value", "satisfaction", "high_maintenance",
        "alive_at_end", "dropout_date", "repeat_orders", "contribution"]


def test_different_seed_gives_different_data(small):
    other = sample.generate(SMALL, seed=8)
    assert not other.tables["orders"]["revenue"].equals(small.tables["orders"]["revenue"])
    assert not other.tables["customers"]["signup_date"].equals(small.tables["customers"]["signup_date"])


def test_generate_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_customers"):
        sample.generate(10)
    with pytest.raises(ValueError, match="at least a year"):
        sample.generate(100, start="2025-06-01", end="2025-12-31")
    with pytest.raises(ValueError, match="fmt"):
        sample.write_sample("unused", fmt="json")


def test_sample_dir_is_anchored_on_the_package():
    assert sample.SAMPLE_DIR == Path(sample.__file__).resolve().parents[3] / "datasets" / "sample"
    assert sample.DEFAULT_SEED == sample.generate.__defaults__[1]


# ---- conformity to SCHEMAS ----------------------------------------------------------------------

def _check_conforms(data: sample.SampleData) -> None:
    tables = _clean(data)
    assert set(tables) == set(SCHEMAS)
    for name, schema in SCHEMAS.items():
        frame = tables[name]
        assert len(frame) > 0, name
        for col in schema.columns:
            assert col.name in frame.columns, f"{name}.{col.name} missing"
        for column in frame.columns:
            spec = schema.column(column)
            assert spec is not None, f"{name}.{column} is not in the schema"
            values = frame[column]
            present = values[values.notna()]
            if spec.required:
                assert len(present) == len(frame), f"{name}.{column} has missing values"
            if spec.kind == "date":
                assert present.map(lambda v: bool(ISO.match(v))).all(), f"{name}.{column} not ISO"
                if column == "birth_date":
                    age = (pd.Timestamp(sample.END) - pd.to_datetime(present)).dt.days / 365.25
                    assert age.between(18, 75).all(), "ages outside 18-75"
                else:
                    assert present.between(sample.START, sample.END).all(), f"{name}.{column} out of range"
            elif spec.kind in ("number", "integer"):
                numbers = pd.to_numeric(present)
                assert np.isfinite(numbers).all(), f"{name}.{column}"
                if spec.kind == "integer":
                    assert (numbers == np.round(numbers)).all(), f"{name}.{column} not integer"
                if spec.min is not None:
                    assert (numbers >= spec.min).all(), f"{name}.{column} below {spec.min}"
                if spec.max is not None:
                    assert (numbers <= spec.max).all(), f"{name}.{column} above {spec.max}"
            elif spec.kind == "bool":
                assert present.map(lambda v: isinstance(v, bool | np.bool_)).all(), f"{name}.{column}"
            elif spec.kind in ("id", "text", "category"):
                assert present.map(lambda v: isinstance(v, str) and v != "").all(), f"{name}.{column}"
            if spec.allowed is not None:
                assert set(present) <= set(spec.allowed), f"{name}.{column}: {set(present) - set(spec.allowed)}"
        if schema.key:
            assert not frame.duplicated(list(schema.key)).any(), f"{name} key {schema.key} not unique"
        for column, (other, other_col) in schema.references.items():
            present = frame[column].dropna()
            assert present.isin(tables[other][other_col]).all(), f"{name}.{column} -> {other}.{other_col}"
    months = tables["costs"]["period"]
    assert months.str.match(r"^\d{4}-\d{2}$").all()
    assert months.between(sample.START[:7], sample.END[:7]).all()


def test_small_sample_conforms_to_schemas(small):
    _check_conforms(small)


def test_default_sample_conforms_to_schemas():
    _check_conforms(sample.generate())


def test_customers_details(small):
    customers = _clean(small)["customers"]
    assert customers["phone"].str.fullmatch(r"1[358]\d{9}").all()
    assert customers["email"].str.endswith("@example.com").all()
    assert set(customers["account_type"]) >= {"retail"}
    # referrers signed up before the customers they referred
    referred = customers.dropna(subset=["referred_by"])
    assert len(referred) > 0
    signup = customers.set_index("customer_id")["signup_date"]
    assert (signup.loc[referred["referred_by"]].to_numpy() < referred["signup_date"].to_numpy()).all()
    # every buying customer's first order is on the sign-up day; the prospects never ordered
    prospects = small.truth["prospects"]["customer_id"]
    assert len(prospects) == round(SMALL * 0.015) and set(prospects) <= set(customers["customer_id"])
    buyers = customers[~customers["customer_id"].isin(prospects)]
    assert buyers["customer_id"].tolist() == small.truth["customers"]["customer_id"].tolist()
    first = _clean(small)["orders"].groupby("customer_id")["order_date"].min()
    assert first.reindex(buyers["customer_id"]).tolist() == buyers["signup_date"].tolist()
    assert not small.tables["orders"]["customer_id"].isin(prospects).any()


# ---- the defects of a real export --------------------------------------------------------------

def test_defects_are_found_by_the_data_check_and_nothing_else(tmp_path, small):
    from crmbook.data import load

    sample.write_sample(tmp_path, n_customers=SMALL, seed=7)
    ds = load(tmp_path, as_of=sample.END)
    defects = pd.DataFrame(small.truth["defects"])
    aside = defects[defects["reason"] != "out of range"]
    got = ds.rejected[["table", "row", "reason"]].sort_values(["table", "row"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, aside[["table", "row", "reason"]].sort_values(["table", "row"])
                                  .reset_index(drop=True), check_dtype=False)
    warned = [(p.table, p.rows) for p in ds.problems if p.severity == "warning" and p.rows]
    blanked = defects[defects["reason"] == "out of range"]
    assert warned == [("surveys", blanked["row"].tolist())]
    recon = ds.reconciliation().set_index("table")
    assert (recon["rows_rejected"] / recon["rows_read"]).max() < 0.05
    # the prospects are usable customers without an order
    prospects = small.truth["prospects"]["customer_id"]
    assert set(prospects) <= set(ds["customers"]["customer_id"])
    assert not ds["orders"]["customer_id"].isin(prospects).any()


@pytest.mark.parametrize("n", [60, 4000, 20_000])
def test_defects_grow_in_proportion(n):
    counts = sample.defects._defect_counts(n)
    assert all(k >= 1 for k in counts.values())
    assert counts["prospects"] == max(1, round(0.015 * n))
    if n >= 4000:
        assert counts["unknown_customer_orders"] == round(n / 800) and counts["duplicate_orders"] == round(n / 4000)


def test_defects_leave_the_clean_tables_as_they_were(monkeypatch, small):
    from crmbook.sample import generator

    def none(seed, tables, n, history):
        return sample.defects._Defects(tables=tables, prospects=[], records=[])

    monkeypatch.setattr(generator, "_add_defects", none)
    plain = sample.generate(SMALL, seed=7)
    clean = _clean(small)
    prospects = small.truth["prospects"]["customer_id"]
    for name, frame in plain.tables.items():
        mine = clean[name]
        if name == "customers":
            mine = mine[~mine["customer_id"].isin(prospects)].reset_index(drop=True)
        if name == "surveys":
            frame = frame.copy()
            frame.loc[frame["nps"].isna() | mine["nps"].isna(), "nps"] = np.nan
        pd.testing.assert_frame_equal(mine, frame, check_dtype=False, obj=name)
    _assert_same_truth(small.truth, plain.truth, leave_out=("prospects", "defects", "market"))


# ---- the committed sample ----------------------------------------------------------------------

def test_committed_sample_equals_write_sample_byte_for_byte(tmp_path):
    """Every CSV table and truth.json byte for byte; the Parquet per-customer truth value for value (its bytes
    carry the writer's version)."""
    paths = sample.write_sample(tmp_path)
    assert [p.name for p in paths] == [f"{t}.csv" for t in SCHEMAS] + ["truth.json", "truth_customers.parquet"]
    for path in paths:
        committed = sample.SAMPLE_DIR / path.name
        assert committed.exists(), f"{committed} is missing: run `crmbook sample --out datasets/sample`"
        if path.suffix == ".parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(committed), pd.read_parquet(path), check_exact=True)
        else:
            assert committed.read_bytes() == path.read_bytes(), f"{path.name} differs from the generator's output"
    raw = (sample.SAMPLE_DIR / "customers.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert sum(p.stat().st_size for p in paths) < 4_000_000


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_write_sample_round_trips(tmp_path, fmt):
    paths = sample.write_sample(tmp_path, fmt=fmt, n_customers=60, seed=3)
    expected = sample.generate(60, seed=3).tables
    assert {p.name for p in paths} == {f"{t}.{fmt}" for t in SCHEMAS} | {"truth.json", "truth_customers.parquet"}
    for name, frame in expected.items():
        path = tmp_path / f"{name}.{fmt}"
        back = pd.read_parquet(path) if fmt == "parquet" else pd.read_excel(path, sheet_name=name, dtype=object)
        assert list(back.columns) == list(frame.columns)
        pd.testing.assert_frame_equal(back.astype(object).where(back.notna(), None),
                                      frame.astype(object).where(frame.notna(), None),
                                      check_dtype=False, obj=f"{name}.{fmt}")
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["generator"]["n_customers"] == 60
    assert truth["customers"] == {"file": "truth_customers.parquet", "rows": 60, "columns": truth["customers"]["columns"],
                                  "note": truth["customers"]["note"]}
    assert len(pd.read_parquet(tmp_path / "truth_customers.parquet")) == 60


# ---- the truth is recoverable from the tables -------------------------------------------------

def test_bgnbd_purchases_follow_the_story():
    rng = np.random.Generator(np.random.PCG64(5))
    n = 20_000
    lam, horizon = np.full(n, 0.05), np.full(n, 400.0)
    # P(alive after H) = sum_k Poisson(k; lam H) (1 - p)^k = exp(-lam H p) = exp(-2) for p = 0.1
    cust, t, repeats, alive, dropout_t = sample.processes._bgnbd_purchases(rng, lam, np.full(n, 0.1), horizon)
    assert alive.mean() == pytest.approx(np.exp(-2.0), abs=0.01)
    assert np.bincount(cust, minlength=n).tolist() == repeats.tolist()
    assert (t >= 0).all() and (t < 400).all()
    assert np.isnan(dropout_t[alive]).all()
    last = pd.Series(t).groupby(cust).max().reindex(np.flatnonzero(~alive))
    np.testing.assert_array_equal(last.to_numpy(), dropout_t[~alive])  # drop out right after a purchase
    # p = 1: everyone drops out after the first repeat purchase (if they make one)
    _, _, repeats, alive, _ = sample.processes._bgnbd_purchases(rng, lam, np.ones(n), horizon)
    assert repeats.max() == 1 and alive.mean() == pytest.approx(np.exp(-20.0), abs=1e-3)
    # p ~ 0: a plain Poisson process, lam * H = 20 purchases on average
    _, _, repeats, alive, _ = sample.processes._bgnbd_purchases(rng, lam, np.full(n, 1e-12), horizon)
    assert repeats.mean() == pytest.approx(20.0, rel=0.01) and alive.all()


def test_campaign_uplift_is_recovered(large):
    members = _clean(large)["campaign_members"]
    for truth in large.truth["campaigns"]:
        rows = members[members["campaign_id"] == truth["campaign_id"]]
        assert len(rows) == truth["members"]
        assert (rows["group"] == "treatment").sum() == truth["treated"]
        rate = rows.groupby("group")["responded"].mean()
        observed = rate["treatment"] - rate["control"]
        se = np.sqrt(sum(r * (1 - r) / n for r, n in zip(rate, rows["group"].value_counts()[rate.index], strict=True)))
        assert abs(observed - truth["true_response_uplift"]) < 4 * se + 0.005, truth["campaign_id"]
    main = next(c for c in large.truth["campaigns"] if c["uplift_u"] == 0.10)
    assert main["true_response_uplift"] > 0.05


def test_campaign_response_matches_orders(small):
    orders = _clean(small)["orders"]
    campaign = _clean(small)["campaigns"].iloc[-1]
    window = orders[orders["order_date"].between(campaign["start_date"], campaign["end_date"])]
    members = _clean(small)["campaign_members"]
    members = members[members["campaign_id"] == campaign["campaign_id"]]
    revenue = window.groupby("customer_id")["revenue"].sum().reindex(members["customer_id"]).fillna(0.0)
    np.testing.assert_allclose(members["revenue"].to_numpy(), revenue.to_numpy(), atol=0.011)
    assert members["responded"].tolist() == (revenue > 0).tolist()


def test_mean_order_value_matches_gamma_gamma(large):
    orders = _clean(large)["orders"].merge(_clean(large)["customers"][["customer_id", "account_type"]])
    retail = orders.loc[orders["account_type"] == "retail", "revenue"]
    gg = sample.GAMMA_GAMMA
    implied = gg["p"] * gg["gamma"] / (gg["q"] - 1)
    assert implied == pytest.approx(350.0)
    assert large.truth["gamma_gamma"]["mean_order_value"] == pytest.approx(implied)
    assert retail.mean() == pytest.approx(implied, rel=0.05)
    big = orders.loc[orders["account_type"] == "key_account", "revenue"].mean()
    assert big > 10 * implied


def test_low_satisfaction_customers_churn_more(large):
    truth = pd.DataFrame(large.truth["customers"])
    quartile = pd.qcut(truth["satisfaction"], 4, labels=False)
    alive = truth.groupby(quartile)["alive_at_end"].mean()
    assert alive.is_monotonic_increasing and alive.iloc[-1] - alive.iloc[0] > 0.15
    # visible in the tables too: detractors (mean NPS <= 6) less often still buy in the last year
    customers = _clean(large)["customers"]
    early = customers.loc[customers["signup_date"] < "2024-01-01", "customer_id"]
    nps = _clean(large)["surveys"].groupby("customer_id")["nps"].mean().reindex(early).dropna()
    recent = set(_clean(large)["orders"].loc[_clean(large)["orders"]["order_date"] >= "2025-01-01", "customer_id"])
    still = nps.index.isin(list(recent))
    assert still[nps.to_numpy() >= 9].mean() > still[nps.to_numpy() <= 6].mean() + 0.1
    # and they complain more
    complaints = _clean(large)["contacts"].query("type == 'complaint'").groupby("customer_id").size()
    per_customer = complaints.reindex(truth["customer_id"]).fillna(0).to_numpy()
    assert per_customer[quartile == 0].mean() > 2 * per_customer[quartile == 3].mean()


def test_no_repeat_orders_after_dropout(small):
    truth = pd.DataFrame(small.truth["customers"]).dropna(subset=["dropout_date"])
    orders = _clean(small)["orders"].merge(truth[["customer_id", "dropout_date"]])
    late = orders["order_date"] > orders["dropout_date"]
    assert late.sum() <= small.truth["summary"]["campaign_orders"]  # only campaign conversions


def test_some_customers_cost_more_to_serve_than_they_earn(large):
    orders, contacts = _clean(large)["orders"], _clean(large)["contacts"]
    margin = (orders["revenue"] - orders["cost_of_goods"]).groupby(orders["customer_id"]).sum()
    serve = contacts.groupby("customer_id")["cost"].sum().reindex(margin.index).fillna(0.0)
    contribution = margin - serve
    negative = (contribution < 0).mean()
    assert 0.03 < negative < 0.3
    truth = large.truth["customers"].set_index("customer_id")["contribution"]
    np.testing.assert_allclose(contribution.reindex(truth.index).to_numpy(), truth.to_numpy(), atol=0.05)
    # the whale curve: the profitable customers make more than 100 % of the total profit
    ranked = contribution.sort_values(ascending=False).cumsum()
    assert ranked.max() > 1.05 * ranked.iloc[-1]


def test_revenue_grows_year_over_year(small, large):
    for data in (small, large):
        orders = _clean(data)["orders"]
        by_year = orders.groupby(orders["order_date"].str[:4])["revenue"].sum()
        assert list(by_year.index) == ["2022", "2023", "2024", "2025"]
        assert by_year.is_monotonic_increasing


def test_market_and_costs_are_consistent(large):
    market = _clean(large)["market"].set_index("region")
    customers = _clean(large)["customers"]
    assert set(customers["region"]) == set(market.index)
    penetration = customers["region"].value_counts() / market["potential_customers"]
    for region, row in large.truth["market"].items():
        assert penetration[region] == pytest.approx(row["penetration"], abs=1e-6)
    costs = _clean(large)["costs"]
    assert len(costs) == 48 * len(sample.COST_POOLS)
    logistics = costs[costs["pool"] == "logistics"].set_index("period")["amount"]
    orders = _clean(large)["orders"]
    month = orders["order_date"].str[:7]
    implied = sample.COST_POOLS["logistics"]["per_order"] * month.value_counts() + \
        sample.COST_POOLS["logistics"]["revenue_share"] * orders.groupby(month)["revenue"].sum()
    ratio = logistics / implied.reindex(logistics.index)
    assert ratio.between(0.85, 1.15).all()
    # the company is profitable every year, after all cost pools
    margin = (orders["revenue"] - orders["cost_of_goods"]).groupby(orders["order_date"].str[:4]).sum()
    profit = margin - costs.groupby(costs["period"].str[:4])["amount"].sum()
    assert (profit > 0).all()
    truth = large.truth["summary"]["operating_profit_by_year"]
    np.testing.assert_allclose([truth[int(y)] for y in profit.index], profit.to_numpy(), atol=1.0)


# ---- the data dictionary --------------------------------------------------------------------------

def test_readme_documents_every_table_and_column():
    text = README.read_text(encoding="utf-8")
    for name, schema in SCHEMAS.items():
        assert f"`{name}`" in text, name
        for col in schema.columns:
            assert f"`{col.name}`" in text, f"{name}.{col.name}"
        for prefix in schema.prefix_columns:
            assert f"`{prefix}" in text, prefix
    assert "crmbook sample --customers" in text and "truth.json" in text


# ---- the loyalty-points ledger ---------------------------------------------------------------------------

def test_points_ledger_follows_its_rules(small):
    """Every rule of crmbook.sample.points, checked on the ledger: members are retail customers; an earn entry
    is floor(revenue) of its order, on the order's day, from the programme start on; redemptions are whole
    units of 1,000 against an order; expiries fall on 31 December; no balance ever goes below zero; the truth's
    totals are the ledger's sums."""
    rules = small.truth["points"]
    points, tables = small.tables["points"], _clean(small)
    assert len(points) > 0 and set(points["kind"]) == {"earn", "redeem", "expire"}
    retail = set(tables["customers"].loc[tables["customers"]["account_type"] == "retail", "customer_id"])
    assert set(points["customer_id"]) <= retail and len(set(points["customer_id"])) == rules["members"]
    earn = points[points["kind"] == "earn"].merge(tables["orders"], on="order_id", suffixes=("", "_order"))
    assert len(earn) == (points["kind"] == "earn").sum()
    assert (earn["points"] == np.floor(earn["revenue"])).all() and (earn["date"] == earn["order_date"]).all()
    assert (earn["customer_id"] == earn["customer_id_order"]).all() and (points["date"] >= rules["start"]).all()
    redeem = points[points["kind"] == "redeem"]
    assert (redeem["points"] % rules["redemption_unit"] == 0).all() and redeem["order_id"].notna().all()
    assert points.loc[points["kind"] == "expire", "date"].str.endswith("-12-31").all()
    running = points.groupby("customer_id")["points"].cumsum()  # the ledger is in date order
    assert (running >= 0).all()
    totals = points.groupby("kind")["points"].sum()
    assert rules["totals_at_end"] == {"earned": totals["earn"], "redeemed": -totals["redeem"],
                                      "expired": -totals["expire"], "outstanding": int(points["points"].sum()),
                                      "liability": round(points["points"].sum() * rules["value_per_point"], 2)}


def test_points_come_from_their_own_stream(monkeypatch, small):
    """Without the ledger every other table, and the rest of the truth, is exactly the same."""
    from crmbook.sample import generator

    monkeypatch.setattr(generator, "_draw_points",
                        lambda seed, orders, retail, cust_ids, history: (small.tables["points"].iloc[:0], {}))
    plain = sample.generate(SMALL, seed=7)
    for name, frame in small.tables.items():
        if name != "points":
            pd.testing.assert_frame_equal(plain.tables[name], frame, obj=name)
    _assert_same_truth(plain.truth, small.truth, leave_out=("points",))


# ---- speed without changing a value: the writer, the sort, the points walk, the truth files ----------------

@pytest.mark.parametrize("block_rows", [1 << 20, 777])
def test_csv_writer_gives_the_bytes_of_to_csv(tmp_path, monkeypatch, block_rows):
    """crmbook.csv_writer writes what DataFrame.to_csv writes, on values chosen to trip it: floats of every
    magnitude (Arrow and numpy format some differently), whole floats, -0.0, NaN, inf, text with commas,
    quotes, line feeds and Chinese punctuation, missing text, booleans in bool and object columns, a header
    that needs quoting; and a table it hands to pandas (text with a carriage return). Also written in blocks
    of 777 rows (the blocks of a big table)."""
    from crmbook import csv_writer as sample_csv
    from crmbook.csv_writer import write_csv

    monkeypatch.setattr(sample_csv, "_BLOCK_ROWS", block_rows)

    rng = np.random.default_rng(5)
    n = 5000
    floats = rng.random(n) * 10.0 ** rng.integers(-7, 20, n)
    floats[:8] = [0.0, -0.0, 100.0, np.nan, np.inf, -np.inf, 1e-05, 1e16]
    frame = pd.DataFrame({
        'od"d,name': floats,
        "money": np.round(rng.gamma(2.0, 300.0, n), 2) * rng.choice([1, -1], n),
        "text": pd.Series(rng.choice(["a", 'say "hi"', "x,y", "", None, "two\nlines", "好，很好", " pad "], n),
                          dtype="str"),
        "flag": rng.random(n) < 0.5,
        "maybe": pd.Series(rng.choice(np.array([True, False, None], dtype=object), n), dtype=object),
        "ids": pd.Series(rng.choice(np.array(["C001", None, np.nan], dtype=object), n), dtype=object),
        "count": rng.integers(-10**12, 10**12, n),
    })
    cases = {"mixed": frame, "no rows": frame.iloc[:0], "carriage return": frame.assign(text="a\rb")}
    for label, table in cases.items():
        table.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8", lineterminator="\n")
        write_csv(table, tmp_path / "arrow.csv")
        assert (tmp_path / "arrow.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes(), label


def test_sorted_within_equals_lexsort():
    """The radix-sorted BG/NBD purchase times equal np.lexsort's, also when two times share a sort key
    (closer than horizon / 2**32) and come in the wrong order."""
    from crmbook.sample.processes import _sorted_within

    rng = np.random.default_rng(3)
    counts = rng.poisson(4.0, 2000)
    horizon = rng.integers(1, 1500, 2000).astype(float)
    idx = np.repeat(np.arange(2000), counts)
    t = rng.random(idx.size) * horizon[idx]
    first = np.flatnonzero(counts >= 2)[:5]
    starts = np.cumsum(counts) - counts
    for i in first:  # two times 1e-12 apart, the larger first: one key, the wrong order
        t[starts[i]], t[starts[i] + 1] = 0.5 + 1e-12, 0.5
    expected = t[np.lexsort((t, idx))]
    np.testing.assert_array_equal(_sorted_within(idx, t.copy(), horizon, counts), expected)


def test_purchase_times_drawn_in_blocks_are_the_same(monkeypatch, small):
    """The BG/NBD purchase times are drawn block of customers after block (to bound memory): with blocks of
    about 500 draws instead of 8M, every table is the same."""
    from crmbook.sample import processes

    monkeypatch.setattr(processes, "_BLOCK_DRAWS", 500)
    again = sample.generate(SMALL, seed=7)
    for name, frame in small.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], frame, obj=name)
    _assert_same_truth(again.truth, small.truth)


def _points_by_the_rules(seed, customers, orders, history):
    """The loyalty-points ledger walked order by order in Python (the rules of crmbook.sample.points as
    written there; the generator walks all members at once)."""
    from collections import deque

    from crmbook.sample.points import _COLUMNS, POINTS_PROGRAMME, _programme_start

    rng = np.random.Generator(np.random.PCG64([seed, 2]))
    spec, start = POINTS_PROGRAMME, _programme_start(history)
    retail = set(customers.loc[customers["account_type"] == "retail", "customer_id"])
    o = orders[(orders["order_date"] >= start) & orders["customer_id"].isin(retail)]
    o = o.sort_values(["customer_id", "order_date", "order_id"], kind="stable")
    firsts = o.drop_duplicates("customer_id")["customer_id"].to_numpy()
    enrolled = set(firsts[rng.random(firsts.size) < spec["enrol_probability"]])
    o = o[o["customer_id"].isin(enrolled)]
    rows = []
    for cust, part in o.groupby("customer_id", sort=True):
        lots = deque()
        for (date, order_id, revenue), u in zip(part[["order_date", "order_id", "revenue"]].itertuples(index=False),
                                                rng.random(len(part)), strict=True):
            year = int(date[:4])
            while lots and lots[0][0] < year - 1:
                y, left = lots.popleft()
                if left > 0:
                    rows.append((cust, f"{y + 1}-12-31", -left, "expire", None))
            balance = sum(left for _, left in lots)
            if balance >= spec["redemption_unit"] and u < spec["redeem_probability"]:
                take = balance // spec["redemption_unit"] * spec["redemption_unit"]
                rows.append((cust, date, -take, "redeem", order_id))
                while take:
                    used = min(take, lots[0][1])
                    lots[0][1] -= used
                    take -= used
                    if lots[0][1] == 0:
                        lots.popleft()
            earned = int(np.floor(revenue))
            if earned > 0:
                rows.append((cust, date, earned, "earn", order_id))
                if lots and lots[-1][0] == year:
                    lots[-1][1] += earned
                else:
                    lots.append([year, earned])
        rows += [(cust, f"{y + 1}-12-31", -left, "expire", None) for y, left in lots
                 if left > 0 and f"{y + 1}-12-31" <= history.end]
    ledger = pd.DataFrame(rows, columns=_COLUMNS)
    kind = ledger["kind"].map({"redeem": 0, "earn": 1, "expire": 2})
    return ledger.assign(_k=kind).sort_values(["date", "customer_id", "_k"], kind="stable").drop(columns="_k")


@pytest.mark.parametrize("n, seed, start, end", [(SMALL, 7, "2022-01-01", "2025-12-31"),
                                                  (1500, 4, "2024-03-01", "2025-06-30")])
def test_points_walk_equals_the_rules_order_by_order(n, seed, start, end):
    """The vectorised ledger is the one the rules give when walked order by order, with the same draws."""
    from crmbook.sample.days import _day0, _History

    data = sample.generate(n, seed=seed, start=start, end=end)
    history = _History(start=start, end=end, d0=_day0(start), end_idx=int((_day0(end) - _day0(start)).astype(int)))
    tables = _clean(data)
    customers = tables["customers"][~tables["customers"]["customer_id"].isin(data.truth["prospects"]["customer_id"])]
    expected = _points_by_the_rules(seed, customers, tables["orders"], history)
    got = data.tables["points"]
    assert got[["customer_id", "date", "points", "kind"]].values.tolist() == \
        expected[["customer_id", "date", "points", "kind"]].values.tolist()
    assert got["order_id"].fillna("").tolist() == expected["order_id"].fillna("").tolist()


def test_read_truth_gives_back_the_generated_truth(tmp_path):
    """write_sample then read_truth: the same truth as generate; truth.json holds only the small parts; an
    older truth.json with the per-customer columns as lists reads the same; a missing Parquet file is named."""
    sample.write_sample(tmp_path, n_customers=120, seed=2)
    truth = sample.read_truth(tmp_path)
    _assert_same_truth(truth, sample.generate(120, seed=2).truth)
    raw = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert raw["customers"]["file"] == "truth_customers.parquet" and raw["customers"]["rows"] == 120
    old = {**raw, "customers": {c: truth["customers"][c].astype(object).where(truth["customers"][c].notna(), None)
                                .tolist() for c in truth["customers"].columns}}
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "truth.json").write_text(json.dumps(old), encoding="utf-8")
    pd.testing.assert_frame_equal(sample.read_truth(tmp_path / "old")["customers"], truth["customers"],
                                  check_dtype=False)
    (tmp_path / "truth_customers.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="truth_customers.parquet not found"):
        sample.read_truth(tmp_path)


def test_purchase_rate_and_a_longer_history_give_more_orders_from_the_same_draws():
    """purchase_rate multiplies every lambda drawn (the same Gamma draws: the truth's lambdas are k times the
    default's, alpha is 60 / k); an earlier start and a higher rate give more orders per customer; the
    default arguments are the documented company."""
    base = sample.generate(SMALL, seed=7)
    explicit = sample.generate(SMALL, seed=7, start=sample.START, end=sample.END, purchase_rate=1.0)
    for name, frame in base.tables.items():
        pd.testing.assert_frame_equal(explicit.tables[name], frame, obj=name)
    busy = sample.generate(SMALL, seed=7, purchase_rate=3)
    np.testing.assert_allclose(busy.truth["customers"]["lambda_per_day"],
                               3 * base.truth["customers"]["lambda_per_day"], atol=2e-6)
    assert busy.truth["bgnbd"]["alpha"] == 20.0 and busy.truth["generator"]["purchase_rate"] == 3.0
    long = sample.generate(SMALL, seed=7, start="2016-01-01", purchase_rate=3)
    assert len(base.tables["orders"]) < len(busy.tables["orders"]) < len(long.tables["orders"])
    assert long.tables["orders"]["order_date"].min() >= "2016-01-01"
    for bad in (0, -1.0, "2"):
        with pytest.raises(ValueError, match="purchase_rate must be a number in"):
            sample.generate(SMALL, purchase_rate=bad)
    with pytest.raises(ValueError, match="start must be a date YYYY-MM-DD, got '2016-02-30'"):
        sample.generate(SMALL, start="2016-02-30")
