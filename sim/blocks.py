"""Row blocks: a row-wise rule applied to blocks of customers on the cores.

Most rules of a step touch every customer-firm relationship (``[n, firms]``
arrays) but each customer's row only through itself. Applying such a rule to
blocks of rows keeps its temporaries in the processor's cache and lets numpy,
which releases the GIL inside array operations, run the blocks on several
cores at once. The result is bit-identical to one pass over all rows whatever
the number of threads, as long as the rule only writes its own rows and
returns integer counts (summed in block order): no random draws inside (the
streams draw for all agents beforehand) and no float reductions.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from sim.streams import TaskMap

T = TypeVar("T")
R = TypeVar("R")

_POOLS: dict[int, ThreadPoolExecutor] = {}


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _pool(threads: int) -> ThreadPoolExecutor:
    """One shared pool per thread count: models stay picklable and many
    models (replications, tests) do not each start threads."""
    if threads not in _POOLS:
        _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="loyalty-rows")
    return _POOLS[threads]


class RowBlocks:
    """Rows cut into blocks of ``block_rows``, mapped over ``threads`` threads
    (0: all available cores)."""

    def __init__(self, block_rows: int, threads: int = 0) -> None:
        self.block_rows = int(block_rows)
        self.threads = max(1, threads or available_cores())

    def slices(self, n: int) -> list[slice]:
        """The blocks of rows ``0..n``."""
        return [slice(s, min(s + self.block_rows, n)) for s in range(0, n, self.block_rows)] or [slice(0, 0)]

    def map(self, rule: Callable[[slice], T], n: int) -> list[T]:
        """``rule`` applied to each block of the rows ``0..n``, results in block order."""
        if n <= self.block_rows:  # one block (most markets): no list of blocks to make
            return [rule(slice(0, n))]
        slices = self.slices(n)
        if self.threads == 1 or len(slices) == 1:
            return [rule(rows) for rows in slices]
        return list(_pool(self.threads).map(rule, slices))

    def each(self, task: Callable[[T], R], items: list[T]) -> list[R]:
        """``task`` applied to each item on the threads, results in item order
        (independent tasks only, e.g. draws from distinct random streams)."""
        if self.threads == 1 or len(items) < 2:
            return [task(item) for item in items]
        return list(_pool(self.threads).map(task, items))

    def each_for(self, n: int) -> TaskMap:
        """How to run independent tasks for the rows ``0..n`` (e.g. draws
        from distinct streams for all customers): on the threads
        (:meth:`each`) when the rows span several blocks; for a market of
        one block, handing tasks to threads costs more than it saves, so
        they run in this thread, like :meth:`map`'s single block."""
        return self.each if n > self.block_rows else map
