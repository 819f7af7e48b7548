"""Market presets that are the default market with one thing changed stay so."""

from __future__ import annotations

import dataclasses

from sim.config import market_config
from sim.config_loading import load_market_yaml


def test_the_service_driven_market_is_retail_with_half_the_customers_in_the_service_segment():
    retail, driven = market_config(load_market_yaml("retail")), market_config(load_market_yaml("retail_service_driven"))
    shares = {s.name: s.share for s in driven.customers.segments}
    assert shares == {"price": 0.25, "value": 0.25, "service": 0.5}
    # every segment trait but its share is the default market's (the preset copies them)
    strip = [{k: v for k, v in dataclasses.asdict(s).items() if k != "share"} for s in driven.customers.segments]
    assert strip == [
        {k: v for k, v in dataclasses.asdict(s).items() if k != "share"} for s in retail.customers.segments
    ]
    # and nothing else differs
    same = dataclasses.replace(
        driven, name=retail.name, customers=dataclasses.replace(driven.customers, segments=retail.customers.segments)
    )
    assert same == retail
