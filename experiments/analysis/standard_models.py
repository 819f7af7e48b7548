"""The statistical customer-base models researchers use today.

The simulator must forecast customers at least as well as these before its
what-if answers are trusted, so they are fitted on the same data:

* **BG/NBD** (Fader, Hardie & Lee 2005) for transaction logs, through the
  ``lifetimes`` package: customers buy at a gamma-distributed Poisson rate
  and drop out after any purchase with a beta-distributed probability. It
  takes the per-customer summary (frequency, recency, T) that
  :func:`sim.transactions.customer_summary` writes.
* **Shifted-beta-geometric** (sBG; Fader & Hardie 2007, "How to project
  customer retention") for cohort survival tables, as published for
  subscription businesses: each customer churns each period with a
  probability drawn once from a beta distribution. Fitted here by maximum
  likelihood (scipy), as the paper does in a spreadsheet.

Either fit can fail on data that do not identify the model (a short
calibration window, a handful of customers, a cohort that is gone after one
period): it then raises :class:`StandardModelError` with the reason, and the
calibration reports the model as not converged instead of losing its run.

``cdnow_summary()`` reads the CDNOW sample that ``lifetimes`` ships (2,357
customers, calibration weeks 1-39), on which the published BG/NBD fit is
r = 0.243, alpha = 4.41, a = 0.793, b = 2.43.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
from scipy import optimize, special


class StandardModelError(RuntimeError):
    """A standard model could not be fitted to the data; the message says why."""


@dataclass(frozen=True)
class BGNBD:
    """A fitted BG/NBD model: purchase-rate gamma (r, alpha), dropout beta (a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def _fitter(self):
        from lifetimes import BetaGeoFitter

        fitter = BetaGeoFitter()
        fitter.params_ = pd.Series({"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b})
        return fitter

    def expected_purchases(self, t: np.ndarray | float) -> np.ndarray:
        """Expected repeat purchases of a new customer within ``t`` periods."""
        return np.asarray(self._fitter().expected_number_of_purchases_up_to_time(t), dtype=float)

    def conditional_purchases(self, t: float, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Expected purchases in the next ``t`` periods of each customer, given
        their calibration history (the per-customer conditional forecast)."""
        return np.asarray(
            self._fitter().conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T), dtype=float
        )


def fit_bgnbd(summary: pd.DataFrame, penalizer: float = 0.0) -> BGNBD:
    """Maximum-likelihood BG/NBD on a per-customer summary (frequency, recency, T);
    raises StandardModelError if the likelihood's maximisation fails."""
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import ConvergenceError

    fitter = BetaGeoFitter(penalizer_coef=penalizer)
    printed = io.StringIO()  # lifetimes prints scipy's result when the fit fails
    try:
        with contextlib.redirect_stdout(printed), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            fitter.fit(summary["frequency"], summary["recency"], summary["T"])
    except ConvergenceError:
        reason = next(
            (
                line.split(":", 1)[1].strip()
                for line in printed.getvalue().splitlines()
                if line.strip().startswith("message:")
            ),
            "",
        )
        raise StandardModelError(
            "the likelihood's maximisation did not converge" + (f" (scipy: {reason})" if reason else "")
        ) from None
    except np.linalg.LinAlgError as e:
        raise StandardModelError(
            f"the likelihood is flat at its maximum ({e}): the data do not identify r, alpha, a and b"
        ) from None
    p = fitter.params_
    values = [float(p[k]) for k in ("r", "alpha", "a", "b")]
    if not all(np.isfinite(values)) or min(values) <= 0:
        raise StandardModelError(
            f"the fit ended at r, alpha, a, b = {', '.join(f'{v:.4g}' for v in values)}, "
            "outside the model (each must be a finite number above 0)"
        )
    return BGNBD(*values)


def cdnow_summary() -> pd.DataFrame:
    """The CDNOW sample's calibration summary as shipped by ``lifetimes``
    (ID, frequency, recency, T in weeks; 2,357 customers)."""
    path = resources.files("lifetimes") / "datasets" / "cdnow_customers_summary.csv"
    with resources.as_file(path) as file:
        return pd.read_csv(file)


@dataclass(frozen=True)
class ShiftedBetaGeometric:
    """A fitted sBG model: per-period churn probability ~ Beta(alpha, beta)."""

    alpha: float
    beta: float

    def survival(self, periods: int) -> np.ndarray:
        """Share of a cohort still active after 0..``periods`` periods."""
        t = np.arange(periods + 1, dtype=float)
        return np.exp(special.betaln(self.alpha, self.beta + t) - special.betaln(self.alpha, self.beta))

    def retention(self, periods: int) -> np.ndarray:
        """Retention rate of periods 1..``periods`` (rises with time: the
        customers likely to churn leave first)."""
        t = np.arange(1, periods + 1, dtype=float)
        return (self.beta + t - 1) / (self.alpha + self.beta + t - 1)


def _sbg_log_likelihood(log_params: np.ndarray, survivors: np.ndarray) -> float:
    alpha, beta = np.exp(log_params)
    t = np.arange(1, len(survivors), dtype=float)
    base = special.betaln(alpha, beta)
    churn_prob = np.exp(special.betaln(alpha + 1, beta + t - 1) - base)  # P(T = t)
    lost = survivors[:-1] - survivors[1:]
    surviving = np.exp(special.betaln(alpha, beta + t[-1]) - base)  # S(last period)
    return float(np.sum(lost * np.log(churn_prob)) + survivors[-1] * np.log(surviving))


def fit_sbg(survivors: np.ndarray | list[float]) -> ShiftedBetaGeometric:
    """Maximum-likelihood sBG from a cohort survival table: customers still
    active at the start (period 0) and after each period; raises
    StandardModelError if the likelihood has no finite maximum (e.g. the
    whole cohort gone after the first period)."""
    s = np.asarray(survivors, dtype=float)
    if s.ndim != 1 or len(s) < 2 or np.any(np.diff(s) > 0) or s[0] <= 0:
        raise ValueError(
            f"survivors = {s.tolist()!r}: must be a non-increasing list of at least "
            "2 counts, starting with the cohort's size"
        )
    with np.errstate(all="ignore"):
        result = optimize.minimize(
            lambda p: -_sbg_log_likelihood(p, s),
            x0=np.zeros(2),
            method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000},
        )
    alpha, beta = np.exp(result.x)
    if not result.success or not np.isfinite(result.fun) or not (np.isfinite(alpha) and np.isfinite(beta)):
        raise StandardModelError(f"the likelihood's maximisation did not converge ({result.message})")
    return ShiftedBetaGeometric(float(alpha), float(beta))
