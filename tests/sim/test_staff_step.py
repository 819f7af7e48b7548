"""The engine's staff step (:func:`sim.staffing.staff_step`, compiled passes
around numpy's ``logaddexp``, ``exp`` and ``expm1``) does what the per-agent
reference's path does (:func:`sim.staffing.utilisation`,
:func:`sim.staffing.engagement_target`, :func:`sim.staffing.update_staff`):
the same full-time equivalents, utilisation, leavers and staff columns, to
the bit, so that the two written forms of the rule cannot drift apart."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model import LoyaltyModel
from sim.staffing import capacity, engagement_target, staff_step, update_staff, utilisation

COLUMNS = ("engagement", "tenure", "skill", "employed", "service_level", "service_spread", "trait", "fte")


def _both(model: LoyaltyModel, visits: np.ndarray, conditions: dict[str, np.ndarray], u_leave: np.ndarray):
    cfg, unit, F = model.config.staff, model.step_length, model.n_firms
    engine, reference = copy.deepcopy(model.staff), copy.deepcopy(model.staff)
    fte, workload, leavers = staff_step(
        engine,
        visits,
        conditions["wage"],
        conditions["training"],
        conditions["empowerment"],
        conditions["recognition"],
        u_leave,
        cfg,
        unit,
        conditions["morale"],
        conditions["turnover"],
    )
    ref_fte = reference.full_time_equivalents(F)
    ref_workload = utilisation(visits, capacity(reference, F, cfg), cfg, unit)
    target = engagement_target(
        conditions["wage"],
        conditions["training"],
        conditions["empowerment"],
        conditions["recognition"],
        ref_workload,
        cfg,
        conditions["morale"],
    )
    ref_leavers = update_staff(reference, target, ref_workload, u_leave, cfg, unit, conditions["turnover"])
    return (fte, workload, leavers, engine), (ref_fte, ref_workload, ref_leavers, reference)


@pytest.mark.slow
@pytest.mark.parametrize("steps_per_year", [52, 12])
def test_the_engines_staff_step_is_the_reference_rule_to_the_bit(steps_per_year):
    model = LoyaltyModel(market={"n_customers": 3000, "steps_per_year": steps_per_year}, seed=3)
    rng = np.random.default_rng(11)
    F = model.n_firms
    for trial in range(12):
        # visits from idle to far past capacity, conditions from none to generous
        served = capacity(model.staff, F, model.config.staff) * model.step_length.per_step(
            model.config.staff.visits_per_fte_per_year
        )
        visits = served * rng.uniform(0.0, 2.5, F)
        conditions = {
            "wage": rng.uniform(0.6, 1.4, F) * model.config.staff.market_wage_per_year,
            "training": rng.uniform(0, 1, F),
            "empowerment": rng.uniform(0, 1, F),
            "recognition": rng.uniform(0, 1, F),
            "morale": rng.uniform(-0.3, 0.0, F),
            "turnover": model.config.staff.turnover_per_year * rng.uniform(0.0, 10.0, F),
        }
        # some steps with many leavers
        u_leave = rng.random(model.staff.m, dtype=np.float32) ** (3 if trial % 2 else 1)
        (fte, workload, leavers, engine), (ref_fte, ref_workload, ref_leavers, reference) = _both(
            model, visits, conditions, u_leave
        )
        np.testing.assert_array_equal(fte, ref_fte)
        np.testing.assert_array_equal(workload, ref_workload)
        np.testing.assert_array_equal(leavers, ref_leavers)
        for name in COLUMNS:
            np.testing.assert_array_equal(getattr(engine, name), getattr(reference, name), err_msg=name)
        model.staff = engine  # the next trial starts where this one ended


def test_morale_moves_the_engagement_target_one_for_one():
    model = LoyaltyModel(market={"n_customers": 1000}, seed=0)
    F, cfg = model.n_firms, model.config.staff
    levers = [np.full(F, cfg.market_wage_per_year), np.zeros(F), np.zeros(F), np.zeros(F)]
    load = np.full(F, 0.8)
    calm = engagement_target(*levers, load, cfg)
    shaken = engagement_target(*levers, load, cfg, np.array([-0.09] + [0.0] * (F - 1)))
    np.testing.assert_allclose(calm - shaken, [0.09] + [0.0] * (F - 1), atol=1e-12)
