"""The step table's compiled tallies give numpy's numbers to the bit: the
top-20% revenue share where its float64 sums are exact (numpy's own
elsewhere) and the customers of each firm. (That the table does not depend
on the row blocks is tests/sim/test_determinism.py's.)"""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics import _top_shares, top_share
from agents.states import customers_per_firm, is_customer


def _spread(rng: np.random.Generator, kind: str, m: int) -> np.ndarray:
    if kind == "lognormal":
        return rng.lognormal(6, 1.2, m).astype(np.float32)
    if kind == "with zeros":
        return (rng.lognormal(6, 1, m) * (rng.random(m) < 0.7)).astype(np.float32)
    if kind == "ties":
        return rng.integers(0, 5, m).astype(np.float32) * np.float32(0.1)
    if kind == "wide":  # too wide a range for exact float64 sums: numpy's
        return (rng.lognormal(0, 12, m)).astype(np.float32)
    if kind == "negative":
        return rng.normal(1, 3, m).astype(np.float32)
    if kind == "nan":
        v = rng.random(m).astype(np.float32)
        v[m // 2 : m // 2 + 1] = np.nan
        return v
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["lognormal", "with zeros", "ties", "wide", "negative", "nan"])
@pytest.mark.parametrize("m", [0, 1, 2, 7, 9, 130, 1000, 5003, 20000])
def test_the_compiled_top_share_is_numpys(kind, m):
    rng = np.random.default_rng(m)
    firms = [_spread(rng, kind, m), _spread(rng, kind, max(m // 3, 0)), _spread(rng, "lognormal", 11)]
    customers = np.array([len(v) for v in firms], dtype=np.int64)
    spend = np.zeros((len(firms), max(customers.max(), 1) + 5), dtype=np.float32)
    for f, v in enumerate(firms):
        spend[f, : len(v)] = v
    got = _top_shares(spend, customers)
    want = [top_share(v) for v in firms]
    np.testing.assert_array_equal(np.array(got), np.array(want))


def test_customers_per_firm_counts_the_customer_states():
    state = np.random.default_rng(0).integers(0, 10, (5000, 4)).astype(np.int8)
    np.testing.assert_array_equal(customers_per_firm(state), is_customer(state).sum(axis=0))


@pytest.mark.parametrize("pattern", ["random", "sorted", "reversed", "equal", "two values", "organ pipe"])
def test_the_selection_leaves_the_largest_values_last(pattern):
    from sim.metrics import _select

    rng = np.random.default_rng(1)
    for m in (1, 2, 3, 10, 257, 1000):
        v = {
            "random": rng.random(m),
            "sorted": np.arange(m),
            "reversed": np.arange(m)[::-1],
            "equal": np.ones(m),
            "two values": rng.integers(0, 2, m),
            "organ pipe": np.r_[np.arange(m // 2), np.arange(m - m // 2)[::-1]],
        }[pattern].astype(np.float32)
        for kth in {0, m // 5, m // 2, m - 1}:
            x = v.copy()
            _select(x, kth)
            np.testing.assert_array_equal(np.sort(x[kth:]), np.sort(v)[kth:])
