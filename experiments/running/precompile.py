"""Compile the engine's rules ahead, once per machine (``make setup`` runs it).

The engine's per-customer rules are compiled by numba on first use and cached
on disk beside their sources (:mod:`agents.compiled`): about half a minute of
compiling on a fresh machine, paid by the first run of each kind of market,
and by every process that starts before the cache is written (the
replications' and the sweeps' worker processes, the test suite's workers). This
runs every named experiment's scenarios (conf/experiment/), and the default
experiment on every market preset (conf/market/), once, on a tiny market,
so that each rule is compiled for every kind of argument a run gives it, before
anything else needs it. The numbers it makes are thrown away.

    python -m experiments.running.precompile
"""

from __future__ import annotations

import sys
import time

from sim.config_loading import CONF_DIR

#: the tiny market every run here uses: enough customers that every firm is
#: chosen, each experiment's own horizon (a rival enters, a programme ends),
#: no burn-in to speak of, and two replications (the fewest an experiment takes)
TINY = (
    "market.n_customers=300",
    "market.burn_in=2",
    "experiment.replications=2",
    "experiment.workers=1",
    "experiment.progress=false",
    "experiment.figures=false",
)


def runs() -> list[tuple[str, ...]]:
    """The overrides of each run: every named experiment over its own horizon
    (the default one with every purchase recorded), and the default
    experiment for a few steps on every market preset."""
    experiments = sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml"))
    markets = sorted(p.stem for p in (CONF_DIR / "market").glob("*.yaml"))
    out = [
        (f"experiment={name}",) + (("experiment.record_transactions=true",) if name == "default" else ())
        for name in experiments
    ]
    out += [("experiment=default", f"market={name}", "market.steps=8") for name in markets]
    return out


def precompile(log=print) -> None:
    """Run :func:`runs` on the :data:`TINY` market, compiling (or loading
    from the cache) every rule they reach."""
    from experiments.running.app import compose_app
    from experiments.running.config import validate_experiment
    from experiments.running.runner import experiment_config, run_experiment

    start = time.perf_counter()
    for overrides in runs():
        container = compose_app([*overrides, *TINY])
        validate_experiment(container)
        run_experiment(*experiment_config(container), progress=False)
    log(f"engine rules compiled (or found in numba's cache) in {time.perf_counter() - start:.0f} s")


def main(argv: list[str] | None = None) -> int:
    if argv if argv is not None else sys.argv[1:]:
        print("usage: python -m experiments.running.precompile", file=sys.stderr)
        return 2
    precompile()
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["TINY", "precompile", "runs"]
