"""Word of mouth is U-shaped in the outcome of a purchase, steeper on the
dissatisfied side (Anderson 1998, 'Customer satisfaction and word of mouth';
TARP 1986): a mechanism of the word-of-mouth phase, set by its parameters.

A buyer talks with chance ``talk_<outcome> x sociability x visits`` and a
talker tells about ``audience_<outcome> x sociability`` people, so the people
told per purchase follow ``talk_<outcome> x audience_<outcome>``: with the
default parameters the disappointed tell most and the merely satisfied
fewest. This restates the parameters, so it is tested here, exactly, rather
than counted as a validation claim (docs/validation.md)."""

from __future__ import annotations

import numpy as np

from sim.audience import audience_size
from sim.config import MarketConfig
from sim.phases.word_of_mouth import _talkers

#: the outcomes of a purchase: delighted, merely satisfied, disappointed (not put right)
OUTCOMES = np.array([1, 0, -1], dtype=np.int8)


def _talk(u_talk: np.ndarray, u_audience: float = 0.5, sociability: float = 1.0, n: int = 1000):
    """Three buyers, one of each outcome, at one firm: who talks and how many each tells."""
    w = MarketConfig().word_of_mouth
    buyers = np.arange(3, dtype=np.int64)
    talked, audience, *_ = _talkers(
        buyers,
        np.zeros(3, dtype=np.int64),
        OUTCOMES,
        np.zeros(3, dtype=np.bool_),
        np.full(n, sociability, dtype=np.float32),
        np.ones(n, dtype=np.float32),
        np.zeros((n, 1), dtype=np.int8),
        np.concatenate([u_talk, np.ones(n - 3)]).astype(np.float32),
        float(w.talk_delighted),
        float(w.talk_satisfied),
        float(w.talk_disappointed),
        float(w.advocate_talk_ratio),
        np.full(n, u_audience),
        np.zeros((2, n)),
        float(w.audience_delighted),
        float(w.audience_satisfied),
        float(w.audience_disappointed),
        float(w.audience_dispersion),
        n,
    )
    return talked, audience


def _float32_around(x: float) -> tuple[np.float32, np.float32]:
    """The largest float32 draw below ``x`` and the smallest at or above it."""
    f = np.float32(x)
    below = f if f < x else np.nextafter(f, np.float32(0))
    above = f if f >= x else np.nextafter(f, np.float32(1))
    return below, above


def test_a_buyer_talks_with_the_chance_of_their_outcome_times_their_sociability():
    w = MarketConfig().word_of_mouth
    chance = [t * np.float64(np.float32(0.5)) for t in (w.talk_delighted, w.talk_satisfied, w.talk_disappointed)]
    below, above = zip(*(_float32_around(c) for c in chance))
    talked, _ = _talk(np.array(below, dtype=np.float32), sociability=0.5)
    assert talked.tolist() == [True, True, True]
    talked, audience = _talk(np.array(above, dtype=np.float32), sociability=0.5)
    assert talked.tolist() == [False, False, False] and (audience == 0).all()  # the silent tell no one


def test_a_talker_tells_the_audience_of_their_outcome():
    w = MarketConfig().word_of_mouth
    for u in (0.1, 0.5, 0.9):
        _, audience = _talk(np.zeros(3, dtype=np.float32), u_audience=u)
        means = (w.audience_delighted, w.audience_satisfied, w.audience_disappointed)
        assert audience.tolist() == [audience_size(u, m, w.audience_dispersion, 999) for m in means]


def test_people_told_per_purchase_are_u_shaped_steeper_on_the_disappointed_side():
    """The expected people told per purchase, chance of talking times the mean
    audience, at full sociability: the disappointed most, then the delighted,
    the merely satisfied fewest; and the engine's audiences, over many draws,
    agree with those means."""
    w = MarketConfig().word_of_mouth
    told = {
        "delighted": w.talk_delighted * w.audience_delighted,
        "satisfied": w.talk_satisfied * w.audience_satisfied,
        "disappointed": w.talk_disappointed * w.audience_disappointed,
    }
    assert told["disappointed"] > told["delighted"] > told["satisfied"] > 0
    u = (np.arange(4000) + 0.5) / 4000
    for outcome, mean in enumerate((w.audience_delighted, w.audience_satisfied, w.audience_disappointed)):
        sizes = [_talk(np.zeros(3, dtype=np.float32), u_audience=x, n=100_000)[1][outcome] for x in u[::10]]
        assert abs(np.mean(sizes) - mean) < 0.1 * mean, (outcome, np.mean(sizes), mean)
