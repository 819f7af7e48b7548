"""Newcomers' traits are drawn ahead in batches (agents/newcomers.py): the
k-th newcomer of a market has the same traits however the arrivals fall into
steps, which is what common random numbers need of them."""

from __future__ import annotations

import dataclasses

import numpy as np

from agents.customers import Segments
from agents.newcomers import DRAWN, Newcomers
from sim.config import CustomerConfig
from sim.streams import RandomStreams
from sim.units import StepLength

WEEKLY = StepLength(52.0)


def _arrivals(counts: list[int], cfg: CustomerConfig, seed: int = 3) -> dict[str, np.ndarray]:
    pool = Newcomers(RandomStreams(seed)["newcomers"], n_firms=3)
    taken = [pool.take(k, cfg, WEEKLY, Segments.of(cfg)) for k in counts]
    out = {name: np.concatenate([t[name] for t, _ in taken]) for name in DRAWN}
    out["aware"] = np.concatenate([a for _, a in taken])
    return out


def test_the_kth_newcomer_has_the_same_traits_whatever_steps_the_arrivals_fall_in():
    cfg = CustomerConfig(newcomer_batch=16)
    one_by_one = _arrivals([1] * 40, cfg)
    in_lumps = _arrivals([7, 0, 25, 3, 5], cfg)
    for name in (*DRAWN, "aware"):
        assert np.array_equal(one_by_one[name], in_lumps[name]), name
    assert len(one_by_one["segment"]) == 40 and one_by_one["aware"].shape == (40, 3)


def test_newcomers_differ_from_one_another_and_follow_the_trait_distributions():
    traits = _arrivals([500], CustomerConfig(newcomer_batch=64))
    assert len(np.unique(traits["spend"])) == 500
    cfg = CustomerConfig()
    assert abs(np.median(traits["spend"]) / cfg.spend_median - 1) < 0.15
    assert 0.4 < traits["aware"].mean() < 0.6


def test_a_restated_equal_config_keeps_the_traits_drawn_and_a_changed_one_redraws():
    cfg = CustomerConfig(newcomer_batch=8)
    pool = Newcomers(RandomStreams(1)["newcomers"], n_firms=3)
    first, _ = pool.take(3, cfg, WEEKLY, Segments.of(cfg))
    same = dataclasses.replace(cfg)  # equal, not the same object
    kept, _ = pool.take(3, same, WEEKLY, Segments.of(same))
    reference = _arrivals([6], cfg, seed=1)
    assert np.array_equal(np.concatenate([first["spend"], kept["spend"]]), reference["spend"])
    dearer = dataclasses.replace(cfg, spend_median=2 * cfg.spend_median)
    redrawn, _ = pool.take(200, dearer, WEEKLY, Segments.of(dearer))
    left_over = _arrivals([8], cfg, seed=1)["spend"][6:]  # what the old batch still held
    assert not np.isin(left_over, redrawn["spend"]).any()
    assert abs(np.median(redrawn["spend"]) / dearer.spend_median - 1) < 0.2
