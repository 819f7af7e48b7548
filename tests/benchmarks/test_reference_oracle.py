"""The engine against its per-agent reference (benchmarks/reference.py).

The oracle test runs both models on the same seeds and checks, firm by firm,
that the mean market share, the annual churn and the final share of
relationships in each loyalty state agree within two standard errors of the
difference over the seeds. The seeds run in two worker processes.

Its power: the standard errors of the difference, over 10 seeds with 2,000
customers and 26 weeks, were 0.5-0.9 percentage points of mean market share,
1.0-1.9 points of annual churn and 0.03-0.6 points of a loyalty state's share;
over the 6 seeds run now they are sqrt(10/6) = 1.3 times as wide, so a rule of
the engine that moves a firm's mean share by more than about 2.5 points, its
churn by more than about 5 or a state's share by more than about 1.5 (0.1 for
the rare states) fails the test. Six seeds, not ten, keep the whole suite
within its time (the reference runs about 0.4 s a step here, for 30 steps a
seed); 26 weeks, not 52, halve the run time again and give the same standard
errors for the shares (only annual churn, measured over half a year, is less
sharp). The two models draw the same random numbers, and on the machines
measured they agree to 1e-8 on every seed: the test's own check, that they
agree exactly on a short run, is test_reference_writes_the_engines_step_table;
this one bounds what a difference of rules could do to a long run.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from benchmarks.reference import ReferenceLoyaltyModel
from sim.ledger import BASE_COSTS
from agents.states import STATE_NAMES, is_customer

N_CUSTOMERS = 2000
STEPS = 26
SEEDS = range(6)
BURN_IN = 4  # identical for both models; short, as the horizon, for the reference's run time
FLOOR = 0.005  # absolute tolerance, used only where both SEs are ~0


def _outcomes(kind: str, seed: int) -> dict[str, np.ndarray]:
    """Per-firm outcomes of one run: mean share, annual churn, final state shares."""
    if kind == "engine":
        from sim.model import LoyaltyModel as cls
    else:
        cls = ReferenceLoyaltyModel
    model = cls(seed=seed, n_customers=N_CUSTOMERS, burn_in=BURN_IN, steps=STEPS)
    table = model.run()
    g = table.groupby("firm_index", sort=True)
    years = STEPS / model.config.steps_per_year
    out = {
        "market_share": g["market_share"].mean().to_numpy(),
        "annual_churn": (g["lost"].sum() / g["customers"].mean().clip(lower=1) / years).to_numpy(),
    }
    counts = model.state_counts()
    for s, name in enumerate(STATE_NAMES):
        out[f"share_{name}"] = counts[:, s] / N_CUSTOMERS
    return out


def _run_all() -> dict[str, list[dict]]:
    jobs = [(kind, seed) for seed in SEEDS for kind in ("reference", "engine")]
    workers = min(2, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_outcomes, *zip(*jobs)))
    out: dict[str, list[dict]] = {"engine": [], "reference": []}
    for (kind, _), res in zip(jobs, results):
        out[kind].append(res)
    return out


@pytest.mark.slow
def test_engine_agrees_with_per_agent_reference():
    runs = _run_all()
    failures = []
    for key in runs["engine"][0]:
        e = np.array([r[key] for r in runs["engine"]])  # [seeds, firms]
        r = np.array([r[key] for r in runs["reference"]])
        n = len(e)
        se = np.sqrt(e.var(axis=0, ddof=1) / n + r.var(axis=0, ddof=1) / n)
        diff = np.abs(e.mean(axis=0) - r.mean(axis=0))
        tol = np.where(se < 1e-9, FLOOR, 2 * se)
        for f in np.flatnonzero(diff > tol):
            failures.append(
                f"{key} firm {f}: engine {e.mean(axis=0)[f]:.4f} vs reference "
                f"{r.mean(axis=0)[f]:.4f} (|diff| {diff[f]:.4f} > {tol[f]:.4f})"
            )
    assert not failures, "\n".join(failures)


def test_reference_conserves_states_and_books():
    model = ReferenceLoyaltyModel(seed=3, n_customers=300, burn_in=2, steps=6)
    table = model.run()
    counts = model.state_counts()
    assert (counts.sum(axis=1) == 300).all()
    for a in model.customers:  # one state per firm, a valid one
        assert len(a.state) == model.n_firms
        assert all(0 <= s < len(STATE_NAMES) for s in a.state)
    state_cols = [f"n_{name}" for name in STATE_NAMES]
    assert (table[state_cols].sum(axis=1) == 300).all()
    customers = sum(is_customer(np.array(a.state, dtype=np.int8)) for a in model.customers)
    assert list(customers) == table[table.step == table.step.max()].sort_values("firm_index")["customers"].tolist()
    assert np.allclose(table["profit"], table["revenue"] - table["costs"])
    cost_cols = list(BASE_COSTS)  # serving (visits x cost_per_visit) included
    assert np.allclose(table["costs"], table[cost_cols].sum(axis=1))
    assert model.steps == 6 and sorted(table.step.unique()) == list(range(1, 7))
    assert math.isfinite(table["market_share"].sum())


@pytest.mark.parametrize(
    "steps_per_year, cost_per_visit, turnover_factors", [(52, 0.0, (1.0, 1.0, 1.0)), (12, 0.5, (300.0, 0.5, 100.0))]
)
def test_reference_writes_the_engines_step_table(steps_per_year, cost_per_visit, turnover_factors):
    """Same columns in the same order (visits and headcount as floats, FTE
    staff metrics, the serving cost), and the same values on a short run:
    both draw the same random numbers, so counts agree exactly and money and
    means to float32 precision. Monthly steps make most purchases episodes
    of several visits; a cost per visit fills the serving column; firms
    whose staff leave at their own multiples of the market's turnover
    fill the leavers."""
    import dataclasses

    from sim.config import MarketConfig

    firms = [
        {**dataclasses.asdict(f), "cost_per_visit": cost_per_visit, "staff_turnover_factor": k}
        for f, k in zip(MarketConfig().firms, turnover_factors)
    ]
    engine, reference = _both(seed=1, n_customers=300, burn_in=2, steps=4, steps_per_year=steps_per_year, firms=firms)
    assert (reference["serving"] > 0).all() == (cost_per_visit > 0)
    if max(turnover_factors) > 1:
        assert engine["hiring"].sum() > 0


def test_reference_drops_out_for_good_and_tries_the_category_as_the_engine_does():
    """BG/NBD's switches (Fader, Hardie & Lee 2005): a permanent dropout, kept
    to repeat purchases, and a first purchase at a trial rate, from the
    market's opening; the same counts and values on a short run."""
    engine, _ = _both(
        seed=2,
        n_customers=400,
        burn_in=0,
        steps=10,
        customers={
            "dropout_mean": 0.3,
            "dropout_final": True,
            "dropout_after_first_purchase": False,
            "first_purchase_per_year": 8.0,
        },
        churn={"reconsideration_per_year": 5.0},
    )
    assert engine["lost"].sum() > 50 and engine["acquisitions"].sum() > 100


def test_reference_binds_subscribers_until_a_renewal_point_as_the_engine_does():
    """Contracts: one relationship at a time, paid without choosing until a
    renewal point (every 6 weeks here, so a short run holds several), where
    a subscriber who reviews the market chooses again, its switching cost
    waived, and one who does not renews by default; from the market's
    opening, the same counts and values on a short run."""
    import dataclasses

    from sim.config import MarketConfig

    firms = [{**dataclasses.asdict(f), "switching_cost": 0.35} for f in MarketConfig().firms]
    engine, _ = _both(
        seed=4,
        n_customers=400,
        burn_in=0,
        steps=20,
        firms=firms,
        customers={"renewal_review_mean": 0.5},
        churn={"exclusive_relationships": True, "contract_term_weeks": 6.0},
    )
    assert engine["lost"].sum() > 50


@pytest.mark.slow
def test_reference_limits_consideration_as_the_engine_does():
    """Limited consideration (Hauser & Wernerfelt 1990): a firm learned of
    enters the set slowly, stories let it in, a customer who considers no
    firm buys elsewhere; and with contracts a renewal review weighs up every
    firm known. The same counts and values on short runs with fast rates."""
    import dataclasses

    from sim.config import MarketConfig

    limited = dict(
        choice={"limited_consideration": True},
        churn={"reconsideration_per_year": 2.0, "advertising_reconsideration": 0.2},
        word_of_mouth={"reconsideration_per_story": 0.3},
    )
    engine, _ = _both(
        seed=5, n_customers=400, burn_in=6, steps=12, customers={"consideration_per_year": 3.0}, **limited
    )
    assert engine["lost"].sum() > 20 and engine["acquisitions"].sum() > 20
    firms = [{**dataclasses.asdict(f), "switching_cost": 0.35} for f in MarketConfig().firms]
    engine, _ = _both(
        seed=4,
        n_customers=400,
        burn_in=0,
        steps=20,
        firms=firms,
        customers={"renewal_review_mean": 0.5, "consideration_per_year": 3.0},
        choice={"limited_consideration": True},
        churn={"exclusive_relationships": True, "contract_term_weeks": 6.0, "reconsideration_per_year": 2.0},
    )
    assert engine["lost"].sum() > 50


def _both(**kw):
    """The engine's and the reference's step tables of one short run, checked
    to agree: the same columns in the same order, counts exactly, money and
    means to float32 precision."""
    from sim.model import LoyaltyModel

    engine = LoyaltyModel(**kw).run()
    reference = ReferenceLoyaltyModel(**kw).run()
    assert list(reference.columns) == list(engine.columns)
    assert (reference.dtypes == engine.dtypes).all(), reference.dtypes != engine.dtypes
    exact = [
        "customers",
        "lost",
        "exits",
        "acquisitions",
        "win_backs",
        "failures",
        "complaints",
        *(f"n_{name}" for name in STATE_NAMES),
    ]
    assert (reference[exact] == engine[exact]).all().all()
    # profit is revenue less costs, each compared here: near zero their float32 rounding is all it holds;
    # the NPV and cumulative profit sum profits, so they are compared to the precision of the money
    # that went through the books
    summed = ["npv", "cumulative_profit"]
    numeric = [c for c in engine.columns if c not in ("firm", "profit", *summed) and c not in exact]
    assert np.allclose(
        reference[numeric].to_numpy(float), engine[numeric].to_numpy(float), rtol=1e-4, atol=1e-6, equal_nan=True
    )
    turnover = engine.groupby("firm_index")["revenue"].cumsum() + engine.groupby("firm_index")["costs"].cumsum()
    for column in summed:
        assert (np.abs(reference[column] - engine[column]) <= 1e-4 * np.abs(engine[column]) + 1e-6 * turnover).all()
    for table in (engine, reference):
        assert np.allclose(table["profit"], table["revenue"] - table["costs"], rtol=1e-6, atol=1e-6)
    return engine, reference
