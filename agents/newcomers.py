"""Newcomers: the prospects who take the places of customers who left the
category, with their traits drawn ahead, a batch at a time.

The traits come from the market's ``newcomers`` stream in batches of a fixed
size (``customers.newcomer_batch``), and each newcomer takes the next traits
in line. So the k-th newcomer of a market has the same traits whichever step
they arrive in and however many arrive with them: two scenarios on the same
seed share their newcomers as far as they share their number (common random
numbers; Glasserman & Yao 1992), and a step with a handful of newcomers
does not pay for a dozen small draws (about 0.1 ms a step at 1,000 customers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from agents.customers import Segments, TRAITS, draw_traits

if TYPE_CHECKING:  # the engine's config and units, for annotations only (agents sit below sim)
    from sim.config import CustomerConfig
    from sim.units import StepLength

#: the traits a batch holds: a newcomer keeps the leaver's sociability (their place in the network)
DRAWN = tuple(name for name in TRAITS if name != "sociability")


class Newcomers:
    """The traits and first awareness draws of the newcomers yet to arrive,
    in arrival order; drawn again from the start if the customers' config or
    the step length is replaced."""

    def __init__(self, rng: np.random.Generator, n_firms: int) -> None:
        self.rng = rng
        self.n_firms = n_firms
        self._drawn_for: tuple[CustomerConfig, StepLength] | None = None
        self._traits: dict[str, np.ndarray] = {}
        self._aware: np.ndarray = np.empty((0, n_firms), dtype=np.float32)
        self._next = 0

    def take(
        self, k: int, cfg: CustomerConfig, step: StepLength, segments: Segments
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The traits (:data:`DRAWN`) of the next ``k`` newcomers and their
        uniform draws ``[k, firms]`` for knowing each firm on arrival. A
        config equal to the one the traits were drawn for (a market copied
        with its config restated) keeps them."""
        drawn_for = self._drawn_for
        if drawn_for is None or drawn_for[1] != step or not (drawn_for[0] is cfg or drawn_for[0] == cfg):
            self._traits = {
                name: np.empty((0,) + shape, dtype=dtype)
                for name, (shape, dtype) in self._layout(cfg, step, segments).items()
            }
            self._aware, self._next = np.empty((0, self.n_firms), dtype=np.float32), 0
        self._drawn_for = (cfg, step)
        while len(self._aware) - self._next < k:
            self._draw_batch(cfg, step, segments)
        at = slice(self._next, self._next + k)
        self._next += k
        return {name: values[at] for name, values in self._traits.items()}, self._aware[at]

    def _layout(
        self, cfg: CustomerConfig, step: StepLength, segments: Segments
    ) -> dict[str, tuple[tuple[int, ...], np.dtype[Any]]]:
        """Each trait's shape per newcomer and its dtype."""
        probe = draw_traits(
            cfg,
            np.random.Generator(np.random.PCG64(0)),
            1,
            step,
            self.n_firms,
            sociability=np.zeros(1, np.float32),
            segments=segments,
        )
        return {name: (probe[name].shape[1:], probe[name].dtype) for name in DRAWN}

    def _draw_batch(self, cfg: CustomerConfig, step: StepLength, segments: Segments) -> None:
        """One batch of ``cfg.newcomer_batch`` newcomers after those not yet
        arrived (the traits, then the awareness draws)."""
        b = cfg.newcomer_batch
        traits = draw_traits(
            cfg, self.rng, b, step, self.n_firms, sociability=np.zeros(b, np.float32), segments=segments
        )
        aware = self.rng.random((b, self.n_firms), dtype=np.float32)
        left = slice(self._next, None)
        self._traits = {name: np.concatenate([self._traits[name][left], traits[name]]) for name in DRAWN}
        self._aware = np.concatenate([self._aware[left], aware])
        self._next = 0
