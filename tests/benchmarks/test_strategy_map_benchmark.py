"""The strategy-map benchmark times one point and reports the map against its target
(a smoke check of its functions, not a timing test)."""

import pytest

from benchmarks.strategy_map import QUICK, TARGET_S, markdown, time_point


@pytest.mark.slow
def test_one_point_is_timed_and_the_map_is_reported_against_its_target():
    seconds, points = time_point([*QUICK, "map.workers=1"], repeats=1)
    assert seconds > 0 and points == 4
    measured = {
        "quick": False,
        "repeats": 1,
        "walls": [TARGET_S + 1],
        "wall_s": TARGET_S + 1,
        "point_s": 2.0,
        "points": 25,
        "cores": 2,
    }
    assert "NOT met" in markdown(measured)
    assert "target <= 600 s: met" in markdown({**measured, "walls": [100.0], "wall_s": 100.0})
