"""A complaint is an incident with a stay-or-leave decision (sim/recovery.py).

TARP (1986, 'Consumer complaint handling in America: an update study'; Hart,
Heskett & Sasser 1990, 'The profitable art of service recovery'): repurchase
after a complaint 95% / 82% (minor / major problem) when resolved quickly,
70% / 54% slowly, 46% / 19% not at all. The rule is a logistic in the
severity and the handling; leaving ends the relationship by the hazard's
code path. How close the engine comes to the six figures is the claim
complaints.tarp_levels (docs/validation.md).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from sim.config import ComplaintConfig
from sim.model import LoyaltyModel
from sim.phases.lapse_churn import defections
from sim.recovery import decision_coefficients, leaving_chance, major_problem
from sim.states import LoyaltyState as S, is_customer

HANDLINGS = {"quick": (True, True), "slow": (True, False), "unresolved": (False, False)}
#: a relationship hazard of mean 2e-6 a year and nobody leaving the category:
#: relationships end by the complainants' decisions alone
_NO_HAZARD = dict(churn_proneness_a=0.02, churn_proneness_b=1e4, exit_per_year_mean=0.0, dropout_mean=0.0)


def _chance(major: bool, how: str, cfg: ComplaintConfig | None = None) -> float:
    resolved, quick = HANDLINGS[how]
    return float(leaving_chance(major, resolved, quick, decision_coefficients(cfg or ComplaintConfig())))


def _complaints(model: LoyaltyModel, steps: int) -> dict[str, np.ndarray]:
    """Every complaint of ``steps`` steps, with how it was handled, its
    severity, the decision, and whether the relationship was current after
    the step (the row's customer still the same)."""
    kept = {k: [] for k in ("resolved", "quick", "major", "leaves", "current")}
    F = model.n_firms
    for _ in range(steps):
        model.step()
        p = model.last_step.purchases
        k = p.complained
        for name in ("resolved", "quick", "major", "leaves"):
            kept[name].append(getattr(p, name)[k])
        current = is_customer(model.customers.state).reshape(-1)
        kept["current"].append(current[(p.buyers * F + p.firm)[k]])
    return {name: np.concatenate(parts) for name, parts in kept.items()}


def test_a_complainant_whose_major_problem_is_not_resolved_usually_leaves():
    assert _chance(True, "unresolved") > 0.5
    assert _chance(False, "quick") < 0.05


@pytest.mark.parametrize("major", [False, True])
def test_quick_recovery_keeps_more_complainants_than_slow_and_slow_more_than_none(major):
    assert _chance(major, "quick") < _chance(major, "slow") < _chance(major, "unresolved")


@pytest.mark.parametrize("how", list(HANDLINGS))
def test_a_major_problem_drives_more_complainants_away_than_a_minor_one_however_it_is_handled(how):
    assert _chance(True, how) > _chance(False, how)


def test_the_decision_is_four_configured_log_odds_not_six_copied_figures():
    cfg = ComplaintConfig(leave_log_odds=0.0, major_leave_log_odds=1.0, resolved_stay_log_odds=2.0,
                          quick_stay_log_odds=0.5)
    assert _chance(False, "unresolved", cfg) == pytest.approx(0.5)
    assert _chance(True, "slow", cfg) == pytest.approx(1 / (1 + np.exp(1.0)))
    assert _chance(False, "quick", cfg) == pytest.approx(1 / (1 + np.exp(2.5)))


def test_a_failed_visit_or_a_deep_disappointment_makes_the_problem_major():
    assert major_problem(True, 0.5, 2.0)
    assert major_problem(False, -2.0, 2.0)
    assert not major_problem(False, -1.9, 2.0)


def test_a_complainant_who_decides_to_leave_ends_the_relationship_as_the_hazard_would():
    model = LoyaltyModel(seed=3, n_customers=3000, burn_in=30, steps=20, customers={**_NO_HAZARD, "voice_mean": 0.5})
    lost = leaves = 0
    for _ in range(20):
        model.step()
        p, cust = model.last_step.purchases, model.customers
        gone = p.leaves
        assert (cust.state[p.buyers[gone], p.firm[gone]] == S.CHURNED).all()
        assert not cust.reconsidered[p.buyers[gone], p.firm[gone]].any()
        assert (cust.purchases[p.buyers[gone], p.firm[gone]] == 0).all()
        stayed = p.complained & ~p.leaves
        assert is_customer(cust.state[p.buyers[stayed], p.firm[stayed]]).all()
        lost += model.last_step.events.lost.sum()
        leaves += gone.sum()
    assert leaves > 50
    assert lost == leaves           # each decision counted once as a lost relationship, nothing else ends


def test_complainants_leave_in_the_order_of_severity_and_handling_in_a_running_market():
    seen = _complaints(LoyaltyModel(seed=1, n_customers=4000, burn_in=52, steps=40,
                                    customers={"voice_mean": 0.4}), 40)
    share = {}
    for major in (False, True):
        for how, (resolved, quick) in HANDLINGS.items():
            k = (seen["major"] == major) & (seen["resolved"] == resolved) & (seen["quick"] == quick)
            assert k.sum() > 100
            share[major, how] = seen["leaves"][k].mean()
            assert share[major, how] == pytest.approx(_chance(major, how), abs=0.08)
    assert not seen["current"][seen["leaves"]].any()
    for major in (False, True):
        assert share[major, "quick"] < share[major, "slow"] < share[major, "unresolved"]


def test_monthly_visit_rounds_make_the_decision_every_round():
    """A month's visits are made in rounds: each round's complainants who
    leave are churned by that round's defections (a later round of the
    month may win one back, so the check is made round by round)."""
    model = LoyaltyModel(seed=2, n_customers=2000, burn_in=6, steps=6, steps_per_year=12,
                         customers={"voice_mean": 0.4})
    assert model.step_length.rounds > 1
    rounds = []

    @functools.wraps(defections)
    def checked(market, step) -> None:
        defections(market, step)
        p = step.purchases
        rounds.append((p.leaves.sum(), market.customers.state[p.buyers[p.leaves], p.firm[p.leaves]]))

    model.phases[model.phases.index(defections)] = checked
    model.run()
    assert len(rounds) == 6 * model.step_length.rounds
    assert sum(n for n, _ in rounds) > 20
    assert all((states == S.CHURNED).all() for _, states in rounds)


def test_no_complainant_leaves_when_the_decision_is_switched_off():
    seen = _complaints(LoyaltyModel(seed=2, n_customers=2000, burn_in=10, steps=10,
                                    customers={"voice_mean": 0.4}, complaints={"leave_log_odds": -20.0,
                                                                                 "major_leave_log_odds": 0.0}), 10)
    assert len(seen["leaves"]) > 100 and not seen["leaves"].any()
