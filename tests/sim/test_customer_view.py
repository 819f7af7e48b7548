"""``population.customer(i)``: a read-only view of one customer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents.attributes import ATTRIBUTES
from sim.model import LoyaltyModel
from agents.states import LoyaltyState


@pytest.fixture(scope="module")
def model() -> LoyaltyModel:
    m = LoyaltyModel(seed=2, n_customers=1000, burn_in=20, steps=5)
    m.run()
    return m


@pytest.mark.parametrize("i", [0, 1, 499, 999])
def test_view_matches_the_arrays(model, i):
    cust = model.customers
    v = cust.customer(i)
    assert v.index == i
    assert v.segment == cust.segment_names[int(cust.segment[i])]
    for name in (
        "visit_rate",
        "spend",
        "deal_proneness",
        "voice",
        "sociability",
        "tolerance",
        "variety",
        "exit_rate",
        "price_sensitivity",
        "purchase_chance",
        "visits_per_purchase",
        "exit_chance",
    ):
        assert v.traits[name] == pytest.approx(float(getattr(cust, name)[i]), rel=1e-6), name
    assert list(v.traits["weights"]) == list(ATTRIBUTES)
    np.testing.assert_allclose([v.traits["weights"][a] for a in ATTRIBUTES], cust.weights[i], rtol=1e-6)
    assert v.traits["reference_price"] == pytest.approx(float(cust.reference_price[i]))
    assert v.traits["bond"] == int(cust.bond[i])
    assert list(v.relationships) == [f.name for f in model.firms]
    for f, firm in enumerate(model.firms):
        rel = v.relationships[firm.name]
        assert rel["state"] == LoyaltyState(int(cust.state[i, f])).name.lower()
        for name in ("expectation", "affect", "inertia", "satisfaction", "behaviour", "revenue", "incident"):
            assert rel[name] == pytest.approx(float(getattr(cust, name)[i, f]), rel=1e-6), name
        for name in ("purchases", "rival_run", "cohort"):
            assert rel[name] == int(getattr(cust, name)[i, f]), name
    assert f"customer {i}" in str(v)


def test_view_is_read_only(model):
    v = model.customers.customer(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.segment = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.index = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        v.traits["spend"] = 0.0  # type: ignore[index]
    with pytest.raises(TypeError):
        v.traits["weights"]["price"] = 1.0  # type: ignore[index]
    firm = model.firms[0].name
    with pytest.raises(TypeError):
        v.relationships[firm]["affect"] = 1.0  # type: ignore[index]
    with pytest.raises(TypeError):
        v.relationships["new firm"] = {}  # type: ignore[index]


def test_view_is_a_snapshot_that_does_not_write_back(model):
    cust = model.customers
    before = cust.affect[7].copy()
    v = cust.customer(7)
    with pytest.raises(TypeError):
        v.relationships[model.firms[0].name]["affect"] = 0.5  # type: ignore[index]
    np.testing.assert_array_equal(cust.affect[7], before)


@pytest.mark.parametrize("i", [-1, 1000, 10**6])
def test_out_of_range_is_an_index_error(model, i):
    with pytest.raises(IndexError, match="out of range"):
        model.customers.customer(i)
