r"""Probabilistic customer-base models (客户基础概率模型): who is still a customer, how much more they will buy.

Shared by the lifecycle topic (P(alive), 存活概率) and the ROI topic (CLV, 客户终身价值); like
:mod:`crmbook.facts` it imports no topic.

- :mod:`~crmbook.models.summary`: per-customer frequency / recency / T / monetary value from the orders
  (:func:`customer_summary`, :func:`facts_summary`, :func:`calibration_holdout`), time unit explicit;
- :mod:`~crmbook.models.bgnbd`: BG/NBD (Fader, Hardie & Lee 2005), :func:`fit_bgnbd`;
- :mod:`~crmbook.models.pareto_nbd`: Pareto/NBD (Schmittlein, Morrison & Colombo 1987), :func:`fit_pareto_nbd`;
- :mod:`~crmbook.models.gamma_gamma`: Gamma-Gamma spend model (Fader, Hardie & Lee 2005), :func:`fit_gamma_gamma`;
- :mod:`~crmbook.models.sbg`: shifted-beta-geometric retention (Fader & Hardie 2007), :func:`fit_sbg`;
- :mod:`~crmbook.models.simulate`: seeded draws from the BG/NBD process (tests, benchmarks, teaching).

Every fit is maximum likelihood with SciPy and raises :class:`ModelFitError` when it cannot give an
estimate; every fitted model states its time unit.
"""

from crmbook.models.bgnbd import BGNBD, fit_bgnbd
from crmbook.models.errors import ModelFitError
from crmbook.models.gamma_gamma import GammaGamma, fit_gamma_gamma
from crmbook.models.pareto_nbd import ParetoNBD, fit_pareto_nbd
from crmbook.models.sbg import SBG, fit_sbg
from crmbook.models.simulate import simulate_bgnbd, simulate_gamma_gamma
from crmbook.models.summary import calibration_holdout, customer_summary, facts_summary

__all__ = [
    "BGNBD",
    "GammaGamma",
    "ModelFitError",
    "ParetoNBD",
    "SBG",
    "calibration_holdout",
    "customer_summary",
    "facts_summary",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "fit_sbg",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
]
