"""Measures on a probe's numbers (:mod:`experiments.validation.claims.probes`): one
number per replication from the ``probes`` table of the evidence."""

from __future__ import annotations

from typing import Callable

import numpy as np

from experiments.validation.claims.evidence import Evidence, probe


def probe_value(column: str) -> Callable[[Evidence], np.ndarray]:
    """One probe number per replication."""
    return lambda ev: probe(ev, column)


def probe_difference(first: str, second: str) -> Callable[[Evidence], np.ndarray]:
    """One probe number minus another; its ``level`` is the second (the report
    states the difference relative to it)."""
    from experiments.validation.claims.measures import with_level

    return with_level(lambda ev: probe(ev, first) - probe(ev, second), lambda ev: probe(ev, second))


def ordered(*columns: str) -> Callable[[Evidence], np.ndarray]:
    """The smallest step down a chain of probe numbers (positive when each
    exceeds the next)."""

    def measure(ev: Evidence) -> np.ndarray:
        values = [probe(ev, c) for c in columns]
        return np.min([a - b for a, b in zip(values, values[1:])], axis=0)

    return measure


def ordered_within(groups: tuple[str, ...], *columns: str) -> Callable[[Evidence], np.ndarray]:
    """The smallest step down a chain of probe numbers within any of the
    groups (``<group>_<column>``): positive when, in every group, each
    exceeds the next."""
    chains = [ordered(*(f"{g}_{c}" for c in columns)) for g in groups]

    def measure(ev: Evidence) -> np.ndarray:
        return np.min([chain(ev) for chain in chains], axis=0)

    return measure


def loss_aversion(ev: Evidence) -> np.ndarray:
    """Repurchase lost by a disappointment minus repurchase gained by an equal delight."""
    lost = probe(ev, "repurchase_satisfied") - probe(ev, "repurchase_disappointed")
    gained = probe(ev, "repurchase_delighted") - probe(ev, "repurchase_satisfied")
    return lost - gained


def tarp_deviation(targets: dict[str, float]) -> Callable[[Evidence], np.ndarray]:
    """The largest gap between the repurchase share after each kind of
    complaint handling and TARP's figure for it."""

    def measure(ev: Evidence) -> np.ndarray:
        return np.max([np.abs(probe(ev, f"repurchase_{k}") - v) for k, v in targets.items()], axis=0)

    return measure


def convexity(lost: str) -> Callable[[Evidence], np.ndarray]:
    """How much more retention gains from answer 4 to 5 than from 3 to 4
    on the five-point satisfaction question (retention = 1 - the probe's
    ``<lost>_<answer>`` share): positive when loyalty is convex in
    satisfaction."""

    def measure(ev: Evidence) -> np.ndarray:
        kept = {k: 1 - probe(ev, f"{lost}_{k}") for k in (3, 4, 5)}
        return (kept[5] - kept[4]) - (kept[4] - kept[3])

    return measure


def probe_ratio(first: str, second: str) -> Callable[[Evidence], np.ndarray]:
    """One probe number over another."""
    return lambda ev: probe(ev, first) / probe(ev, second)
