"""The trainer's classroom, without a browser: lesson presets, the
twin models, what the page reads from them, and the page's controls.

Markets are the smallest the page offers, so the file runs in a few seconds
(the lessons are composed through Hydra once per process)."""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
import weakref

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim.config_loading import CONF_DIR
from experiments.classroom.lesson import (
    ANNUAL_RETENTION,
    AS_IN_LESSON,
    EXTRA_LESSONS_ENV,
    GROUP_OF_STATE,
    KPI_COLUMNS,
    LESSON_GROUP,
    MAX_BURN_IN,
    N_CUSTOMERS_RANGE,
    NETWORK_SAMPLE_SIZE,
    NO_STRATEGY,
    OUTCOMES,
    PRICE_SEGMENT,
    Classroom,
    ClassroomSettings,
    Lessons,
    SkippedLesson,
    first_lesson,
    lesson_names,
    lesson_presets,
    read_lessons,
    segment_mix,
    skipped_lessons,
    state_groups,
)
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
    assert [s.notice for s in skipped_lessons()] == []
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


@pytest.mark.slow
def test_scenario_number_picks_among_the_lessons_scenarios_and_is_clamped():
    preset = lesson_presets()["price_war"]
    assert preset.scenario(1).name == "war_no_retaliation"
    assert preset.scenario(2).name == "war_rivals_match"
    assert preset.scenario(99).name == preset.teaching_scenarios[-1].name
    room = small(lesson="price_war", scenario_number=5)  # price_war has fewer
    assert room.twins.scenario.name == preset.teaching_scenarios[-1].name


@pytest.mark.slow
@pytest.mark.parametrize("lesson", lesson_names())
def test_every_scenario_of_every_lesson_runs_on_the_page(lesson):
    for number in range(1, len(lesson_presets()[lesson].teaching_scenarios) + 1):
        room = small(lesson=lesson, scenario_number=number)
        room.step()
        kpis = room.snapshot().kpis
        assert room.reported_steps == 1 and not kpis[list(KPI_COLUMNS)].isna().any().any()
        assert (kpis[ANNUAL_RETENTION].notna() | (kpis["customers"] == 0)).all()  # none to keep: no rate


# --------------------------------------------------------------------------- lesson files
#: a lesson that passes validation, small enough to write out; the bad lesson
#: files below are variations of it
GOOD_LESSON = """# @package _global_
experiment:
  name: my_lesson
  description: A trainer's own lesson.
  scenarios:
    - name: baseline
      description: the market as it is
    - name: club
      description: the focal firm runs a loyalty club
      strategies:
        Focal: [club_marketing]
"""
#: bad lesson files: kind -> (text, the command line's one-line reason)
BAD_LESSONS = {
    "duplicate_scenario_names": (
        GOOD_LESSON.replace("- name: club", "- name: baseline"),
        "experiment.scenarios[1].name = 'baseline': scenario names must be distinct",
    ),
    "malformed_yaml": (
        GOOD_LESSON.replace("[club_marketing]", "[club_marketing"),
        "experiment = 'malformed_yaml': {path} is malformed YAML at line 12, column 1",
    ),
    "empty_file": ("", "experiment = 'empty_file': {path} sets no keys"),
    "unknown_key": (
        GOOD_LESSON.replace("  name: my_lesson", "  name: my_lesson\n  replication: 3"),
        "experiment.replication = 3: unknown key; allowed keys: name, description",
    ),
    "bad_value": (
        GOOD_LESSON.replace("  name: my_lesson", "  name: my_lesson\n  replications: 1"),
        "experiment.replications = 1: must be in [2, ",
    ),
}


def lesson_folder(root, files: dict[str, str]):
    """A config folder laid out like conf/ with ``files`` (name -> text) as its lessons."""
    (root / LESSON_GROUP).mkdir(parents=True)
    for name, text in files.items():
        (root / LESSON_GROUP / f"{name}.yaml").write_text(text)
    return root


@pytest.mark.slow
@pytest.mark.parametrize("kind", BAD_LESSONS)
def test_a_lesson_file_that_fails_validation_is_skipped_with_a_notice(tmp_path, kind):
    text, reason = BAD_LESSONS[kind]
    folder = lesson_folder(tmp_path, {"my_lesson": GOOD_LESSON, kind: text})
    found = read_lessons([folder])
    assert list(found.presets) == ["my_lesson"]  # the good lesson is still offered
    [skipped] = found.skipped
    path = folder / LESSON_GROUP / f"{kind}.yaml"
    assert skipped.path == path
    assert skipped.reason.startswith(reason.format(path=path)) and "\n" not in skipped.reason
    assert skipped.notice == f"{path}: {skipped.reason}"


@pytest.mark.slow
def test_lessons_come_from_conf_and_the_folder_named_by_the_environment(tmp_path, monkeypatch):
    conf_lessons = lesson_names()
    folder = lesson_folder(
        tmp_path,
        {
            "my_lesson": GOOD_LESSON,
            "price_war": GOOD_LESSON,
            "duplicate_scenario_names": BAD_LESSONS["duplicate_scenario_names"][0],
        },
    )
    monkeypatch.setenv(EXTRA_LESSONS_ENV, str(folder))
    assert lesson_names() == [*conf_lessons, "my_lesson"]
    assert len(lesson_presets()["price_war"].scenarios) > 2  # conf's, not the extra folder's (two)
    reasons = {s.path.stem: s.reason for s in skipped_lessons() if s.path.is_relative_to(folder)}
    assert reasons.keys() == {"price_war", "duplicate_scenario_names"}
    assert "conf/experiment/ has a file of this name" in reasons["price_war"]
    room = small(lesson="my_lesson")
    room.step()
    assert room.twins.scenario.name == "club" and room.reported_steps == 1
    with pytest.raises(ConfigError, match="lesson = 'duplicate_scenario_names': must be one of"):
        ClassroomSettings(lesson="duplicate_scenario_names").validate()
    monkeypatch.setenv(EXTRA_LESSONS_ENV, str(tmp_path / "mistyped"))
    assert lesson_names() == conf_lessons
    [missing] = [s for s in skipped_lessons() if s.path.is_relative_to(tmp_path)]
    assert missing.notice.startswith(f"{tmp_path / 'mistyped' / LESSON_GROUP}: lesson folder = ")
    monkeypatch.delenv(EXTRA_LESSONS_ENV)
    assert lesson_names() == conf_lessons


def test_the_page_opens_on_the_first_lesson_offered_when_the_default_file_is_skipped(monkeypatch):
    from experiments.classroom import lesson
    from experiments.classroom.dashboard import model_params

    default = SkippedLesson(CONF_DIR / LESSON_GROUP / "default.yaml", "experiment = 'default': sets no keys")
    kept = {"price_war": lesson_presets()["price_war"]}
    monkeypatch.setattr(lesson, "lessons", lambda: Lessons(kept, (default,)))
    assert first_lesson() == "price_war"
    params = model_params()
    assert params["lesson"]["value"] == "price_war" and params["lesson"]["values"] == ["price_war"]
    monkeypatch.setattr(lesson, "lessons", lambda: Lessons({}, (default,)))
    with pytest.raises(ConfigError, match="no lesson file passes validation"):
        first_lesson()


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
    room = small(lesson="captive_rival_entry", scenario_number=1)  # the rival enters, no strategy
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
    room.step()  # Play cannot run past the lesson
    assert room.reported_steps == 4


def test_two_classrooms_are_independent():
    one, two = small(), small()
    for _ in range(3):
        one.step()
    assert two.reported_steps == 0 and two.snapshot().scenario_steps["step"].max() == 0  # only the history
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
    kept = focal_specs(small(lesson="price_war", scenario_number=2))  # 0 and "lesson" keep the lesson's
    assert kept == [{"name": "price_war", "depth": 0.3, "duration": 12, "retaliation": "match"}]


def test_segment_mix_keeps_the_other_segments_proportions():
    segments = lesson_presets()["default"].market.customers.segments
    mixed = {s.name: s.share for s in segment_mix(segments, 0.2)}
    before = {s.name: s.share for s in segments}
    assert mixed["price"] == 0.2
    assert mixed["value"] / mixed["service"] == pytest.approx(before["value"] / before["service"])


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"lesson": "nope"}, "lesson"),
        ({"n_customers": 10}, "n_customers"),
        ({"strategy": "magic"}, "strategy"),
        ({"retaliation": "war"}, "retaliation"),
        ({"depth": 0.95}, "depth"),
        ({"price_share": 1.5}, "share"),
        ({"scenario_number": 0}, "scenario_number"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_settings_name_the_key(settings, key):
    with pytest.raises(ConfigError, match=key):
        ClassroomSettings(**settings).validate()


@pytest.mark.slow
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
    for counts, table in (
        (snap.disconfirmation, snap.scenario_steps),
        (snap.baseline_disconfirmation, snap.baseline_steps),
    ):
        last = table[table["step"] == 3].set_index("firm")
        assert list(counts.columns) == list(OUTCOMES)
        assert (counts.sum(axis=1) == last["purchases"]).all()
        assert (counts["delighted"] == last["delighted"]).all()
        assert (counts["disappointed"] == last["disappointed"]).all()


def test_kpi_cards_are_the_step_tables_last_row():
    room = small()
    first = room.snapshot()
    assert first.step == 0 and not first.kpis.isna().any().any()  # the market as the lesson starts
    assert (first.kpis[["cumulative_profit", "npv"]] == 0).all().all()  # the books count from step 1
    for _ in range(3):
        room.step()
    snap = room.snapshot()
    for cards, table in ((snap.kpis, snap.scenario_steps), (snap.baseline_kpis, snap.baseline_steps)):
        last = table[table["step"] == 3].set_index("firm")[list(KPI_COLUMNS)]
        assert_frame_equal(cards[list(KPI_COLUMNS)], last.loc[snap.firms])


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
    assert len(sample.edges) >= NETWORK_SAMPLE_SIZE - 1  # a snowball: connected
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
    again = small(lesson="price_war").network_sample  # drawn from the seed: the same picture
    assert np.array_equal(again.nodes, sample.nodes) and np.allclose(again.layout, sample.layout)


# --------------------------------------------------------------------------- the page's contract
def test_page_imports_and_its_controls_are_the_classrooms_keywords():
    from mesa.visualization.solara_viz import _check_model_params

    from experiments.classroom.dashboard import initial_settings, model_params, page

    assert callable(page)
    params = model_params()
    keywords = inspect.signature(Classroom.__init__).parameters
    assert set(params) == set(keywords) - {"self"}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for name, p in keywords.items() if name != "self")
    _check_model_params(Classroom.__init__, params)
    room = Classroom(**initial_settings(params))
    assert room.settings.n_customers == params["n_customers"]["value"]


def test_charts_draw_before_and_after_steps():
    from xml.etree import ElementTree

    from experiments.classroom import charts, dashboard as page

    room = small()
    picture = charts.network_picture(room.network_sample)
    for k in range(2):
        snap = room.snapshot()
        for name, svg in (
            ("states", charts.loyalty_states_chart(snap)),
            ("profit", charts.profit_chart(snap)),
            ("retention", charts.retention_chart(snap)),
            ("disconfirmation", charts.disconfirmation_chart(snap)),
            ("network", charts.network_chart(snap, picture, "Focal")),
        ):
            root = ElementTree.fromstring(svg)  # well-formed
            assert root.get("data-chart") == name and root.get("data-step") == str(k)
            drawn = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("polyline", "polygon", "circle", "rect")]
            assert len(drawn) >= 3, name  # drawn before the first step too
        page.kpi_cards_html(snap)
        room.step()


def test_the_story_card_states_the_settings():
    from experiments.classroom.dashboard import settings_line

    line = settings_line(small(lesson="price_war", scenario_number=2, seed=4))
    assert f"{SMALL:,} customers" in line and "40% price-driven" in line and "seed 4" in line
    assert "price_war depth=0.3 duration=12 retaliation=match" in line
    assert "no strategy" in settings_line(small(strategy=NO_STRATEGY))


# --------------------------------------------------------------------------- sessions
@pytest.fixture
def session():
    """A browser session's kernel context in this process, as Solara's server makes one."""
    import solara.server.app  # noqa: F401 - sends widgets to the session's kernel, as the server does
    from solara.server import kernel, kernel_context

    loop = asyncio.new_event_loop()
    context = kernel_context.VirtualKernelContext(
        id="test-session", kernel=kernel.Kernel(), session_id="test", event_loop=loop
    )
    yield context
    if not context.closed_event.is_set():
        context.close()
    loop.close()


def render_page(context) -> list[str]:
    """Render the dashboard's page in ``context``; return the texts it shows."""
    import solara

    from experiments.classroom.dashboard import Page

    with context:
        box, context.app_object = solara.render(Page(), handle_error=False)
    return list(_texts(box))


def _texts(widget):
    if isinstance(widget, str):
        yield widget
        return
    for child in getattr(widget, "children", None) or []:
        yield from _texts(child)
    for attr in ("value", "label"):
        if isinstance(getattr(widget, attr, None), str):
            yield getattr(widget, attr)


@pytest.mark.slow
def test_a_closed_session_releases_its_classroom(session, caplog):
    # reacton's INFO records name the widgets they create (and through them
    # the classroom): a log level of INFO, set by an earlier test or on the
    # command line, would have pytest's log capture keep them alive
    caplog.set_level(logging.WARNING, logger="reacton")
    gc.collect()
    before = {id(o) for o in gc.get_objects() if type(o) is Classroom}
    render_page(session)
    [room] = [weakref.ref(o) for o in gc.get_objects() if type(o) is Classroom and id(o) not in before]
    assert room() is not None
    session.close()
    gc.collect()
    assert room() is None  # nothing outside the session holds its classroom


def test_with_no_lesson_to_show_the_page_names_the_skipped_files_and_what_to_do(session, monkeypatch):
    from experiments.classroom import lesson

    skipped = (
        SkippedLesson(CONF_DIR / LESSON_GROUP / "default.yaml", "experiment = 'default': sets no keys"),
        SkippedLesson(CONF_DIR / LESSON_GROUP / "price_war.yaml", "experiment.seed = -1: must be >= 0"),
    )
    monkeypatch.setattr(lesson, "lessons", lambda: Lessons({}, skipped))
    texts = render_page(session)
    assert texts[0].startswith("2 lesson files skipped")
    assert texts[1:3] == [
        "conf/experiment/default.yaml: experiment = 'default': sets no keys",
        "conf/experiment/price_war.yaml: experiment.seed = -1: must be >= 0",
    ]
    assert texts[3].startswith("No lesson to show") and len(texts) == 4
