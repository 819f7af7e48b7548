"""Bad input to the experiment, market, sensitivity, optimisation, validation
and report commands: each stops with one line naming key, value and what is
allowed, exit status 2, and writes nothing (see :mod:`tests.experiments.cli.bad_input.table`)."""

from __future__ import annotations

import pytest

from tests.experiments.cli.bad_input.table import Case, check_case

RUN = "hydra.run.dir={tmp}/run"
#: the user's own config folder (``{tmp}/conf/experiment/*.yaml``), searched after the project's
OWN_CONF = "hydra.searchpath=[file://{tmp}/conf]"
SMALL = ("market.n_customers=300", "market.burn_in=2", "market.steps=3")
OUT = "output_dir={tmp}/out"


def sim(id: str, *args: str, key: str, value: str = "", allowed: str = "", **kw) -> Case:
    return Case(id, "loyalty-sim", (*args, RUN, OWN_CONF), key, value, allowed, **kw)


def market(id: str, *args: str, key: str, value: str = "", allowed: str = "", **kw) -> Case:
    return Case(id, "loyalty-market", (*SMALL, OUT, *args, OWN_CONF), key, value, allowed, **kw)


def sensitivity(id: str, *args: str, key: str, value: str = "", allowed: str = "", **kw) -> Case:
    return Case(id, "loyalty-sim-sensitivity", (*args, RUN, OWN_CONF), key, value, allowed, **kw)


def strategy_map(id: str, *args: str, key: str, value: str = "", allowed: str = "", **kw) -> Case:
    return Case(id, "loyalty-sim-map", (*args, RUN, OWN_CONF), key, value, allowed, **kw)


def optimise(id: str, *args: str, key: str, value: str = "", allowed: str = "", **kw) -> Case:
    return Case(id, "loyalty-sim-optimise", (*args, "hydra.sweep.dir={tmp}/sweep", OWN_CONF), key, value, allowed, **kw)


def validate(id: str, *args: str, key: str, value: str = "", allowed: str = "") -> Case:
    return Case(id, "loyalty-sim-validate", (*args, "output={tmp}/validation.md"), key, value, allowed)


def invariance(id: str, *args: str, key: str, value: str = "", allowed: str = "") -> Case:
    """The invariance table of ``loyalty-sim-validate`` (``table=invariance``)."""
    args = ("table=invariance", *args, "invariance.output={tmp}/invariance.md")
    return Case(id, "loyalty-sim-validate", args, key, value, allowed)


def report(id: str, *args: str, key: str, value: str = "", allowed: str = "", **kw) -> Case:
    return Case(id, "loyalty-sim-report", args, key, value, allowed, **kw)


EXPERIMENT = "# @package _global_\nexperiment:\n"
GOOD_SCENARIOS = "  scenarios:\n    - {name: baseline}\n    - {name: war, strategies: {Focal: [price_war]}}\n"

CASES = [
    # --- loyalty-sim: the experiment
    sim(
        "replications_below_two", "experiment.replications=1", key="experiment.replications", value="1", allowed="[2, "
    ),
    sim(
        "replications_not_a_number",
        "experiment.replications=abc",
        key="experiment.replications",
        value="abc",
        allowed="whole number",
    ),
    sim(
        "confidence_above_one",
        "experiment.confidence=1.5",
        key="experiment.confidence",
        value="1.5",
        allowed="[0.5, 0.9999]",
    ),
    sim("negative_seed", "experiment.seed=-1", key="experiment.seed", value="-1", allowed="[0, "),
    sim("negative_workers", "experiment.workers=-1", key="experiment.workers", value="-1", allowed="[0, 1024]"),
    sim("no_kpis", "experiment.kpis=[]", key="experiment.kpis", value="[]", allowed="at least one indicator"),
    sim(
        "unknown_kpi",
        "experiment.kpis=[npv,nosuch]",
        key="experiment.kpis[1]",
        value="nosuch",
        allowed="must be one of",
    ),
    sim(
        "unknown_rank_by",
        "experiment.rank_by=nosuch",
        key="experiment.rank_by",
        value="nosuch",
        allowed="must be one of",
    ),
    sim(
        "no_scenarios",
        "experiment.scenarios=[]",
        key="experiment.scenarios",
        value="[]",
        allowed="at least one scenario",
    ),
    sim(
        "baseline_not_a_scenario",
        "experiment.baseline=nosuch",
        key="experiment.baseline",
        value="nosuch",
        allowed="must be one of the scenarios",
    ),
    sim(
        "focal_firm_not_in_market",
        "experiment.focal_firm=Nobody",
        key="experiment.focal_firm",
        value="Nobody",
        allowed="must be one of the market's firms",
    ),
    sim(
        "progress_not_a_boolean",
        "experiment.progress=maybe",
        key="experiment.progress",
        value="maybe",
        allowed="true or false",
    ),
    sim("unknown_experiment_key", "experiment.nosuch=1", key="experiment.nosuch", value="1", allowed="unknown key"),
    sim(
        "added_unknown_experiment_key",
        "+experiment.nosuch=1",
        key="experiment.nosuch",
        value="1",
        allowed="unknown key",
    ),
    sim("unknown_top_level_key", "colour=red", key="colour", value="red", allowed="unknown key"),
    sim("unknown_experiment", "experiment=nosuch", key="experiment", value="nosuch", allowed="available"),
    sim(
        "empty_experiment_file",
        "experiment=zz_bad_input_empty",
        key="experiment",
        value="zz_bad_input_empty",
        allowed="sets no keys",
        files={"conf/experiment/zz_bad_input_empty.yaml": ""},
    ),
    sim(
        "experiment_file_with_only_a_comment",
        "experiment=zz_bad_input_comment",
        key="experiment",
        allowed="sets no keys",
        files={"conf/experiment/zz_bad_input_comment.yaml": "# @package _global_\n"},
    ),
    sim(
        "malformed_experiment_file",
        "experiment=zz_bad_input_malformed",
        key="experiment",
        value="zz_bad_input_malformed",
        allowed="malformed YAML at line",
        files={"conf/experiment/zz_bad_input_malformed.yaml": EXPERIMENT + "  name: [oops\n"},
    ),
    sim(
        "experiment_file_holding_a_list",
        "experiment=zz_bad_input_list",
        key="experiment",
        allowed="mapping",
        files={"conf/experiment/zz_bad_input_list.yaml": "- 1\n- 2\n"},
    ),
    sim(
        "unknown_key_in_experiment_file",
        "experiment=zz_bad_input_unknown",
        key="experiment.nosuch",
        value="3",
        allowed="unknown key",
        files={"conf/experiment/zz_bad_input_unknown.yaml": EXPERIMENT + "  nosuch: 3\n"},
    ),
    sim(
        "duplicate_scenarios_in_experiment_file",
        "experiment=zz_bad_input_duplicate",
        key="experiment.scenarios[1].name",
        value="baseline",
        allowed="distinct",
        files={
            "conf/experiment/zz_bad_input_duplicate.yaml": EXPERIMENT
            + "  scenarios:\n    - {name: baseline}\n    - {name: baseline}\n"
        },
    ),
    sim(
        "bad_value_in_experiment_file",
        "experiment=zz_bad_input_value",
        key="experiment.replications",
        value="0",
        allowed="[2, ",
        files={"conf/experiment/zz_bad_input_value.yaml": EXPERIMENT + "  replications: 0\n" + GOOD_SCENARIOS},
    ),
    sim(
        "strategy_starting_after_the_horizon",
        "experiment.scenarios.1.strategies.Focal=[{name: price_war, start: 500}]",
        key="experiment.scenarios[1].strategies.Focal[0].start",
        value="500",
        allowed="after the horizon",
    ),
    sim(
        "rival_entering_after_the_horizon",
        "+experiment.scenarios.0.firms.Premium.entry_week=900",
        key="experiment.scenarios[0].firms.Premium.entry_week",
        value="900",
        allowed="after the horizon",
    ),
    sim(
        "firm_change_without_plus",
        "experiment.scenarios.0.firms.Premium.entry_week=9",
        key="experiment.scenarios[0].firms.Premium.entry_week",
        value="9",
        allowed="does not exist",
    ),
    sim(
        "scenario_strategy_for_unknown_firm",
        "experiment.scenarios.1.strategies={Nobody: [price_war]}",
        key="experiment.scenarios[1].strategies.Nobody",
        value="price_war",
        allowed="unknown key",
    ),
    sim(
        "added_scenario_strategy_for_unknown_firm",
        "+experiment.scenarios.1.strategies.Nobody=[price_war]",
        key="experiment.scenarios[1].strategies.Nobody",
        value="price_war",
        allowed="not a firm of the market",
    ),
    sim(
        "scenario_strategy_parameter_out_of_range",
        "experiment.scenarios.1.strategies.Focal=[{name: price_war, depth: 2}]",
        key="experiment.scenarios[1].strategies.Focal[0].depth",
        value="2",
        allowed="(0.0, 0.9]",
    ),
    sim(
        "scenario_unknown_strategy",
        "experiment.scenarios.1.strategies.Focal=[nosuch]",
        key="experiment.scenarios[1].strategies.Focal[0]",
        value="nosuch",
        allowed="unknown strategy",
    ),
    sim(
        "scenario_renames_a_firm",
        "+experiment.scenarios.0.firms.Focal.name=X",
        key="experiment.scenarios[0].firms.Focal",
        allowed="may not change the firm's name",
    ),
    sim("bad_override_syntax", "experiment.seed==", key="experiment.seed", value="=", allowed="override"),
    sim("unquoted_comma", "market.name=,", key="market.name", value=",", allowed="""quoted (e.g. 'market.name=","')"""),
    sim(
        "override_without_a_value",
        "experiment.seed",
        key="experiment.seed",
        value="(missing)",
        allowed="must be key=value",
    ),
    sim("no_experiment", "experiment=null", key="experiment", value="None", allowed="must name one of"),
    sim("no_market", "market=null", key="market", value="None", allowed="must name one of"),
    sim(
        "two_experiments_at_once",
        "experiment=[price_war,win_back]",
        key="experiment",
        value="price_war",
        allowed="sweep with -m",
    ),
    sim(
        "experiment_added_though_chosen",
        "+experiment=price_war",
        key="experiment",
        value="price_war",
        allowed="without '+'",
    ),
    sim(
        "key_twice_in_experiment_file",
        "experiment=zz_dup",
        key="experiment",
        value="zz_dup",
        allowed="'name' given twice",
        files={"conf/experiment/zz_dup.yaml": EXPERIMENT + "  name: x\n  name: y\n"},
    ),
    sim(
        "experiment_file_giving_a_number",
        "experiment=zz_five",
        key="experiment",
        value="5",
        allowed="mapping of experiment keys",
        files={"conf/experiment/zz_five.yaml": "# @package _global_\nexperiment: 5\n"},
    ),
    sim("kpi_listed_twice", "experiment.kpis=[npv,npv]", key="experiment.kpis[1]", value="npv", allowed="twice"),
    sim(
        "scenario_given_as_a_name",
        "experiment.scenarios=[baseline]",
        key="experiment.scenarios[0]",
        value="baseline",
        allowed="mapping of scenario keys",
    ),
    sim(
        "blank_scenario_name",
        "experiment.scenarios.0.name=",
        key="experiment.scenarios[0].name",
        value="''",
        allowed="not empty",
    ),
    sim("blank_firm_name", "market.firms.1.name=' '", key="market.firms[1].name", value="' '", allowed="not empty"),
    sim(
        "focal_firm_entering_after_the_horizon",
        "market.steps=3",
        "market.firms.0.entry_week=10",
        key="market.firms[0].entry_week",
        value="10",
        allowed="after the horizon",
    ),
    sim(
        "sweep_without_multirun",
        "market.firms.0.price=0.9,1.0",
        key="market.firms.0.price",
        value="0.9,1.0",
        allowed="-m sweeps",
    ),
    sim(
        "run_folder_in_a_file",
        "hydra.run.dir={tmp}/afile/run",
        key="hydra.run.dir",
        value="afile",
        allowed="is a file, not a folder",
        files={"afile": "x"},
    ),
    sim(
        "run_folder_where_nothing_can_be_written",
        "hydra.run.dir=/proc/nowhere",
        key="hydra.run.dir",
        value="/proc/nowhere",
        allowed="cannot write",
    ),
    sim("empty_run_folder", "hydra.run.dir=", key="hydra.run.dir", value="''", allowed="not empty"),
    Case(
        "sweep_folder_where_nothing_can_be_written",
        "loyalty-sim",
        ("-m", "experiment.seed=1,2", "hydra.sweep.dir=/proc/nowhere"),
        "hydra.sweep.dir",
        "/proc/nowhere",
        "cannot write",
    ),
    Case(
        "sweep_with_one_bad_value",
        "loyalty-sim",
        ("-m", "experiment.confidence=0.9,1.5", "hydra.sweep.dir={tmp}/s"),
        "experiment.confidence",
        "1.5",
        "[0.5, 0.9999]",
    ),
    Case(
        "sweep_of_an_unknown_key",
        "loyalty-sim",
        ("-m", "market.firms.0.bogus=1,2", "hydra.sweep.dir={tmp}/s"),
        "market.firms[0].bogus",
        "1",
        "unknown key",
    ),
    Case(
        "sweep_over_an_unknown_experiment",
        "loyalty-sim",
        ("-m", "experiment=price_war,nonexistent", "hydra.sweep.dir={tmp}/s"),
        "experiment",
        "nonexistent",
        "available",
    ),
    sim(
        "launcher_jobs_not_a_number",
        "hydra.launcher.n_jobs=abc",
        key="hydra.launcher.n_jobs",
        value="abc",
        allowed="could not be converted to Integer",
    ),
    sim("unknown_hydra_setting", "hydra.bogus=1", key="hydra.bogus", value="1", allowed="not a setting of Hydra"),
    sim(
        "unknown_launcher",
        "hydra/launcher=nonexistent",
        key="hydra/launcher",
        value="nonexistent",
        allowed="available: basic, joblib",
    ),
    sim(
        "preset_outside_its_folder",
        "market=../experiment/default",
        key="market",
        value="../experiment/default",
        allowed="must name one of",
    ),
    Case("config_of_a_sweep", "loyalty-sim", ("-m", "--cfg", "job", "experiment.seed=1,2"), "--cfg", "job", "drop -m"),
    # --- loyalty-sim: the market
    sim("no_customers", "market.n_customers=0", key="market.n_customers", value="0", allowed="[1, "),
    sim(
        "more_customers_than_memory_holds",
        "market.n_customers=100000000",
        key="market.n_customers",
        value="100000000",
        allowed="customers fit",
    ),
    sim("no_steps", "market.steps=0", key="market.steps", value="0", allowed="[1, "),
    sim("negative_price", "market.firms.0.price=-1", key="market.firms[0].price", value="-1", allowed="[1e-06, 100.0]"),
    sim(
        "unknown_strategy_of_a_market_firm",
        "market.firms.0.strategies=[nosuch]",
        key="market.firms[0].strategies[0]",
        value="nosuch",
        allowed="unknown strategy",
    ),
    sim(
        "market_strategy_starting_after_the_horizon",
        "market.steps=20",
        "market.firms.0.strategies=[{name: win_back, start: 21}]",
        key="market.firms[0].strategies[0].start",
        value="21",
        allowed="after the horizon",
    ),
    sim(
        "no_staff",
        "market.firms.0.staff_per_1k_customers=0",
        key="market.firms[0].staff_per_1k_customers",
        value="0",
        allowed="(0.0, 10000.0]",
    ),
    sim("unknown_market_preset", "market=bazaar", key="market", value="bazaar", allowed="unknown market preset"),
    sim(
        "segment_shares_not_adding_up",
        "market.customers.segments.0.share=0.9",
        key="market.customers.segments[*].share",
        allowed="add up to 1",
    ),
    sim(
        "novice_more_skilled_than_the_best",
        "market.staff.novice_skill=0.99",
        key="market.staff.novice_skill",
        value="0.99",
        allowed="must not exceed",
    ),
    sim(
        "survey_cut_points_not_rising",
        "market.survey.csat_neutral_from=0.9",
        key="market.survey.csat_neutral_from",
        value="0.9",
        allowed="must be below market.survey.csat_satisfied_from",
    ),
    sim(
        "survey_anchor_below_the_other",
        "market.survey.csat10_at_desired=5",
        key="market.survey.csat10_at_adequate",
        value="6.0",
        allowed="must be below market.survey.csat10_at_desired (5",
    ),
    market(
        "survey_cut_point_not_a_number",
        "market.survey.csat_neutral_from=high",
        key="market.survey.csat_neutral_from",
        value="high",
        allowed="number",
    ),
    sim(
        "discount_rate_above_one",
        "market.discount_rate=2",
        key="market.discount_rate",
        value="2",
        allowed="[0.001, 1.0]",
    ),
    sim("no_discounting", "market.discount_rate=0", key="market.discount_rate", value="0", allowed="[0.001, 1.0]"),
    sim("firm_entry_not_a_mapping", "market.firms.0=3", key="market.firms[0]", value="3", allowed="mapping"),
    sim(
        "firm_index_past_the_list",
        "market.firms.9.price=1",
        key="market.firms[9].price",
        value="1",
        allowed="out of range",
    ),
    sim(
        "unknown_network_reorder",
        "market.network.reorder=spiral",
        key="market.network.reorder",
        value="spiral",
        allowed="one of",
    ),
    sim(
        "memory_share_zero",
        "market.engine.memory_share=0",
        key="market.engine.memory_share",
        value="0",
        allowed="(0.0, 1.0]",
    ),
    # --- loyalty-market
    market(
        "voice_above_one",
        "market.customers.voice_mean=1.5",
        key="market.customers.voice_mean",
        value="1.5",
        allowed="[0.0, 1.0]",
    ),
    market(
        "audience_dispersion_zero",
        "market.word_of_mouth.audience_dispersion=0",
        key="market.word_of_mouth.audience_dispersion",
        value="0",
        allowed="(0.01, ",
    ),
    market(
        "audience_below_one_person",
        "market.word_of_mouth.audience_disappointed=0.5",
        key="market.word_of_mouth.audience_disappointed",
        value="0.5",
        allowed="[1.0, ",
    ),
    market(
        "problem_disappointment_negative",
        "market.complaints.problem_disappointment=-1",
        key="market.complaints.problem_disappointment",
        value="-1",
        allowed="[0.0, ",
    ),
    market(
        "major_disappointment_not_a_number",
        "market.complaints.major_disappointment=deep",
        key="market.complaints.major_disappointment",
        value="deep",
        allowed="number",
    ),
    market(
        "leave_log_odds_beyond_range",
        "market.complaints.leave_log_odds=25",
        key="market.complaints.leave_log_odds",
        value="25",
        allowed="[-20.0, 20.0]",
    ),
    market(
        "silent_leave_log_odds_negative",
        "market.complaints.silent_leave_log_odds=-0.5",
        key="market.complaints.silent_leave_log_odds",
        value="-0.5",
        allowed="[0.0, 20.0]",
    ),
    market(
        "major_leave_log_odds_negative",
        "market.complaints.major_leave_log_odds=-1",
        key="market.complaints.major_leave_log_odds",
        value="-1",
        allowed="[0.0, 20.0]",
    ),
    market(
        "resolved_stay_log_odds_beyond_range",
        "market.complaints.resolved_stay_log_odds=21",
        key="market.complaints.resolved_stay_log_odds",
        value="21",
        allowed="[0.0, 20.0]",
    ),
    market(
        "quick_stay_log_odds_negative",
        "market.complaints.quick_stay_log_odds=-2",
        key="market.complaints.quick_stay_log_odds",
        value="-2",
        allowed="[0.0, 20.0]",
    ),
    market("unknown_market_key", "market.foo=1", key="market.foo", value="1", allowed="unknown key"),
    market(
        "malformed_own_preset",
        "market=mine",
        key="market",
        value="mine",
        allowed="malformed YAML",
        files={"conf/market/mine.yaml": "firms: [ {name: A\n"},
    ),
    market("unknown_preset", "market=none", key="market", value="none", allowed="unknown market preset"),
    market(
        "firm_entering_after_the_horizon",
        "market.firms.2.entry_week=500",
        key="market.firms[2].entry_week",
        value="500",
        allowed="after the horizon",
    ),
    market(
        "strategy_starting_after_the_horizon",
        "market.firms.0.strategies=[{name: price_war, start: 500}]",
        key="market.firms[0].strategies[0].start",
        value="500",
        allowed="after the horizon",
    ),
    market(
        "unknown_strategy",
        "market.firms.0.strategies=[nosuch]",
        key="market.firms[0].strategies[0]",
        value="nosuch",
        allowed="unknown strategy",
    ),
    market(
        "no_staff",
        "market.firms.0.staff_per_1k_customers=0",
        key="market.firms[0].staff_per_1k_customers",
        value="0",
        allowed="(0.0, 10000.0]",
    ),
    market(
        "more_customers_than_memory_holds",
        "market.n_customers=100000000",
        key="market.n_customers",
        value="100000000",
        allowed="customers fit",
    ),
    market("negative_seed", "seed=-5", key="seed", value="-5", allowed="[0, "),
    market(
        "record_transactions_not_a_boolean",
        "record_transactions=perhaps",
        key="record_transactions",
        value="perhaps",
        allowed="true or false",
    ),
    market("sweep", "market=retail,subscription", key="market", value="retail,subscription", allowed="one value"),
    market("unknown_option", "--bogus", key="--bogus", value="(missing)", allowed="key=value"),
    market("fractional_steps", "market.steps=1.5", key="market.steps", value="1.5", allowed="whole number"),
    market("no_firms", "market.firms=[]", key="market.firms", value="[]", allowed="at least one"),
    market(
        "own_preset_firm_not_a_mapping",
        "market=mine",
        key="market.firms[0]",
        value="3",
        allowed="mapping",
        files={"conf/market/mine.yaml": "defaults:\n  - retail\n  - _self_\n\nfirms: [3]\n"},
    ),
    market(
        "own_preset_holding_a_list",
        "market=mine",
        key="market",
        value="mine",
        allowed="mapping",
        files={"conf/market/mine.yaml": "- 1\n"},
    ),
    market("hydra_run_folder", "hydra.run.dir=x", key="hydra.run.dir", value="x", allowed="not used"),
    market("sweep_option", "-m", "seed=1,2", key="option", value="-m", allowed="not used"),
    market(
        "output_folder_where_nothing_can_be_written",
        "output_dir=/proc/nowhere",
        key="output_dir",
        value="/proc/nowhere",
        allowed="cannot write",
    ),
    market(
        "output_folder_in_a_file",
        "output_dir={tmp}/afile",
        key="output_dir",
        value="afile",
        allowed="is a file",
        files={"afile": "x"},
    ),
    market(
        "key_twice_in_own_preset",
        "market=mine",
        key="market",
        value="mine",
        allowed="given twice",
        files={"conf/market/mine.yaml": "steps: 1\nsteps: 2\n"},
    ),
    # --- loyalty-sim-sensitivity
    sensitivity("unknown_method", "sensitivity.method=fast", key="sensitivity.method", value="fast", allowed="one of"),
    sensitivity("unknown_kpi", "sensitivity.kpi=nosuch", key="sensitivity.kpi", value="nosuch", allowed="one of"),
    sensitivity("one_sample", "sensitivity.samples=1", key="sensitivity.samples", value="1", allowed="[2, "),
    sensitivity(
        "unknown_parameter_key",
        "sensitivity.parameters=[{key: market.nosuch, lo: 0, hi: 1}]",
        key="sensitivity.parameters[0].key",
        value="market.nosuch",
        allowed="unknown",
    ),
    sensitivity(
        "range_upside_down",
        "sensitivity.parameters=[{key: market.firms.0.price, lo: 1.1, hi: 0.9}]",
        key="sensitivity.parameters[0].lo",
        value="1.1",
        allowed="below",
    ),
    sensitivity(
        "unknown_scenario",
        "sensitivity.scenario=nosuch",
        key="sensitivity.scenario",
        value="nosuch",
        allowed="scenario",
    ),
    sensitivity(
        "unknown_difference_scenario",
        "sensitivity.difference_from=nosuch",
        key="sensitivity.difference_from",
        value="nosuch",
        allowed="scenario",
    ),
    sensitivity(
        "parameter_that_cannot_change_results",
        "sensitivity.parameters=[{key: experiment.workers, lo: 1, hi: 2}]",
        key="sensitivity.parameters[0].key",
        value="experiment.workers",
        allowed="not its results",
    ),
    sensitivity(
        "engine_parameter",
        "sensitivity.parameters=[{key: market.engine.threads, lo: 1, hi: 2}]",
        key="sensitivity.parameters[0].key",
        value="market.engine.threads",
        allowed="not its results",
    ),
    sensitivity(
        "whole_number_range_without_a_whole_number",
        "sensitivity.parameters=[{key: market.loyalty.repeat_purchases, lo: 2.1, hi: 2.4}]",
        key="sensitivity.parameters[0].lo",
        value="2.1",
        allowed="holds none",
    ),
    sensitivity("unknown_preset", "sensitivity=nosuch", key="sensitivity", value="nosuch", allowed="available"),
    sensitivity(
        "confidence_above_one",
        "sensitivity.confidence=2",
        key="sensitivity.confidence",
        value="2",
        allowed="[0.5, 0.9999]",
    ),
    sensitivity("no_customers", "market.n_customers=0", key="market.n_customers", value="0", allowed="[1, "),
    sensitivity(
        "malformed_experiment_file",
        "experiment=zz_bad_input_sens",
        key="experiment",
        allowed="malformed YAML",
        files={"conf/experiment/zz_bad_input_sens.yaml": EXPERIMENT + "  name: {oops\n"},
    ),
    # --- loyalty-sim-map
    strategy_map("unknown_map", "map=nosuch", key="map", value="nosuch", allowed="available"),
    strategy_map("unknown_design", "map.design=random", key="map.design", value="random", allowed="one of"),
    strategy_map("kpi_not_money", "map.kpi=churn_rate", key="map.kpi", value="churn_rate", allowed="one of"),
    strategy_map("one_level", "map.levels=1", key="map.levels", value="1", allowed="[2, "),
    strategy_map("density_above_one", "map.min_density=1.5", key="map.min_density", value="1.5", allowed="[0.5, 1.0]"),
    strategy_map(
        "scenario_is_the_baseline", "map.scenario=baseline", key="map.scenario", value="baseline", allowed="must differ"
    ),
    strategy_map(
        "unknown_scenario", "map.scenario=nosuch", key="map.scenario", value="nosuch", allowed="experiment's scenarios"
    ),
    strategy_map(
        "one_condition",
        "map.conditions=[{key: market.steps, lo: 52, hi: 104}]",
        key="map.conditions",
        value="1 conditions",
        allowed="a map shows 2 to 4",
    ),
    strategy_map(
        "condition_out_of_range",
        "map.conditions=[{key: market.steps, lo: 52, hi: 104}, {key: market.firms.1.price, lo: 0.8, hi: -1.5}]",
        key="map.conditions[1].lo",
        value="0.8",
        allowed="must be below hi",
    ),
    strategy_map(
        "unknown_condition_key",
        "map.conditions=[{key: market.steps, lo: 52, hi: 104}, {key: market.nosuch, lo: 0, hi: 1}]",
        key="map.conditions[1].key",
        value="market.nosuch",
        allowed="unknown key",
    ),
    strategy_map(
        "choose_without_more_conditions", "map.choose=2", key="map.choose", value="2", allowed="below the number"
    ),
    # --- loyalty-sim-optimise
    optimise("no_trials", "hydra.sweeper.n_trials=0", key="hydra.sweeper.n_trials", value="0", allowed="at least 1"),
    optimise(
        "negative_trials", "hydra.sweeper.n_trials=-3", key="hydra.sweeper.n_trials", value="-3", allowed="at least 1"
    ),
    optimise("unknown_mode", "optimise.mode=nosuch", key="optimise.mode", value="nosuch", allowed="one of"),
    optimise("unknown_search", "optimise=nosuch", key="optimise", value="nosuch", allowed="available"),
    optimise(
        "retention_floor_above_one",
        "optimise.retention_floor=2",
        key="optimise.retention_floor",
        value="2",
        allowed="[0.0, 1.0]",
    ),
    optimise(
        "unknown_strategy",
        "optimise.strategy=nosuch",
        key="optimise.strategy",
        value="nosuch",
        allowed="unknown strategy",
    ),
    optimise(
        "minimising",
        "hydra.sweeper.direction=minimize",
        key="hydra.sweeper.direction",
        value="minimize",
        allowed="maximize",
    ),
    optimise(
        "search_drawing_a_start_after_the_horizon",
        "market.steps=10",
        "optimise.params.start=int(interval(1, 500))",
        key="optimise.params.start",
        value="interval(1, 500)",
        allowed="may draw 500",
    ),
    optimise(
        "search_drawing_fractions_for_a_whole_number",
        "optimise.params.offer_weeks=interval(1, 5)",
        key="optimise.params.offer_weeks",
        value="interval(1, 5)",
        allowed="whole number",
    ),
    optimise("one_replication", "experiment.replications=1", key="experiment.replications", value="1", allowed="[2, "),
    optimise(
        "empty_experiment_file",
        "experiment=zz_bad_input_opt",
        key="experiment",
        allowed="sets no keys",
        files={"conf/experiment/zz_bad_input_opt.yaml": "\n"},
    ),
    # --- loyalty-sim-validate
    validate("no_replications", "replications=0", key="replications", value="0", allowed="[2, "),
    validate("replications_not_a_number", "replications=ten", key="replications", value="ten", allowed="whole number"),
    validate(
        "replications_without_a_value",
        "replications",
        key="replications",
        value="(missing)",
        allowed="must be key=value",
    ),
    validate("confidence_above_one", "confidence=2", key="confidence", value="2"),
    validate("unknown_claim", "only=[nosuch]", key="only", value="nosuch", allowed="no such claim"),
    validate("claims_not_a_list", "only=nosuch", key="only", value="nosuch", allowed="must be a list of claim ids"),
    validate("negative_market", "n_customers=-1", key="n_customers", value="-1"),
    validate("unknown_table", "table=nosuch", key="table", value="nosuch", allowed="must be one of"),
    validate(
        "invariance_key_without_the_invariance_table",
        "invariance.sizes=[1000]",
        key="invariance.sizes",
        value="[1000]",
        allowed="add table=invariance",
    ),
    invariance(
        "claims_key_with_the_invariance_table",
        "n_customers=500",
        key="n_customers",
        value="500",
        allowed="a setting of the validation report",
    ),
    invariance(
        "invariance_sizes_repeated",
        "invariance.sizes=[1000,1000]",
        key="invariance.sizes",
        value="[1000,1000]",
        allowed="each may be listed once",
    ),
    Case(
        "report_where_nothing_can_be_written",
        "loyalty-sim-validate",
        ("output=/proc/v.md",),
        "output",
        "/proc",
        "cannot write",
    ),
    Case(
        "invariance_table_where_nothing_can_be_written",
        "loyalty-sim-validate",
        ("table=invariance", "invariance.output=/proc/t.md"),
        "invariance.output",
        "/proc",
        "cannot write",
    ),
    validate(
        "size_repeated",
        "sizes=[1000,1000]",
        "size_replications=[5,5]",
        key="sizes",
        value="[1000,1000]",
        allowed="each may be listed once",
    ),
    validate(
        "size_below_one",
        "sizes=[0]",
        "size_replications=[5]",
        key="sizes",
        value="[0]",
        allowed="each must be a whole number in [1, ",
    ),
    validate("size_not_a_number", "sizes=[many]", key="sizes[0]", value="many"),
    validate("no_step_length", "steps_per_year=[]", key="steps_per_year", value="[]", allowed="give at least one"),
    validate(
        "step_length_repeated",
        "steps_per_year=[52,52]",
        key="steps_per_year",
        value="[52,52]",
        allowed="each may be listed once",
    ),
    validate(
        "size_replications_below_two",
        "size_replications=[10,1,5]",
        key="size_replications",
        value="[10,1,5]",
        allowed="each must be a whole number in [2, ",
    ),
    validate(
        "size_replications_not_one_per_size",
        "size_replications=[10,10]",
        key="size_replications",
        value="[10,10]",
        allowed="give one per size",
    ),
    invariance(
        "size_replications_with_the_invariance_table",
        "size_replications=[3,3,3]",
        key="size_replications",
        value="[3, 3, 3]",
        allowed="a setting of the validation report",
    ),
    validate("unknown_key", "bogus=1", key="bogus", value="1", allowed="unknown key; allowed keys:"),
    validate("a_sweep", "-m", "seed=1,2", key="-m", allowed="not a sweep"),
    validate("list_with_other_input", "--list", "seed=1", key="--list", value="seed=1", allowed="give it alone"),
    # --- loyalty-sim-report
    report("missing_folder", "{tmp}/nowhere", key="SWEEP_DIR", value="nowhere", allowed="no such folder"),
    report("no_folder_given", key="SWEEP_DIR", value="(missing)", allowed="required"),
    report(
        "folder_without_jobs",
        "{tmp}/empty",
        key="SWEEP_DIR",
        value="empty",
        allowed="no finished job",
        files={"empty/.keep": ""},
    ),
    report(
        "confidence_above_one",
        "{tmp}/empty",
        "--confidence",
        "2",
        key="--confidence",
        value="2",
        allowed="(0, 1)",
        files={"empty/.keep": ""},
    ),
    report(
        "out_where_nothing_can_be_written",
        "{tmp}/empty",
        "--out",
        "/proc/x",
        key="--out",
        value="/proc/x",
        allowed="cannot write",
        files={"empty/.keep": ""},
    ),
    report("unknown_option", "{tmp}", "--bogus", key="option", value="--bogus", allowed="unknown option"),
]


def test_the_table_covers_every_command_and_has_no_repeated_ids():
    assert len({c.id for c in CASES} | {c.app + c.id for c in CASES}) >= len(CASES)
    assert len({(c.app, c.id) for c in CASES}) == len(CASES)
    assert {c.app for c in CASES} >= {
        "loyalty-sim",
        "loyalty-market",
        "loyalty-sim-sensitivity",
        "loyalty-sim-optimise",
        "loyalty-sim-validate",
        "loyalty-sim-report",
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[f"{c.app}:{c.id}" for c in CASES])
def test_bad_input_stops_with_one_line_and_writes_nothing(case, tmp_path):
    check_case(case, tmp_path)
