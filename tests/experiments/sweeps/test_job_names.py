"""A sweep's plan: its jobs' folder names and headings (experiments/sweeps/plan.py,
the ``job_dirname`` resolver of experiments/running/schema.py)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser

from experiments.running.schema import job_dirname
from experiments.sweeps.catalogue import open_catalogue
from experiments.sweeps.plan import (
    MAX_NAME_BYTES,
    dirname_of,
    given_values,
    job_heading,
    make_plan,
    planned_name,
    read_plan,
    short_keys,
    sweep_overrides,
    write_plan,
)

EXCLUDE = ["experiment.workers", "experiment.progress", "experiment.figures"]
#: the new user's sweep: two swept keys with long names, constants around them
ARGS = [
    "experiment=price_war",
    "market.n_customers=300",
    "market.firms.0.price=0.95,1.050",
    "experiment.scenarios.1.strategies.Focal.0.depth=0.05,0.1",
    "experiment.progress=false",
]


def plan_of(args, sweep_dir=None, exclude=EXCLUDE):
    jobs = sweep_overrides(args)
    return make_plan(jobs, exclude, given_values(args, OverridesParser.create()), sweep_dir)


def test_keys_are_shortened_to_their_last_parts_as_few_as_keep_them_apart():
    assert short_keys(["market.firms.0.price", "experiment.scenarios.1.strategies.Focal.0.depth"]) == {
        "market.firms.0.price": "price",
        "experiment.scenarios.1.strategies.Focal.0.depth": "depth",
    }
    assert short_keys(["market.firms.0.price", "market.firms.1.price", "experiment.seed"]) == {
        "market.firms.0.price": "0.price",
        "market.firms.1.price": "1.price",
        "experiment.seed": "seed",
    }
    # a key that is the end of another keeps its whole name; the other grows until they differ
    assert short_keys(["price", "x.price", "a.x.price"]) == {
        "price": "price",
        "x.price": "x.price",
        "a.x.price": "a.x.price",
    }
    assert short_keys(["a.b.c", "d.b.c", "e.c"]) == {"a.b.c": "a.b.c", "d.b.c": "d.b.c", "e.c": "e.c"}


def test_a_job_folder_keeps_every_swept_value_as_given_and_no_constant():
    plan = plan_of(ARGS)
    assert plan.swept == ["experiment.scenarios.1.strategies.Focal.0.depth", "market.firms.0.price"]
    assert [j.name for j in plan.jobs] == [
        "depth=0.05,price=0.95",
        "depth=0.1,price=0.95",
        "depth=0.05,price=1.050",  # as typed: Hydra passes the job 1.05
        "depth=0.1,price=1.050",
    ]
    assert plan.jobs[2].overrides[2] == "market.firms.0.price=1.05"
    assert (
        plan.heading(2) == "job 3/4: experiment.scenarios.1.strategies.Focal.0.depth=0.05, market.firms.0.price=1.050"
    )


def test_only_sweeps_written_as_lists_keep_their_text_and_excluded_keys_name_nothing():
    given = given_values(
        ["a=0.050,1e-2", "b=range(1,3)", "c=choice(1)", "d=x", "l=[1,2],[3]"], OverridesParser.create()
    )
    assert given == {"a": {"0.05": "0.050", "0.01": "1e-2"}, "l": {"[1,2]": "[1,2]", "[3]": "[3]"}}
    plan = plan_of(["experiment.seed=0,10", "experiment.workers=1,2", "market.n_customers=300"])
    names = [j.name for j in plan.jobs]
    assert plan.swept == ["experiment.seed"] and names == ["seed=0", "seed=0", "seed=10", "seed=10"]


def test_without_a_plan_a_name_is_made_of_all_overrides_and_slashes_become_underscores():
    assert dirname_of(["experiment.seed=3", "market.n_customers=800"]) == "seed=3,n_customers=800"
    assert dirname_of(["market=subscription/x"]) == "market=subscription_x"
    assert dirname_of(["experiment.workers=2"], EXCLUDE) == "no_overrides"
    # the resolver, also from Hydra's override_dirname text (conf/map.yaml)
    assert job_dirname("experiment.seed=3,market.firms.0.price=0.95") == "seed=3,price=0.95"
    assert job_dirname(["experiment.seed=3", "experiment.progress=false"], None, EXCLUDE) == "seed=3"


def test_a_name_too_long_for_a_file_name_ends_with_a_hash_and_stays_unique():
    long_a = ["x=" + "a" * 300, "seed=1"]
    long_b = ["x=" + "a" * 300, "seed=2"]
    name_a, name_b = dirname_of(long_a), dirname_of(long_b)
    assert len(name_a.encode("utf-8")) == MAX_NAME_BYTES and name_a != name_b
    assert name_a == dirname_of(long_a) and name_a.startswith("seed=1,x=aaa")
    wide = dirname_of(["x=" + "é" * 200])  # two bytes each: cut between characters, not within one
    assert len(wide.encode("utf-8")) <= MAX_NAME_BYTES and "é" * 100 in wide
    short = dirname_of(["x=" + "a" * 200])
    assert short == "x=" + "a" * 200  # no hash when the name fits


def test_two_jobs_that_would_share_a_name_get_a_hash_each():
    plan = plan_of(["market=a/b,a_b"])
    first, second = (j.name for j in plan.jobs)
    assert first != second and first.startswith("market=a_b-") and second.startswith("market=a_b-")


def test_the_resolver_takes_the_name_from_the_plan_and_a_rerun_finds_it_again(tmp_path):
    plan = plan_of(ARGS, tmp_path)
    write_plan(tmp_path, plan)
    assert read_plan(tmp_path).as_dict() == plan.as_dict()
    job = plan.jobs[3]
    assert job_dirname(job.overrides, str(tmp_path), EXCLUDE) == "depth=0.1,price=1.050"
    assert planned_name(tmp_path, ["not=in_the_plan"]) is None
    assert job_dirname(["not=in_the_plan"], str(tmp_path), EXCLUDE) == "not=in_the_plan"
    # the job ran: its folder holds its overrides; the same sweep again names it the same
    (tmp_path / job.name / ".hydra").mkdir(parents=True)
    (tmp_path / job.name / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(job.overrides))
    assert plan_of(ARGS, tmp_path).jobs[3].name == job.name
    # the same sweep with another constant into the same folder: a hash, the earlier job kept
    other = plan_of([*ARGS[:1], "market.n_customers=500", *ARGS[2:]], tmp_path)
    assert other.jobs[3].name.startswith("depth=0.1,price=1.050-") and other.jobs[0].name == "depth=0.05,price=0.95"


def test_a_jobs_heading_names_its_swept_values_and_is_empty_outside_a_sweep(tmp_path, monkeypatch):
    from hydra.core.hydra_config import HydraConfig

    monkeypatch.setattr(HydraConfig.instance(), "cfg", None)  # no Hydra run in this process
    plan = plan_of(ARGS, tmp_path)
    write_plan(tmp_path, plan)
    assert job_heading(tmp_path / "depth=0.1,price=0.95") == (
        "job 2/4: experiment.scenarios.1.strategies.Focal.0.depth=0.1, market.firms.0.price=0.95\n"
    )
    assert job_heading(tmp_path / "elsewhere") == ""  # not a job of the plan, and Hydra runs no sweep
    assert job_heading(tmp_path / "run" / "outputs") == ""


def test_a_folder_named_like_a_hive_partition_is_not_read_as_one(tmp_path):
    """DuckDB reads ``seed=10/runs.parquet`` as a Hive partition by default,
    replacing the file's own ``seed`` column by 10: the catalogue must not."""
    from tests.experiments.sweeps.test_catalogue import make_job, synthetic_runs

    for number, seed in enumerate((0, 10)):
        make_job(tmp_path, f"seed={seed}", [f"experiment.seed={seed}"], number, runs=synthetic_runs(number, 5.0))
    con = open_catalogue(tmp_path)
    seeds = con.execute("SELECT job, list(DISTINCT seed ORDER BY seed) FROM runs GROUP BY job ORDER BY job").fetchall()
    con.close()
    expected = sorted(pd.unique(synthetic_runs(0, 5.0)["seed"]).tolist())
    assert seeds == [("seed=0", expected), ("seed=10", expected)]


@pytest.mark.parametrize("args", [["a=1,2", "b=x,y,z"], ["a=range(0,4)"]])
def test_the_plan_lists_the_jobs_hydras_basic_sweeper_makes(args):
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    (batch,) = BasicSweeper.split_arguments(OverridesParser.create().parse_overrides(args), None)
    assert plan_of(args).total == len(batch) and [j.overrides for j in plan_of(args).jobs] == batch
