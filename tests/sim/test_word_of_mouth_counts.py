"""Word of mouth counts the stories heard over the talkers' ties: the same
values as the sparse product of the talkers' rows of the network with their
stories (what the phase computed before), for any talkers, none included,
and each customer's stories summed in telling order, as a count over the
ties in that order would (``np.bincount``), however the listeners are cut
into chunks."""

from __future__ import annotations

import numpy as np
import pytest

from agents.network import small_world
from sim.phases.word_of_mouth import chunk_shift, stories_heard


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
    heard = stories_heard(network, tellers, negative, firm, F).counts(n, F)
    assert heard.shape == (2, n, F) and heard.dtype == np.float32
    np.testing.assert_array_equal(heard[0], ties @ told[0])
    np.testing.assert_array_equal(heard[1], ties @ told[1])
    assert heard[0].flags.c_contiguous and heard[1].flags.c_contiguous


@pytest.mark.parametrize("n, F", [(3000, 1), (20000, 3), (3000, 40)])  # listeners in 1, 3 and 6 chunks
def test_stories_are_summed_in_telling_order_across_chunks(n, F):
    """Fractional stories (a long step's talkers count for several) summed
    in float64 in telling order, tellers in any order and repeated: the
    bincount over the tellers' ties, listed teller by teller."""
    rng = np.random.default_rng(11)
    network, _ = small_world(rng.beta(2, 5, n), 8.0, 0.1, rng, "rcm")
    tellers = rng.permutation(np.concatenate([rng.choice(n, n // 5, replace=False), rng.choice(n, 20)]))
    negative = rng.random(len(tellers)) < 0.3
    firm = rng.integers(0, F, len(tellers))
    told = np.maximum(rng.random(len(tellers)) * 3.0, 1.0)
    heard = stories_heard(network, tellers, negative, firm, F, told)
    friend = np.concatenate([network.indices[network.indptr[i] : network.indptr[i + 1]] for i in tellers])
    teller = np.repeat(np.arange(len(tellers)), np.diff(network.indptr)[tellers])
    cell = (negative[teller].astype(np.intp) * n + friend) * F + firm[teller]
    expected = np.bincount(cell, told[teller], minlength=2 * n * F).astype(np.float32).reshape(2, n, F)
    counts = heard.counts(n, F)
    assert counts.tobytes() == expected.tobytes()
    assert heard.chunk_shift == chunk_shift(F) and len(heard.chunk_end) == (n >> chunk_shift(F)) + 1
    assert heard.chunk_end[-1] == len(friend)


def test_the_purchases_record_says_who_talked_and_their_friends_heard_it():
    from sim.model import LoyaltyModel

    model = LoyaltyModel(market="retail", seed=5, n_customers=800, burn_in=3, steps=2)
    model.step()
    p = model.last_step.purchases
    assert p.talked.dtype == bool and len(p.talked) == len(p.buyers) and p.talked.any()
    degree = np.diff(model.network.indptr)
    heard = stories_heard(
        model.network, p.buyers[p.talked], np.zeros(p.talked.sum(), bool), p.firm[p.talked], model.n_firms
    ).counts(model.customers.n, model.n_firms)
    assert heard.sum() == degree[p.buyers[p.talked]].sum()


def test_the_purchase_probe_counts_the_people_a_talker_tells():
    from experiments.validation.claims.probes import purchase_probe
    from sim.config import market_config

    out = purchase_probe(market_config(n_customers=1500, burn_in=10, steps=30), seed=1)
    assert out["told_disappointed"] > out["told_satisfied"] > 0
