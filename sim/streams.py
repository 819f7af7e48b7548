"""Named random streams for common random numbers.

Each kind of random event draws from its own stream, derived from the run's
seed and the stream's *name* (not its position), so adding a stream or a
strategy never shifts another stream's draws. Each stream draws for all agents
every step, used or not, so two scenarios with the same seed differ only
through what they change.
"""

from __future__ import annotations

import zlib
from typing import Any, Callable, Iterable, Mapping, TypeAlias

import numpy as np

#: the Generator's method of each kind of draw (float32)
_DRAW = {"uniform": "random", "normal": "standard_normal"}
_FLOAT32 = np.dtype(np.float32)

#: a plan of draws: stream name -> (kind of draw, shape)
Plan: TypeAlias = Mapping[str, tuple[str, int | tuple[int, ...]]]
#: a stream's draw method and the shape it draws
_Draw: TypeAlias = tuple[Callable[..., np.ndarray], int | tuple[int, ...]]
#: how to apply a task to each of a list of items, results in order (``map``, or threads)
TaskMap: TypeAlias = Callable[[Callable[[Any], Any], list[Any]], Iterable[Any]]


class RandomStreams:
    """A seeded family of independent numpy Generators addressed by name."""

    _plan: Plan | None = None  # the plan :attr:`_draws` is for
    _draws: list[_Draw] = []  # its streams' draw methods and shapes (never appended to)

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getstate__(self) -> dict[str, Any]:
        """The streams without the kept draw methods (a copy draws from its own streams)."""
        state = dict(self.__dict__)
        state.pop("_plan", None)
        state.pop("_draws", None)
        return state

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._streams:
            key = zlib.crc32(name.encode("utf-8"))
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(key,))
            self._streams[name] = np.random.Generator(np.random.PCG64(seq))
        return self._streams[name]

    def uniform(self, name: str, shape: int | tuple[int, ...]) -> np.ndarray:
        """Uniform [0, 1) float32 draws for every agent of the stream."""
        return self[name].random(shape, dtype=np.float32)

    def normal(self, name: str, shape: int | tuple[int, ...]) -> np.ndarray:
        """Standard normal float32 draws for every agent of the stream."""
        return self[name].standard_normal(shape, dtype=np.float32)

    def draw_all(
        self,
        plan: Plan,
        parallel_map: TaskMap = map,
    ) -> dict[str, np.ndarray]:
        """One draw from each stream of ``plan`` (name -> ("uniform" | "normal",
        shape)); the streams are independent, so ``parallel_map`` may draw
        them concurrently with the same result. A market draws by the same
        plan every step: its streams' draw methods are kept for it."""
        if plan is not self._plan:
            self._draws = [
                (getattr(self[name], _DRAW[kind]), shape)  # streams created in one thread
                for name, (kind, shape) in plan.items()
            ]
            self._plan = plan

        def one(draw: _Draw) -> np.ndarray:
            method, shape = draw
            return method(shape, dtype=_FLOAT32)

        return dict(zip(plan, parallel_map(one, self._draws)))
