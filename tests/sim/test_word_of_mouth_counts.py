"""Word of mouth counts the stories heard over the talkers' ties: the same
values as the sparse product of the talkers' rows of the network with their
stories (what the phase computed before), for any talkers, none included."""

from __future__ import annotations

import numpy as np
import pytest

from agents.network import small_world, ties_of
from sim.phases.word_of_mouth import stories_heard


@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
def test_stories_heard_equal_the_sparse_product(share):
    rng = np.random.default_rng(7)
    n, F = 800, 3
    network, _ = small_world(rng.beta(2, 5, n), 8.0, 0.1, rng, "rcm")
    tellers = np.flatnonzero(rng.random(n) < share)
    negative = rng.random(len(tellers)) < 0.3
    firm = rng.integers(0, F, len(tellers))
    told = np.zeros((2, len(tellers), F), dtype=np.float32)
    told[negative.astype(np.intp), np.arange(len(tellers)), firm] = 1.0
    ties = network[tellers].T
    heard = stories_heard(network, tellers, negative, firm, F)
    assert heard.shape == (2, n, F) and heard.dtype == np.float32
    np.testing.assert_array_equal(heard[0], ties @ told[0])
    np.testing.assert_array_equal(heard[1], ties @ told[1])
    assert heard[0].flags.c_contiguous and heard[1].flags.c_contiguous


def test_ties_of_are_the_nonzeros_of_the_rows():
    rng = np.random.default_rng(3)
    network, _ = small_world(rng.beta(2, 5, 300), 6.0, 0.2, rng, "ring")
    rows = np.array([5, 0, 299, 5])
    friend, owner = ties_of(network, rows)
    sub = network[rows].tocoo()
    expected = sorted(zip(sub.row.tolist(), sub.col.tolist()))
    assert sorted(zip(owner.tolist(), friend.tolist())) == expected


def test_the_purchases_record_says_who_talked_and_their_friends_heard_it():
    from sim.model import LoyaltyModel
    model = LoyaltyModel(market="retail", seed=5, n_customers=800, burn_in=3, steps=2)
    model.step()
    p = model.last_step.purchases
    assert p.talked.dtype == bool and len(p.talked) == len(p.buyers) and p.talked.any()
    degree = np.diff(model.network.indptr)
    heard = stories_heard(model.network, p.buyers[p.talked], np.zeros(p.talked.sum(), bool),
                          p.firm[p.talked], model.n_firms)
    assert heard.sum() == degree[p.buyers[p.talked]].sum()


def test_the_purchase_probe_counts_the_people_a_talker_tells():
    from experiments.claims.probes import purchase_probe
    from sim.config import market_config
    out = purchase_probe(market_config(n_customers=1500, burn_in=10, steps=30), seed=1)
    assert out["told_disappointed"] > out["told_satisfied"] > 0
