r"""Behavioural clusters (行为聚类): k-means on standardized log RFM and tenure features.

.. math:: \min \sum_c \sum_{i \in c} \lVert x_i - \mu_c \rVert^2, \qquad x_i = \mathrm{std}(\log(1 + f_i))

The number of clusters is chosen by the mean silhouette. Each cluster is described by *trait codes*
(``high_monetary``, ``low_recency_days`` ...: :func:`describe_clusters`) and named from them
(``frequent_big_spenders``, ``lapsed`` ...: :func:`cluster_name`); the words for both are in the
package's text catalogue (:func:`crmbook.segmentation.narrative.cluster_description`,
:func:`crmbook.segmentation.narrative.cluster_label`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmbook.tables import require_columns

from .rfm import NO_PURCHASE, RFM_SEGMENT_ORDER

__all__ = [
    "K_RANGE",
    "CLUSTER_FEATURES",
    "CLUSTER_SEED",
    "CLUSTER_N_INIT",
    "CLUSTER_SILHOUETTE_SAMPLE",
    "CLUSTER_THREADS",
    "CLUSTER_THRESHOLD",
    "BehaviourClusters",
    "CLUSTER_NAMES",
    "describe_clusters",
    "cluster_name",
    "cluster_table",
    "segment_cluster_crosstab",
]

#: k-means: range of cluster counts tried (inclusive); the best silhouette wins.
K_RANGE: tuple[int, int] = (2, 8)
#: k-means: the random seed (k-means++ starts), so a rerun gives the same clusters.
CLUSTER_SEED = 42
#: k-means: restarts per k (the best of them is kept). On the bundled sample (4,000 buyers) 2 restarts and
#: a 1,000-customer silhouette sample choose the same k (3) as 10 restarts with exact silhouettes, for
#: seeds 0, 1, 7 and 42, and the clusters agree (adjusted Rand index >= 0.98); see the tests.
CLUSTER_N_INIT = 2
#: k-means: silhouettes are computed on a seeded sample of at most this many customers (the exact mean
#: silhouette costs n^2 distances per k tried).
CLUSTER_SILHOUETTE_SAMPLE = 1000
#: k-means: numerical threads while fitting. One: a few thousand customers gain nothing from threads, and
#: on a shared machine (or with notebooks run in parallel) OpenMP threads that wait on each other made the
#: fit about ten times slower (5 s instead of 0.5 s).
CLUSTER_THREADS = 1
#: k-means: features (columns of :func:`crmbook.segmentation.rfm_table`), log-transformed (``log1p``)
#: then standardized.
CLUSTER_FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary", "tenure_days")
#: A cluster is *high* (*low*) on a feature when its mean standardized value is above (below -) this.
CLUSTER_THRESHOLD = 0.5


#: Cluster names from trait codes: the first rule whose traits the cluster all has (and, for an entry with a
#: set of alternatives, at least one of those) names it. Lapsed first: a cluster that stopped buying is lapsed
#: whatever it spent; then the value-and-frequency combinations, the newcomers, single traits; a cluster
#: with no trait is ``average``.
CLUSTER_NAMES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("lapsed_big_spenders", ("high_recency_days", "high_monetary"), ()),
    ("lapsed", ("high_recency_days",), ()),
    ("frequent_big_spenders", ("high_frequency", "high_monetary"), ()),
    ("new_low_value", ("low_tenure_days",), ("low_monetary", "low_frequency")),
    ("newcomers", ("low_tenure_days",), ()),
    ("big_spenders", ("high_monetary",), ()),
    ("frequent_buyers", ("high_frequency",), ()),
    ("occasional_low_spenders", (), ("low_monetary", "low_frequency")),
    ("long_standing", ("high_tenure_days",), ()),
    ("recent_buyers", ("low_recency_days",), ()),
)


def cluster_name(traits: str, *, rules: Sequence[tuple[str, Sequence[str], Sequence[str]]] = CLUSTER_NAMES) -> str:
    """A short name code for a cluster from its trait codes (:func:`describe_clusters`).

    ``rules`` are ``(name, all_of, any_of)``: the first rule such that the cluster has every trait of
    ``all_of`` and, when ``any_of`` is not empty, at least one of it gives the name (default
    :data:`CLUSTER_NAMES`). ``"high_frequency,high_monetary,low_recency_days"`` -> ``"frequent_big_spenders"``;
    ``"high_recency_days"`` -> ``"lapsed"``; ``""`` (close to the average) -> ``"average"``.
    """
    have = {t for t in str(traits).split(",") if t}
    for name, all_of, any_of in rules:
        if set(all_of) <= have and (not any_of or have & set(any_of)):
            return name
    return "average"


def describe_clusters(profile: pd.DataFrame, *, threshold: float = CLUSTER_THRESHOLD,
                      features: Sequence[str] = CLUSTER_FEATURES) -> pd.Series:
    r"""The traits of each cluster from its standardized profile, as codes.

    For every feature with a column ``z_<feature>`` in ``profile`` (the cluster's mean of the
    standardized, log-transformed feature: 0 = the average customer, 1 = one standard deviation above),
    the cluster is *high* when :math:`z > \text{threshold}` and *low* when :math:`z < -\text{threshold}`.

    Returns
    -------
    Series
        Per cluster (same index as ``profile``), the trait codes ``high_<feature>`` / ``low_<feature>``
        joined by commas, farthest from average first (``"high_frequency,low_recency_days"``); ``""`` for a
        cluster close to the average customer.
    """
    zcols = [f"z_{f}" for f in features if f"z_{f}" in profile.columns]
    if not zcols:
        raise ValueError("profile: no z_<feature> columns to describe (expected e.g. 'z_recency_days')")
    out = {}
    for idx, row in profile[zcols].iterrows():
        parts = []
        for col in sorted(zcols, key=lambda c: -abs(row[c])):
            z = row[col]
            if z > threshold:
                parts.append(f"high_{col[2:]}")
            elif z < -threshold:
                parts.append(f"low_{col[2:]}")
        out[idx] = ",".join(parts)
    return pd.Series(out, name="traits", dtype=object)


class BehaviourClusters:
    r"""Behavioural segments by k-means on standardized log RFM and tenure features.

    Each customer with at least one order is a point :math:`x_i = \mathrm{std}(\log(1 + f_i))` over the
    ``features`` (recency in days, number of orders, revenue, tenure in days). k-means splits them into
    :math:`k` groups minimising the within-cluster sum of squares
    :math:`\sum_c \sum_{i \in c} \lVert x_i - \mu_c \rVert^2`. :math:`k` is chosen in
    ``[k_min, k_max]`` by the mean silhouette :math:`s = \frac{1}{n}\sum_i \frac{b_i - a_i}{\max(a_i, b_i)}`
    (:math:`a_i`: mean distance to its own cluster, :math:`b_i`: to the nearest other cluster; the
    highest wins, ties go to the smaller :math:`k`). The log tames the long tails of frequency and spend;
    standardizing gives every feature the same weight.

    Clusters are numbered 1..k by decreasing mean revenue, so the numbering is stable. Everything is
    seeded: the same data and ``seed`` give the same clusters.

    Parameters
    ----------
    k_min, k_max : int
        Range of cluster counts tried (inclusive).
    seed : int
        Random seed of the k-means++ starts and of the silhouette sample.
    features : sequence of str
        Columns of :func:`crmbook.segmentation.rfm_table` used.
    n_init : int
        k-means restarts per :math:`k` (the best is kept); default :data:`CLUSTER_N_INIT`.
    silhouette_sample : int
        Silhouettes are computed on a seeded sample of at most this many customers (exact below it);
        default :data:`CLUSTER_SILHOUETTE_SAMPLE`.
    threads : int or None
        Numerical threads (OpenMP / BLAS) used while fitting; default :data:`CLUSTER_THREADS` (one).
        ``None`` leaves the libraries' own setting (all cores).

    Attributes
    ----------
    k_ : int
        The chosen number of clusters.
    silhouette_ : DataFrame
        ``k, silhouette`` for every :math:`k` tried.
    labels_ : Series
        Cluster number (1..k) per customer id; customers without orders are not clustered.
    profile_ : DataFrame
        Per cluster: ``customers, customer_share, revenue_share``, the mean of each feature, ``z_<feature>``
        (mean standardized feature), ``traits`` (:func:`describe_clusters`) and ``name`` (:func:`cluster_name`).
    """

    def __init__(self, k_min: int = K_RANGE[0], k_max: int = K_RANGE[1], *, seed: int = CLUSTER_SEED,
                 features: Sequence[str] = CLUSTER_FEATURES, n_init: int = CLUSTER_N_INIT,
                 silhouette_sample: int = CLUSTER_SILHOUETTE_SAMPLE,
                 threads: int | None = CLUSTER_THREADS) -> None:
        self.k_min = int(k_min)
        self.k_max = int(k_max)
        self.seed = int(seed)
        self.features = tuple(features)
        self.n_init = int(n_init)
        self.silhouette_sample = int(silhouette_sample)
        self.threads = None if threads is None else int(threads)

    def _matrix(self, rfm: pd.DataFrame) -> pd.DataFrame:
        x = rfm[list(self.features)].astype(float)
        if (x < 0).any().any():
            raise ValueError("rfm: cluster features must be non-negative (log1p is taken)")
        return np.log1p(x)

    def fit(self, rfm: pd.DataFrame, *, customer_col: str = "customer_id") -> BehaviourClusters:
        """Choose k by silhouette and cluster the customers of an ``rfm_table`` who bought."""
        # scikit-learn is imported *before* the thread limit is set: threadpoolctl limits only the libraries
        # already loaded when the limit is entered, and k-means' OpenMP runtime is loaded by this import. The
        # other order left the first fit of a fresh kernel on all cores, where the threads waiting on each
        # other on a busy machine took 3-7 s instead of 0.2 s.
        import sklearn.cluster
        import sklearn.metrics
        import sklearn.preprocessing  # noqa: F401
        from threadpoolctl import threadpool_limits

        if self.threads is None:
            return self._fit(rfm, customer_col=customer_col)
        with threadpool_limits(limits=self.threads):
            return self._fit(rfm, customer_col=customer_col)

    def _fit(self, rfm: pd.DataFrame, *, customer_col: str) -> BehaviourClusters:
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score
        from sklearn.preprocessing import StandardScaler

        if not 2 <= self.k_min <= self.k_max:
            raise ValueError(f"k range must satisfy 2 <= k_min <= k_max, got {self.k_min}..{self.k_max}")
        require_columns(rfm, "rfm", [customer_col, "frequency", *self.features])
        data = rfm[rfm["frequency"] > 0].reset_index(drop=True)
        if len(data) <= self.k_min:
            raise ValueError(f"rfm: {len(data)} customers with orders; at least {self.k_min + 1} are needed "
                             f"for {self.k_min} clusters")
        logx = self._matrix(data)
        self.scaler_ = StandardScaler().fit(logx)
        z = pd.DataFrame(self.scaler_.transform(logx), columns=list(self.features), index=data.index)
        sample = min(self.silhouette_sample, len(data)) if len(data) > self.silhouette_sample else None
        rows, models = [], {}
        points = z.to_numpy()
        for k in range(self.k_min, min(self.k_max, len(data) - 1) + 1):
            model = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.seed).fit(points)
            if np.unique(model.labels_).size < 2:  # not set(): a million labels as Python ints is 60 ms a fit
                continue
            s = silhouette_score(points, model.labels_, sample_size=sample, random_state=self.seed)
            rows.append({"k": k, "silhouette": float(s)})
            models[k] = model
        if not rows:
            raise ValueError("rfm: the customers could not be split into clusters (all alike?)")
        self.silhouette_ = pd.DataFrame(rows)
        best = self.silhouette_.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
        self.k_ = int(best["k"])
        self.model_ = models[self.k_]
        raw = pd.Series(self.model_.labels_, index=data.index)
        order = data["monetary"].groupby(raw).mean().sort_values(ascending=False, kind="stable").index
        relabel = {old: new for new, old in enumerate(order, start=1)}
        labels = raw.map(relabel)
        self.labels_ = pd.Series(labels.to_numpy(), index=pd.Index(data[customer_col], name=customer_col),
                                 name="cluster")
        self.profile_ = self._profile(data, z, labels)
        return self

    def _profile(self, data: pd.DataFrame, z: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
        g = data.groupby(labels)
        prof = pd.DataFrame({"customers": g.size()})
        prof["customer_share"] = prof["customers"] / len(data)
        prof["revenue_share"] = g["monetary"].sum() / float(data["monetary"].sum())
        for f in self.features:
            prof[f"mean_{f}"] = g[f].mean()
        zm = z.groupby(labels).mean()
        for f in self.features:
            prof[f"z_{f}"] = zm[f]
        prof["traits"] = describe_clusters(prof)
        prof["name"] = prof["traits"].map(cluster_name)
        prof.index.name = "cluster"
        return prof

    def assign(self, rfm: pd.DataFrame, *, customer_col: str = "customer_id",
               no_purchase: str = NO_PURCHASE) -> pd.DataFrame:
        """The cluster of every customer of ``rfm`` (``"no_purchase"`` for customers without orders).

        Returns a new DataFrame: ``rfm`` plus ``cluster`` (a string ``"1"``..``"k"`` or ``no_purchase``)
        and ``cluster_traits`` (the cluster's trait codes; ``no_purchase`` for customers without orders).
        """
        if not hasattr(self, "labels_"):
            raise RuntimeError("BehaviourClusters: call fit() first")
        out = rfm.copy()
        lab = out[customer_col].map(self.labels_)
        traits = lab.map(self.profile_["traits"])
        text = {v: str(int(v)) for v in pd.unique(lab.dropna())}  # each cluster number once, not per customer
        out["cluster"] = lab.map(text).fillna(no_purchase).astype(str)
        out["cluster_traits"] = traits.fillna(no_purchase)
        return out


def cluster_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The readable columns of ``BehaviourClusters.profile_``: ``cluster``, ``cluster_name`` (when the
    profile has ``name``), ``customers, customer_share, revenue_share``, the plain means ``mean_<feature>``
    and ``traits`` (the ``z_`` columns left out)."""
    require_columns(profile, "profile", ["customers", "customer_share", "revenue_share", "traits"])
    means = [c for c in profile.columns if str(c).startswith("mean_")]
    named = ["name"] if "name" in profile.columns else []
    out = profile[[*named, "customers", "customer_share", "revenue_share", *means, "traits"]].reset_index()
    out = out.rename(columns={"name": "cluster_name"})
    return out.rename(columns={out.columns[0]: "cluster"})


def _cluster_key(label: Any) -> tuple[int, float, str]:
    text = str(label)
    return (0, float(text), "") if text.isdigit() else (1, 0.0, text)


def segment_cluster_crosstab(assignments: pd.DataFrame, *, segment_col: str = "segment",
                             cluster_col: str = "cluster", order: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers per RFM segment (rows) and behavioural cluster (columns).

    Rows follow ``order`` (default :data:`RFM_SEGMENT_ORDER`; segments it does not name follow,
    alphabetically); columns are the clusters in number order (``"2"`` before ``"10"``), other labels such
    as ``no_purchase`` last.

    Returns
    -------
    DataFrame
        Counts, index ``segment_col``, columns ``cluster_col``; 0 where a segment has no customer in a
        cluster.
    """
    require_columns(assignments, "assignments", [segment_col, cluster_col])
    table = pd.crosstab(assignments[segment_col], assignments[cluster_col])
    order = list(RFM_SEGMENT_ORDER if order is None else order)
    present = set(table.index)
    rows = [s for s in order if s in present] + sorted((s for s in present if s not in set(order)), key=str)
    return table.loc[rows, sorted(table.columns, key=_cluster_key)]
