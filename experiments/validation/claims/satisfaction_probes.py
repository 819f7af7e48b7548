"""Probes of what satisfaction is worth: a survey followed by what the
surveyed customers did, and a shift of the service a firm delivers.

Each is a :data:`experiments.validation.claims.experiments.Probe`: (market, seed) ->
named numbers of one replication.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from experiments.validation.claims.probes import _single_threaded
from experiments.running.kpis import run_kpis
from sim.config import MarketConfig
from sim.phases.staff import staff_phase
from agents.states import is_customer
from sim.survey import five_point, scales

#: the five answers of the satisfaction question
ANSWERS = (1, 2, 3, 4, 5)


def five_point_answers(satisfaction: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """The five-point satisfaction answer (1-5) of each latent, by the step
    table survey's own rule (:func:`sim.survey.five_point`, over arrays)."""
    return five_point.py_func(np.asarray(satisfaction), cuts)


def survey_then_follow_probe(
    market: MarketConfig, seed: int, follow_weeks: tuple[int, ...] = (52, 78), firm: int = 0
) -> dict:
    """Survey ``firm``'s current customers once, after the burn-in (their
    five-point satisfaction answer: :class:`sim.config.SurveyConfig`), and
    follow each relationship. It *defects* when it ends while the customer
    stays in the category (counted even if the firm wins them back later:
    they defected); a customer who leaves the category *exits* instead.
    Returns, for each answer ``k`` and each of ``follow_weeks``, the share of
    the relationships answering ``k`` that defected within that many weeks
    (``defected_<weeks>w_<k>``; NaN when nobody gave the answer) and the
    share whose customer exited first (``exited_<weeks>w_<k>``), the share of
    each answer (``share_<k>``), and the share of the relationships that
    defected within the first follow-up that had answered 4 or 5
    (``satisfied_among_defectors_<weeks>w``): Jones & Sasser (1995) and
    Reichheld (1993) read defection against such a survey."""
    from sim.model import LoyaltyModel

    model = LoyaltyModel(market=_single_threaded(market), seed=seed)
    cust = model.customers
    steps_per_week = model.config.steps_per_year / 52.0
    horizon = [max(int(round(w * steps_per_week)), 1) for w in follow_weeks]
    if max(horizon) > model.config.steps:
        raise ValueError(f"follow-up of {max(follow_weeks)} weeks is longer than the run ({model.config.steps} steps)")
    surveyed = is_customer(cust.state[:, firm])
    answer = five_point_answers(cust.satisfaction[:, firm], scales(model.config.survey)[0])
    generation = cust.generation.copy()
    defected = np.zeros(cust.n, dtype=bool)
    exited = np.zeros(cust.n, dtype=bool)
    seen = {}
    for t in range(1, max(horizon) + 1):
        model.step()
        exited |= surveyed & ~defected & (cust.generation != generation)
        defected |= surveyed & ~exited & ~is_customer(cust.state[:, firm])
        if t in horizon:
            seen[follow_weeks[horizon.index(t)]] = (defected.copy(), exited.copy())
    out: dict[str, float] = {}
    for k in ANSWERS:
        said = surveyed & (answer == k)
        out[f"share_{k}"] = float(said.sum() / max(surveyed.sum(), 1))
        for weeks, (gone, left) in seen.items():
            out[f"defected_{weeks}w_{k}"] = float(gone[said].mean()) if said.any() else float("nan")
            out[f"exited_{weeks}w_{k}"] = float(left[said].mean()) if said.any() else float("nan")
    first = seen[follow_weeks[0]][0]
    out[f"satisfied_among_defectors_{follow_weeks[0]}w"] = (
        float((answer[first] >= 4).mean()) if first.any() else float("nan")
    )
    return out


def service_sd(staff: Any, firm: int) -> float:
    """The standard deviation of the service a customer of ``firm`` meets
    on a visit: the spread of its employees' levels and each one's
    day-to-day spread (a visit meets one employee at random)."""
    mine = (staff.firm == firm) & staff.employed
    level = staff.service_level[mine].astype(np.float64)
    spread = staff.service_spread[mine].astype(np.float64)
    return float(np.sqrt(level.var() + (spread**2).mean()))


def service_shift_probe(
    market: MarketConfig, seed: int, firm: int = 0, shifts: tuple[float, ...] = (-1.0, 1.0)
) -> dict:
    """What one standard deviation of service is worth. After the burn-in
    the market is copied; in each copy ``firm``'s employees deliver their
    service shifted by ``shift`` standard deviations (:func:`service_sd`,
    measured at the copy; clipped to 0-1) for the whole run; the baseline
    copy is unshifted (common random numbers). Returns the standard
    deviation (``service_sd``), the unshifted copy's annual true retention and
    NPV (``retention_base``, ``npv_base``: the levels the changes are
    relative to) and, for each shift, the change against the
    baseline of the firm's annual true retention (``retention_<shift>``,
    points), its NPV (``npv_<shift>``) and NPV relative to the baseline's
    (``npv_change_<shift>``), and its mean cumulative satisfaction
    (``satisfaction_<shift>``, zone units); shifts are named ``minus1``,
    ``plus1``."""
    from sim.model import LoyaltyModel

    base = LoyaltyModel(market=_single_threaded(market), seed=seed)
    sd = service_sd(base.staff, firm)
    kpis = {}
    for shift in (0.0, *shifts):
        model = copy.deepcopy(base)
        if shift:
            model.phases[model.phases.index(staff_phase)] = _shifted_staff(firm, np.float32(shift * sd))
        table = model.run()
        kpis[shift] = run_kpis(table, model.config.steps_per_year).iloc[firm]
    out = {"service_sd": sd, "retention_base": float(kpis[0.0]["retention_rate"]), "npv_base": float(kpis[0.0]["npv"])}
    for shift in shifts:
        name = f"{'plus' if shift > 0 else 'minus'}{abs(shift):g}"
        now, before = kpis[shift], kpis[0.0]
        out[f"retention_{name}"] = float(now["retention_rate"] - before["retention_rate"])
        out[f"npv_{name}"] = float(now["npv"] - before["npv"])
        out[f"npv_change_{name}"] = float(now["npv"] / abs(before["npv"]) - np.sign(before["npv"]))
        out[f"satisfaction_{name}"] = float(now["mean_satisfaction"] - before["mean_satisfaction"])
    return out


def _shifted_staff(firm: int, by: np.float32):
    """The staff phase, after which ``firm``'s employees' service levels are
    moved by ``by`` (clipped to 0-1)."""

    def phase(market: Any, step: Any) -> None:
        staff_phase(market, step)
        staff = market.staff
        mine = staff.firm == firm
        staff.service_level[mine] = np.clip(staff.service_level[mine] + by, 0.0, 1.0)

    phase.__wrapped__ = staff_phase
    return phase
