"""The error a model fit raises when it cannot give an estimate (模型拟合失败)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ModelFitError"]


class ModelFitError(RuntimeError):
    """A fit that did not converge, or data that cannot identify the model (e.g. no repeat buyers).

    The message names the model, the number of customers (or cohort members), the last parameter values
    the optimiser reached and its own message; the same facts are attributes for code that handles them.

    Attributes
    ----------
    model : str
        ``"BG/NBD"``, ``"Pareto/NBD"``, ``"Gamma-Gamma"`` or ``"sBG"``.
    n : int
        Customers (or, for sBG, cohort members at the start) the fit saw.
    params : dict of str to float
        The last parameters reached (empty when the fit was refused before optimising).
    reason : str
        Why, in plain words (the optimiser's message when it stopped without converging).
    """

    def __init__(self, model: str, n: int, reason: str, params: Mapping[str, float] | None = None):
        self.model, self.n, self.reason = model, int(n), reason
        self.params = dict(params or {})
        shown = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items()) or "none (not started)"
        super().__init__(f"{model} fit on {self.n:,} customers failed: {reason}. Last parameters: {shown}")
