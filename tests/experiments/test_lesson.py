"""The trainer's classroom (issue 5), without a browser: lesson presets, the
twin models, what the page reads from them, and the page's controls.

Markets are the smallest the page offers, so the file runs in a few seconds
(the lessons are composed through Hydra once per process)."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from experiments.app import CONF_DIR
from experiments.lesson import (AS_IN_LESSON, GROUP_OF_STATE, KPI_COLUMNS, MAX_BURN_IN, N_CUSTOMERS_RANGE,
                                NETWORK_SAMPLE_SIZE, NO_STRATEGY, OUTCOMES, PRICE_SEGMENT, Classroom,
                                ClassroomSettings, lesson_names, lesson_presets, segment_mix, state_groups)
from sim.config import ConfigError
from sim.model import LoyaltyModel
from strategies.registry import available

#: the smallest market the page offers: every test here is quick
SMALL = N_CUSTOMERS_RANGE[0]


def small(**settings) -> Classroom:
    return Classroom(n_customers=SMALL, **settings)


def focal_specs(room: Classroom) -> list:
    return room.twins.scenario.market.firms[room.focal_index].strategies


# --------------------------------------------------------------------------- presets
def test_every_named_experiment_is_a_lesson_with_its_story():
    names = lesson_names()
    assert sorted(names) == sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml"))
    assert names[0] == "default"
    presets = lesson_presets()
    for name in names:
        preset = presets[name]
        assert preset.name == name
        assert len(preset.story) > 100 and "\n" not in preset.story
        assert preset.teaching_scenarios and preset.baseline not in [s.name for s in preset.teaching_scenarios]
        assert preset.focal_firm in [f.name for f in preset.market.firms]


def test_scenario_number_picks_among_the_lessons_scenarios_and_is_clamped():
    preset = lesson_presets()["price_war"]
    assert preset.scenario(1).name == "war_no_retaliation"
    assert preset.scenario(2).name == "war_rivals_match"
    assert preset.scenario(99).name == preset.teaching_scenarios[-1].name
    room = small(lesson="win_back", scenario_number=5)          # win_back has two
    assert room.twins.scenario.name == "win_back_deep"


@pytest.mark.parametrize("lesson", lesson_names())
def test_every_scenario_of_every_lesson_runs_on_the_page(lesson):
    for number in range(1, len(lesson_presets()[lesson].teaching_scenarios) + 1):
        room = small(lesson=lesson, scenario_number=number)
        room.step()
        assert room.reported_steps == 1 and not room.snapshot().kpis.isna().any().any()


# --------------------------------------------------------------------------- twins
def test_twins_share_the_seed_and_the_baseline_twin_is_the_market_without_strategy():
    room = small(lesson="price_war", seed=3)
    assert room.scenario_model.seed == room.baseline_model.seed == 3
    assert focal_specs(room) and not any(f.strategies for f in room.twins.baseline.market.firms)
    assert room.twins.baseline.market == room.twins.scenario.without_strategies
    for _ in range(4):
        room.step()
    scratch = LoyaltyModel(market=room.twins.baseline.market, seed=3)
    scratch.run(4)
    assert_frame_equal(room.baseline_model.step_table(), scratch.step_table())
    # the scenario twin continues from the shared burn-in: the same as built from scratch
    treated = LoyaltyModel(market=room.twins.scenario.market, seed=3)
    treated.run(4)
    assert_frame_equal(room.scenario_model.step_table(), treated.step_table())


def test_a_scenario_without_strategy_is_compared_with_the_lessons_baseline():
    room = small(lesson="captive_rival_entry", scenario_number=1)      # the rival enters, no strategy
    assert room.twins.scenario.name == "rival_enters"
    assert room.twins.baseline.name == "baseline"
    assert room.twins.baseline.market != room.twins.scenario.market


def test_dashboard_burn_in_is_capped():
    room = small()
    assert room.twins.scenario.market.burn_in == min(lesson_presets()["default"].market.burn_in, MAX_BURN_IN)
    assert room.twins.baseline.market.burn_in == room.twins.scenario.market.burn_in


def test_step_advances_both_twins_in_lockstep_and_stops_at_the_horizon():
    room = small()
    assert room.reported_steps == 0 and room.running
    for k in range(1, 4):
        room.step()
        assert room.scenario_model.steps == room.baseline_model.steps == k
        assert room.snapshot().scenario_steps["step"].max() == k == room.snapshot().baseline_steps["step"].max()
    room.horizon = 4
    room.step()
    assert not room.running
    room.step()                                   # Play cannot run past the lesson
    assert room.reported_steps == 4


def test_two_classrooms_are_independent():
    one, two = small(), small()
    for _ in range(3):
        one.step()
    assert two.reported_steps == 0 and two.snapshot().scenario_steps.empty
    assert one.scenario_model is not two.scenario_model
    assert one.scenario_model.customers.state is not two.scenario_model.customers.state


# --------------------------------------------------------------------------- settings
def test_settings_rebuild_the_market():
    room = small(price_share=0.6, seed=5)
    assert room.scenario_model.customers.n == SMALL == room.baseline_model.customers.n
    shares = {s.name: s.share for s in room.twins.scenario.market.customers.segments}
    assert shares[PRICE_SEGMENT] == pytest.approx(0.6) and sum(shares.values()) == pytest.approx(1.0)
    assert room.twins.baseline.market.customers == room.twins.scenario.market.customers
    assert focal_specs(small(strategy=NO_STRATEGY)) == []
    assert focal_specs(small(strategy="staff_loyalty", start=5)) == [{"name": "staff_loyalty", "start": 5}]
    war = focal_specs(small(lesson="price_war", scenario_number=2, depth=0.4, retaliation="partial"))
    assert war == [{"name": "price_war", "depth": 0.4, "duration": 12, "retaliation": "partial"}]
    kept = focal_specs(small(lesson="price_war", scenario_number=2))        # 0 and "lesson" keep the lesson's
    assert kept == [{"name": "price_war", "depth": 0.3, "duration": 12, "retaliation": "match"}]


def test_segment_mix_keeps_the_other_segments_proportions():
    segments = lesson_presets()["default"].market.customers.segments
    mixed = {s.name: s.share for s in segment_mix(segments, 0.2)}
    before = {s.name: s.share for s in segments}
    assert mixed["price"] == 0.2
    assert mixed["value"] / mixed["service"] == pytest.approx(before["value"] / before["service"])


@pytest.mark.parametrize("settings, key", [
    ({"lesson": "nope"}, "lesson"), ({"n_customers": 10}, "n_customers"),
    ({"strategy": "magic"}, "strategy"), ({"retaliation": "war"}, "retaliation"),
    ({"depth": 0.95}, "depth"), ({"price_share": 1.5}, "share"), ({"scenario_number": 0}, "scenario_number"),
    ({"seed": -1}, "seed"),
])
def test_bad_settings_name_the_key(settings, key):
    with pytest.raises(ConfigError, match=key):
        ClassroomSettings(**settings).validate()


@pytest.mark.parametrize("strategy", [AS_IN_LESSON, NO_STRATEGY, *available()])
def test_every_strategy_the_page_offers_runs(strategy):
    room = small(strategy=strategy, start=1)
    room.step()
    assert room.reported_steps == 1


# --------------------------------------------------------------------------- read-outs
def test_disconfirmation_counts_add_up_to_the_steps_buyers():
    room = small(lesson="price_war")
    for _ in range(3):
        room.step()
    snap = room.snapshot()
    for counts, table in ((snap.disconfirmation, snap.scenario_steps), (snap.baseline_disconfirmation,
                                                                         snap.baseline_steps)):
        last = table[table["step"] == 3].set_index("firm")
        assert list(counts.columns) == list(OUTCOMES)
        assert (counts.sum(axis=1) == last["visits"]).all()
        assert (counts["delighted"] == last["delighted"]).all()
        assert (counts["disappointed"] == last["disappointed"]).all()


def test_kpi_cards_are_the_step_tables_last_row():
    room = small()
    assert room.snapshot().kpis.isna().all().all()            # nothing before the first step
    for _ in range(3):
        room.step()
    snap = room.snapshot()
    for cards, table in ((snap.kpis, snap.scenario_steps), (snap.baseline_kpis, snap.baseline_steps)):
        last = table[table["step"] == 3].set_index("firm")[list(KPI_COLUMNS)]
        assert_frame_equal(cards, last.loc[snap.firms])


def test_state_groups_count_every_customer_relationship():
    room = small()
    room.step()
    groups = state_groups(room.snapshot().scenario_steps)
    assert (groups.drop(columns=["step", "firm"]).sum(axis=1) == SMALL).all()
    assert state_groups(pd.DataFrame()).empty


def test_network_sample_is_fixed_and_its_colours_follow_the_states():
    room = small(lesson="price_war")
    sample = room.network_sample
    assert len(sample.nodes) == NETWORK_SAMPLE_SIZE == len(np.unique(sample.nodes))
    assert sample.layout.shape == (NETWORK_SAMPLE_SIZE, 2)
    assert len(sample.edges) >= NETWORK_SAMPLE_SIZE - 1         # a snowball: connected
    adjacency = room.scenario_model.network
    assert all(adjacency[sample.nodes[a], sample.nodes[b]] for a, b in sample.edges)
    layout, first = sample.layout.copy(), room.snapshot().network_groups
    for _ in range(8):
        room.step()
    assert room.network_sample.layout is sample.layout and np.array_equal(sample.layout, layout)
    now = room.snapshot().network_groups
    f = room.focal_index
    assert np.array_equal(now, GROUP_OF_STATE[room.scenario_model.customers.state[sample.nodes, f]])
    assert (now != first).any()
    again = small(lesson="price_war").network_sample                # drawn from the seed: the same picture
    assert np.array_equal(again.nodes, sample.nodes) and np.allclose(again.layout, sample.layout)


# --------------------------------------------------------------------------- the page's contract
def test_page_imports_and_its_controls_are_the_classrooms_keywords():
    from mesa.visualization.solara_viz import _check_model_params

    from experiments.dashboard import initial_settings, model_params, page
    assert callable(page)
    params = model_params()
    keywords = inspect.signature(Classroom.__init__).parameters
    assert set(params) == set(keywords) - {"self"}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for name, p in keywords.items() if name != "self")
    _check_model_params(Classroom.__init__, params)
    room = Classroom(**initial_settings(params))
    assert room.settings.n_customers == params["n_customers"]["value"]


def test_charts_draw_before_and_after_steps():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from experiments import dashboard as page
    room = small()
    for _ in range(2):
        snap = room.snapshot()
        for fig in (page.loyalty_states_figure(snap), page.profit_figure(snap), page.retention_churn_figure(snap),
                    page.disconfirmation_figure(snap), page.network_figure(snap, room)):
            FigureCanvasAgg(fig).draw()
        room.step()


def test_the_story_card_states_the_settings():
    from experiments.dashboard import settings_line
    line = settings_line(small(lesson="price_war", scenario_number=2, seed=4))
    assert f"{SMALL:,} customers" in line and "40% price-driven" in line and "seed 4" in line
    assert "price_war depth=0.3 duration=12 retaliation=match" in line
    assert "no strategy" in settings_line(small(strategy=NO_STRATEGY))
