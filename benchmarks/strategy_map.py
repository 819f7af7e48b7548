"""Speed of the default strategy map (``loyalty-sim-map``) against its 10-minute target.

    python -m benchmarks.strategy_map                 # the default map, median of 3 runs
    python -m benchmarks.strategy_map --repeats 1
    python -m benchmarks.strategy_map --quick         # a 2 x 2 map of a small market (smoke run)

The default map (conf/map.yaml: the members' club over the share of
service-driven customers x the horizon, a 5 x 5 grid, 6 replications of a
2,000-customer market per point, two scenarios per replication) is timed end
to end as a user runs it, through the console script (start-up, points in
parallel processes, PRIM, report and figures), against the target of
:data:`TARGET_S`. The baseline in the same run is one point of the map alone:
its experiment (the strategy's scenario and the baseline on the same seeds)
in one process (:func:`experiments.analysis.evaluator.evaluate_points` with
one worker); the ratio map / point says how many points' worth of time the
map costs, against the grid's number of points run on the available cores.
Prints the table and writes ``<out>/strategy_map.md`` (to a temporary file,
then renamed). This is a script, never a timed unit test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

#: the default map's target wall time on two cores
TARGET_S = 600.0
QUICK = ["market.n_customers=300", "market.burn_in=10", "market.steps=20", "map.levels=2", "experiment.replications=2"]
ROOT = Path(__file__).resolve().parents[1]


def time_map(overrides: Sequence[str], repeats: int) -> list[float]:
    """Wall seconds of ``loyalty-sim-map`` with ``overrides``, once per repeat."""
    script = Path(sys.executable).with_name("loyalty-sim-map")
    walls = []
    for _ in range(repeats):
        folder = Path(tempfile.mkdtemp(prefix="bench_map_"))
        try:
            started = time.perf_counter()
            subprocess.run(
                [str(script), *overrides, "map.progress=false", f"hydra.run.dir={folder}"],
                check=True,
                stdout=subprocess.DEVNULL,
                cwd=ROOT,
            )
            walls.append(time.perf_counter() - started)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return walls


def time_point(overrides: Sequence[str], repeats: int) -> tuple[float, int]:
    """Median seconds of one point of the map (the configured market) in one
    process, and the map's number of points."""
    from experiments.analysis.evaluator import evaluate_points, point_app
    from experiments.analysis.strategy_map import compose_map, design, plan_of

    plan = plan_of(compose_map(list(overrides)))
    points = len(design(plan.conditions, plan.whole, plan.settings))
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        evaluate_points(
            point_app(plan.app), None, workers=1, kpis=["npv"], scenarios=[plan.scenario], baseline=plan.baseline
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times), points


def measure(quick: bool, repeats: int) -> dict[str, Any]:
    overrides = QUICK if quick else []
    walls = time_map(overrides, repeats)
    point, points = time_point(overrides, max(repeats, 3))
    return {
        "quick": quick,
        "repeats": repeats,
        "walls": walls,
        "wall_s": statistics.median(walls),
        "point_s": point,
        "points": points,
        "cores": os.cpu_count() or 1,
    }


def markdown(m: dict[str, Any]) -> str:
    status = ("met" if m["wall_s"] <= TARGET_S else "NOT met") if not m["quick"] else "(quick run: no target)"
    ratio = m["wall_s"] / m["point_s"]
    return "\n".join(
        [
            "# The default strategy map (`loyalty-sim-map`)",
            "",
            ("quick: a 2 x 2 map of 300 customers" if m["quick"] else "conf/map.yaml as shipped")
            + f"; median of {m['repeats']} run(s) through the console script, on {m['cores']} cores.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| map, end to end | {m['wall_s']:.1f} s (target <= {TARGET_S:.0f} s: {status}) |",
            f"| one point alone, 1 process (baseline) | {m['point_s']:.2f} s |",
            f"| map / one point | {ratio:.1f} (the grid has {m['points']} points, run on {m['cores']} cores) |",
            f"| runs | {', '.join(f'{w:.1f} s' for w in m['walls'])} |",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.strategy_map", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the map (median)")
    parser.add_argument("--quick", action="store_true", help="a 2 x 2 map of a small market")
    parser.add_argument("--out", default=str(Path(__file__).parent), help="folder of strategy_map.md")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        print(f"error: --repeats = {args.repeats}: must be at least 1", file=sys.stderr)
        return 2
    text = markdown(measure(args.quick, args.repeats))
    print(text)
    from experiments.running.outputs import write_text

    write_text(Path(args.out) / "strategy_map.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
