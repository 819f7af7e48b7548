"""Ctrl-C while a compiled rule runs stops the step as Ctrl-C does: numba's
dispatcher returns with the KeyboardInterrupt pending and Python reports a
SystemError chained to it, which the step turns back into KeyboardInterrupt
(the apps then mark the run interrupted, not failed)."""

from __future__ import annotations

import pytest

from agents.compiled import interrupted
from sim.model import LoyaltyModel


def _raising(error: BaseException):
    def phase(market, step) -> None:
        raise error

    return phase


def _chained_to_ctrl_c() -> SystemError:
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as ctrl_c:
            raise SystemError("CPUDispatcher(<function rule>) returned a result with an exception set") from ctrl_c
    except SystemError as outer:
        return outer


def test_a_ctrl_c_inside_a_compiled_rule_stops_the_step_as_ctrl_c():
    model = LoyaltyModel(seed=0, n_customers=200, burn_in=0)
    model.phases.insert(3, _raising(_chained_to_ctrl_c()))
    with pytest.raises(KeyboardInterrupt):
        model.step()


def test_other_system_errors_are_not_taken_for_ctrl_c():
    model = LoyaltyModel(seed=0, n_customers=200, burn_in=0)
    model.phases.insert(3, _raising(SystemError("a real fault")))
    with pytest.raises(SystemError, match="a real fault"):
        model.step()
    assert interrupted(_chained_to_ctrl_c()) and not interrupted(SystemError("a real fault"))
