"""A run that cannot fit in memory is refused before anything is built, with
what would fit; the per-customer figure the check uses is an upper bound of
the engine's real peak, and not a gross overestimate."""

from __future__ import annotations

import tracemalloc

import pytest

from sim.config import ConfigError, EngineConfig, market_config
from sim.memory_budget import available_memory, check_fits
from sim.model import LoyaltyModel

GB = 10**9


def test_the_configured_bytes_per_customer_bound_the_engines_peak_within_a_factor_of_two():
    n = 20_000
    tracemalloc.start()
    try:
        model = LoyaltyModel(market=market_config(n_customers=n, burn_in=3, steps=3), seed=0)
        model.run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_customer = peak / n
    configured = EngineConfig().bytes_per_customer
    assert configured / 2 <= per_customer <= configured, f"measured {per_customer:.0f} B per customer"


def test_a_run_too_big_for_memory_is_refused_with_what_would_fit():
    engine = EngineConfig()
    with pytest.raises(ConfigError) as e:
        check_fits(100_000_000, 4, engine, "2 workers x 2 markets", available=20 * GB)
    message = str(e.value)
    assert message.startswith("market.n_customers = 100000000: needs about 360.0 GB for 4 live markets")
    fit = int(message.rsplit("at most about ", 1)[1].split()[0].replace(",", ""))
    assert fit == 4_440_000  # 0.8 x 20 GB / (4 x 900 B), rounded down to three digits
    check_fits(fit, 4, engine, available=20 * GB)  # what it says fits, fits
    with pytest.raises(ConfigError):
        check_fits(int(fit * 1.01) + 1000, 4, engine, available=20 * GB)


def test_a_run_that_fits_passes_and_an_unknown_memory_size_checks_nothing():
    check_fits(5_000, 4, EngineConfig(), available=1 * GB)
    assert available_memory() is None or available_memory() > 0
