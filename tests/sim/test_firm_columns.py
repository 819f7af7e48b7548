"""The per-firm columns of firm attributes a step reads (LoyaltyModel.by_firm)
are kept between reads, so they must follow every change a strategy or a
user makes to a firm, and nobody may write into the kept copy."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import LoyaltyModel


@pytest.fixture
def market() -> LoyaltyModel:
    return LoyaltyModel(n_customers=300, burn_in=1, steps=2)


def test_a_firm_attribute_changed_between_steps_is_what_the_next_read_sees(market):
    before = market.by_firm("quality").copy()
    market.firms[1].quality = 0.31
    assert market.by_firm("quality")[1] == np.float32(0.31)
    assert np.array_equal(np.delete(market.by_firm("quality"), 1), np.delete(before, 1))
    market.firms[0].discount = 0.2
    assert market.by_firm("effective_price")[0] == np.float32(market.firms[0].price * 0.8)


def test_setting_an_attribute_to_its_own_value_keeps_the_columns_read(market):
    kept = market.by_firm("promise")
    market.firms[0].discount = market.firms[0].discount
    assert market.by_firm("promise") is kept


def test_the_kept_columns_cannot_be_written_into(market):
    with pytest.raises(ValueError):
        market.by_firm("price")[0] = 2.0


def test_a_step_reads_the_price_a_firm_was_given_after_the_last_step(market):
    market.step()
    market.firms[0].price = 1.5
    market.step()
    assert market.price[0] == np.float32(1.5 * (1.0 - market.firms[0].discount))
