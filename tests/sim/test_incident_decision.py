"""A problem is an incident with a stay-or-leave decision (sim/recovery.py).

TARP (1986, 'Consumer complaint handling in America: an update study'; Hart,
Heskett & Sasser 1990, 'The profitable art of service recovery'): repurchase
after a complaint 95% / 82% (minor / major problem) when resolved quickly,
70% / 54% slowly, 46% / 19% not at all, and 37% / 9% among those who did not
complain. Every problem, complained about or not, ends in a decision: a
logistic in the severity, silence and the handling; leaving ends the
relationship by the hazard's code path. How close the engine comes to the
eight figures is the claims complaints.tarp_levels and
complaints.silent_levels (docs/validation.md).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from sim.config import ComplaintConfig
from sim.model import LoyaltyModel
from sim.phases.lapse_churn import defections
from sim.recovery import decision_coefficients, is_problem, leaving_chance, major_problem
from agents.states import LoyaltyState as S, is_customer

HANDLINGS = {
    "quick": (True, True, True),
    "slow": (True, True, False),
    "unresolved": (True, False, False),
    "silent": (False, False, False),
}
#: a relationship hazard of mean 2e-6 a year and nobody leaving the category:
#: relationships end by the complainants' decisions alone
_NO_HAZARD = dict(churn_proneness_a=0.02, churn_proneness_b=1e4, exit_per_year_mean=0.0, dropout_mean=0.0)


def _chance(major: bool, how: str, cfg: ComplaintConfig | None = None) -> float:
    complained, resolved, quick = HANDLINGS[how]
    return float(leaving_chance(major, complained, resolved, quick, decision_coefficients(cfg or ComplaintConfig())))


def _problems(model: LoyaltyModel, steps: int) -> dict[str, np.ndarray]:
    """Every problem of ``steps`` steps, with whether it was complained
    about and how it was handled, its severity, the decision, and whether
    the relationship was current after the step."""
    kept = {k: [] for k in ("complained", "resolved", "quick", "major", "leaves", "current")}
    F = model.n_firms
    for _ in range(steps):
        model.step()
        p = model.last_step.purchases
        k = p.problem
        for name in ("complained", "resolved", "quick", "major", "leaves"):
            kept[name].append(getattr(p, name)[k])
        current = is_customer(model.customers.state).reshape(-1)
        kept["current"].append(current[(p.buyers * F + p.firm)[k]])
    return {name: np.concatenate(parts) for name, parts in kept.items()}


def test_a_complainant_whose_major_problem_is_not_resolved_usually_leaves():
    assert _chance(True, "unresolved") > 0.5
    assert _chance(False, "quick") < 0.08  # 6.7% as calibrated (TARP: 95% repurchase, 5% lost)


@pytest.mark.parametrize("major", [False, True])
def test_quick_recovery_keeps_more_complainants_than_slow_and_slow_more_than_none(major):
    assert _chance(major, "quick") < _chance(major, "slow") < _chance(major, "unresolved")


@pytest.mark.parametrize("major", [False, True])
def test_a_customer_who_stays_silent_about_a_problem_is_likeliest_to_leave(major):
    assert _chance(major, "silent") > _chance(major, "unresolved") > _chance(major, "quick")


def test_a_problem_is_far_rarer_than_a_disappointment():
    assert is_problem(-10.0, 10.0) and not is_problem(-9.9, 10.0)
    cfg = ComplaintConfig()
    assert cfg.major_disappointment > cfg.problem_disappointment > 1.0


@pytest.mark.parametrize("how", list(HANDLINGS))
def test_a_major_problem_drives_more_complainants_away_than_a_minor_one_however_it_is_handled(how):
    assert _chance(True, how) > _chance(False, how)


def test_the_decision_is_five_configured_log_odds_not_eight_copied_figures():
    cfg = ComplaintConfig(
        leave_log_odds=0.0,
        major_leave_log_odds=1.0,
        resolved_stay_log_odds=2.0,
        quick_stay_log_odds=0.5,
        silent_leave_log_odds=0.7,
    )
    assert _chance(False, "unresolved", cfg) == pytest.approx(0.5)
    assert _chance(True, "slow", cfg) == pytest.approx(1 / (1 + np.exp(1.0)))
    assert _chance(False, "quick", cfg) == pytest.approx(1 / (1 + np.exp(2.5)))
    assert _chance(True, "silent", cfg) == pytest.approx(1 / (1 + np.exp(-1.7)))


def test_a_failed_visit_or_a_deep_disappointment_makes_the_problem_major():
    assert major_problem(True, 0.5, 2.0)
    assert major_problem(False, -2.0, 2.0)
    assert not major_problem(False, -1.9, 2.0)


#: problems made common enough to count in a short run of a small market
_COMMON_PROBLEMS = {"problem_disappointment": 3.0, "major_disappointment": 6.0}


def test_a_customer_who_decides_to_leave_after_a_problem_ends_the_relationship_as_the_hazard_would():
    model = LoyaltyModel(
        seed=3,
        n_customers=3000,
        burn_in=30,
        steps=20,
        customers={**_NO_HAZARD, "voice_mean": 0.5},
        complaints=_COMMON_PROBLEMS,
    )
    lost = leaves = 0
    for _ in range(20):
        model.step()
        p, cust = model.last_step.purchases, model.customers
        gone = p.leaves
        assert (cust.state[p.buyers[gone], p.firm[gone]] == S.CHURNED).all()
        assert not cust.reconsidered[p.buyers[gone], p.firm[gone]].any()
        assert (cust.purchases[p.buyers[gone], p.firm[gone]] == 0).all()
        stayed = p.problem & ~p.leaves
        assert is_customer(cust.state[p.buyers[stayed], p.firm[stayed]]).all()
        lost += model.last_step.events.lost.sum()
        leaves += gone.sum()
    assert leaves > 50
    assert lost == leaves  # each decision counted once as a lost relationship, nothing else ends


def test_customers_with_a_problem_leave_in_the_order_of_severity_silence_and_handling_in_a_running_market():
    seen = _problems(
        LoyaltyModel(
            seed=1, n_customers=4000, burn_in=52, steps=40, customers={"voice_mean": 0.4}, complaints=_COMMON_PROBLEMS
        ),
        40,
    )
    share = {}
    for major in (False, True):
        for how, (complained, resolved, quick) in HANDLINGS.items():
            k = (
                (seen["major"] == major)
                & (seen["complained"] == complained)
                & (seen["resolved"] == resolved)
                & (seen["quick"] == quick)
            )
            assert k.sum() > 60
            share[major, how] = seen["leaves"][k].mean()
            assert share[major, how] == pytest.approx(_chance(major, how), abs=0.1)
    assert not seen["current"][seen["leaves"]].any()
    for major in (False, True):
        assert share[major, "quick"] < share[major, "slow"] < share[major, "unresolved"] < share[major, "silent"]


def test_a_complaint_about_a_disappointment_that_is_not_a_problem_makes_no_decision():
    model = LoyaltyModel(seed=4, n_customers=2000, burn_in=10, steps=10, customers={"voice_mean": 0.4})
    minor_complaints = 0
    for _ in range(10):
        model.step()
        p = model.last_step.purchases
        assert not (p.leaves & ~p.problem).any()
        assert not (p.major & ~p.problem).any()
        minor_complaints += (p.complained & ~p.problem).sum()
    assert minor_complaints > 100


def test_complaint_handling_lowers_churn_by_hearing_problems_that_would_have_stayed_silent():
    """Problems (on the same seed) lose fewer customers when more of them
    are complained about, and so handled: silence is the worst handling."""
    left = {}
    for voice in (0.1, 0.6):
        seen = _problems(
            LoyaltyModel(
                seed=5,
                n_customers=4000,
                burn_in=20,
                steps=30,
                customers={"voice_mean": voice},
                complaints=_COMMON_PROBLEMS,
            ),
            30,
        )
        assert len(seen["leaves"]) > 1000
        left[voice] = seen["leaves"].mean()
        assert seen["complained"].mean() > (0.3 if voice > 0.5 else 0.0)
    assert left[0.6] < left[0.1] - 0.05


def test_monthly_visit_rounds_make_the_decision_every_round():
    """A month's visits are made in rounds: each round's customers who
    leave after a problem are churned by that round's defections (a later round of the
    month may win one back, so the check is made round by round)."""
    model = LoyaltyModel(
        seed=2,
        n_customers=2000,
        burn_in=6,
        steps=6,
        steps_per_year=12,
        customers={"voice_mean": 0.4},
        complaints=_COMMON_PROBLEMS,
    )
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


def test_nobody_leaves_after_a_problem_when_the_decision_is_switched_off():
    seen = _problems(
        LoyaltyModel(
            seed=2,
            n_customers=2000,
            burn_in=10,
            steps=10,
            customers={"voice_mean": 0.4},
            complaints={
                **_COMMON_PROBLEMS,
                "leave_log_odds": -20.0,
                "major_leave_log_odds": 0.0,
                "silent_leave_log_odds": 0.0,
            },
        ),
        10,
    )
    assert len(seen["leaves"]) > 100 and not seen["leaves"].any()
