"""The benchmark's measurement functions run and fill the table's columns
(a tiny smoke check, not a timing test)."""

from benchmarks.engine import COLUMNS, measure, to_csv, to_markdown, _targets


def test_measure_produces_table_columns():
    engine = measure("engine", 500, repeats=1, steps=1, warmup=1, wom=True)
    reference = measure("reference", 500, repeats=1, steps=1, warmup=0)
    for row in (engine, reference):
        assert set(COLUMNS) <= set(row)
        assert row["customer_steps_per_s"] > 0 and row["s_per_step"] > 0
    assert engine["wom_product_s"] is not None and engine["wom_product_s"] >= 0
    rows = [engine, reference]
    md = to_markdown(rows, {"targets": _targets(rows)})
    assert all(c in md for c in COLUMNS)
    assert to_csv(rows).splitlines()[0] == ",".join(COLUMNS)


def test_the_experiment_benchmark_times_a_replication_both_ways_and_reports_the_target():
    from benchmarks.engine import experiment_markdown, time_replication
    from experiments.running.config import ExperimentConfig
    from experiments.running.scenarios import build_scenarios
    from sim.config import market_config

    market = market_config(None, n_customers=300, burn_in=5, steps=4)
    scenarios = build_scenarios(market, ExperimentConfig().scenarios[:2])
    shared = time_replication(scenarios, True, 1)
    fresh = time_replication(scenarios, False, 1)
    assert shared > 0 and fresh > 0
    md = "\n".join(
        experiment_markdown(
            {
                "what": "tiny",
                "scenarios": 2,
                "wall_s": 61.0,
                "walls": [61.0],
                "replication_shared_s": shared,
                "replication_fresh_s": fresh,
                "repeats": 1,
                "quick": False,
            }
        )
    )
    assert "61.0 s (target <= 60 s: NOT met)" in md and "gain of the shared burn-in" in md


def test_small_markets_are_timed_in_turns_one_row_per_size_in_order():
    from benchmarks.engine import measure_in_turns

    rows = measure_in_turns("engine", [300, 600], repeats=2, steps=lambda n: 900 // n, warmup=1)
    assert [r["n_customers"] for r in rows] == [300, 600]
    assert [r["steps_timed"] for r in rows] == [3, 1]
    assert all(r["repeats"] == 2 and r["s_per_step"] > 0 and set(COLUMNS) <= set(r) for r in rows)


def test_the_report_states_the_machine_speed_against_the_machine_the_targets_were_set_on():
    from benchmarks.engine import TARGET_MACHINE_REFERENCE_10K_S, machine_speed

    reference = {
        "model": "reference",
        "n_customers": 10_000,
        "reorder": "rcm",
        "s_per_step": 2 * TARGET_MACHINE_REFERENCE_10K_S,
    }
    assert machine_speed([reference])["relative"] == 0.5
    assert machine_speed([{**reference, "n_customers": 100_000}]) is None
    md = to_markdown([{**reference, **{c: reference.get(c) for c in COLUMNS}}], {})
    assert "this machine ran at 0.50x that machine's speed" in md
