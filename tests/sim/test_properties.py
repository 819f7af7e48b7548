"""Property-based checks over the whole config space (Hypothesis).

- Any valid market (every numeric key drawn anywhere in its allowed range,
  any preset, any mix of strategies that start within the horizon) conserves
  customers and money every step and produces no NaN.
- Any invalid value of any numeric key (below or above its range, not a
  number, not finite, a fraction for a whole number) is refused in one line
  naming that key and what is allowed: every key of the market and of every
  strategy through the checks, and a random sample of them through
  ``loyalty-market`` itself (exit status 2, nothing written).

The draws are derandomised, so a run is reproducible; the number of examples
is stated in each ``settings``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Iterator

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from sim.config import (
    ConfigError,
    FirmConfig,
    MarketConfig,
    RunConfig,
    SegmentConfig,
    _resolve_type,
    market_config,
    validate,
)
from sim.config_loading import load_market_yaml
from sim.model import LoyaltyModel
from agents.states import STATE_NAMES
from strategies.registry import REGISTRY, available, check_strategies
from tests.experiments.cli.bad_input.table import LINE, Case, check_case
from tests.sim.test_conservation import check_books, check_states

PRESETS = ("retail", "subscription", "home_furnishing")
#: keys drawn separately (the size of the run) or that do not change results
SIZE_KEYS = {"n_customers", "steps", "burn_in"}
NOT_DRAWN = {"engine"}
#: step-table ratios that are undefined (NaN, shown "n/a") when their denominator is 0
UNDEFINED_WITHOUT = {"top20_revenue_share": "customers"}


@dataclasses.dataclass(frozen=True)
class NumericKey:
    """A numeric config key with its allowed range, as a dotted path."""

    path: tuple[str, ...]
    kind: type
    lo: float | None
    hi: float | None
    lo_open: bool

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def shown(self) -> str:
        """The key as error messages name it (``market.firms[0].price``)."""
        out = []
        for p in self.path:
            if p.isdigit():
                out[-1] += f"[{p}]"
            else:
                out.append(p)
        return ".".join(out)


def numeric_keys(cls: type, path: tuple[str, ...]) -> Iterator[NumericKey]:
    """Every scalar numeric key with a range under the schema ``cls``."""
    items = {("MarketConfig", "firms"): FirmConfig, ("CustomerConfig", "segments"): SegmentConfig}
    for f in dataclasses.fields(cls):
        if f.name in NOT_DRAWN and cls is MarketConfig:
            continue
        kind = _resolve_type(cls, f)
        if dataclasses.is_dataclass(kind):
            yield from numeric_keys(kind, (*path, f.name))
        elif (cls.__name__, f.name) in items:
            yield from numeric_keys(items[(cls.__name__, f.name)], (*path, f.name, "0"))
        elif kind in (int, float) and f.metadata.get("lo") is not None and not f.metadata.get("choices"):
            yield NumericKey(
                (*path, f.name), kind, f.metadata["lo"], f.metadata.get("hi"), bool(f.metadata.get("lo_open"))
            )


MARKET_KEYS = [k for k in numeric_keys(MarketConfig, ("market",)) if k.path[1] not in SIZE_KEYS]


def valid_value(key: NumericKey) -> st.SearchStrategy:
    hi = key.hi if key.hi is not None else key.lo + 1e6
    if key.kind is int:
        return st.integers(int(math.ceil(key.lo)) + (1 if key.lo_open else 0), int(min(hi, 1e9)))
    return st.floats(key.lo, hi, exclude_min=key.lo_open, allow_nan=False, allow_infinity=False)


def _set(data: dict, path: tuple[str, ...], value: Any) -> None:
    node: Any = data
    for p in path[:-1]:
        node = node[int(p)] if p.isdigit() else node[p]
    node[path[-1]] = value


@st.composite
def valid_markets(draw: st.DrawFn) -> dict:
    """A market config: a preset with some numeric keys drawn in range, a small
    size, and strategies for the first firm that start within the horizon."""
    data = load_market_yaml(draw(st.sampled_from(PRESETS)))
    data = dataclasses.asdict(market_config(data))
    steps = draw(st.integers(1, 12))
    data.update(n_customers=draw(st.integers(60, 600)), steps=steps, burn_in=draw(st.integers(0, 12)))
    for key in draw(st.lists(st.sampled_from(MARKET_KEYS), max_size=12, unique=True)):
        _set(data, key.path[1:], draw(valid_value(key)))
    names = draw(st.lists(st.sampled_from(available()), max_size=3, unique=True))
    data["firms"][0]["strategies"] = [{"name": n, "start": draw(st.integers(1, steps))} for n in names]
    return data


@pytest.mark.slow
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(market=valid_markets(), seed=st.integers(0, 2**32 - 1))
def test_any_valid_market_conserves_customers_and_money_and_gives_no_nan(market, seed):
    try:
        config = market_config(market)
        model = LoyaltyModel(market=config, seed=seed)
    except ConfigError:  # a cross-key rule (novice skill above the best; a club's events more often than steps)
        assume(False)
    check_states(model)
    for _ in range(config.steps):
        model.step()
        check_states(model)
    table = model.step_table()
    check_books(table, list(model.ledger.categories))
    numbers = table.select_dtypes("number")
    for column, denominator in UNDEFINED_WITHOUT.items():
        undefined = numbers[column].isna()
        assert (table.loc[undefined, denominator] == 0).all(), f"{column} is NaN though {denominator} > 0"
        numbers = numbers.drop(columns=column)
    assert not numbers.isna().any().any(), f"NaN in {list(numbers.columns[numbers.isna().any()])}"
    assert np.isfinite(numbers.to_numpy(dtype=float)).all()
    state_cols = [f"n_{s}" for s in STATE_NAMES]
    assert (table[state_cols].sum(axis=1) == config.n_customers).all()


def _strategy_keys() -> list[tuple[str, NumericKey]]:
    return [(name, k) for name in available() for k in numeric_keys(REGISTRY[name].config_class, ())]


ALL_KEYS = [(None, k) for k in numeric_keys(MarketConfig, ("market",))] + _strategy_keys()


def invalid_texts(draw: st.DrawFn, key: NumericKey) -> str:
    """A value outside ``key``'s range or kind, as the user would type it."""
    choices = ["nan", "inf", "-inf", "lots"]
    if key.lo is not None:
        below = key.lo if key.lo_open else key.lo - draw(st.sampled_from([1e-3, 1, 1e3]))
        choices.append(repr(int(below) if key.kind is int and float(below).is_integer() else below))
    if key.hi is not None:
        above = key.hi + draw(st.sampled_from([1, 1e3])) if key.hi < 1e15 else key.hi * 10
        choices.append(repr(int(above) if key.kind is int else float(above)))
    if key.kind is int:
        choices.append(repr((key.lo or 0) + 1.5))
    return draw(st.sampled_from(choices))


@st.composite
def invalid_settings(draw: st.DrawFn) -> tuple[str, str, str]:
    """(override, key named in the error, value text) for a value outside a key's range."""
    strategy, key = draw(st.sampled_from(ALL_KEYS))
    text = invalid_texts(draw, key)
    if strategy is None:
        return f"{key.dotted}={text}", key.shown, text
    return (
        f"market.firms.0.strategies=[{{name: {strategy}, {key.dotted}: {text}}}]",
        f"market.firms[0].strategies[0].{key.dotted}",
        text,
    )


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(bad=invalid_settings())
def test_any_invalid_number_stops_with_one_line_naming_its_key(bad, tmp_path_factory):
    override, key, _ = bad
    folder = tmp_path_factory.mktemp("bad")
    check_case(
        Case("fuzz", "loyalty-market", ("market.n_customers=300", f"output_dir={folder}/out", override), key), folder
    )


@pytest.mark.slow
@pytest.mark.parametrize("strategy, key", ALL_KEYS, ids=[f"{s or 'market'}:{k.dotted}" for s, k in ALL_KEYS])
@settings(max_examples=6, deadline=None, derandomize=True)
@given(data=st.data())
def test_every_numeric_key_refuses_invalid_values_in_one_line_naming_it(strategy, key, data):
    """The checks behind every command, key by key (the command-line path is
    sampled by the test above): the error names the key and what is allowed."""
    text = invalid_texts(data.draw, key)
    value = yaml.safe_load(text) if text not in ("nan", "inf", "-inf") else float(text)
    with pytest.raises(ConfigError) as e:
        if strategy is None:
            market = dataclasses.asdict(MarketConfig())
            _set(market, key.path[1:], value)
            validate({"market": market}, RunConfig)
        else:
            check_strategies("market.firms[0].strategies", [{"name": strategy, key.dotted: value}], 104)
    shown = key.shown if strategy is None else f"market.firms[0].strategies[0].{key.dotted}"
    match = LINE.match("error: " + str(e.value))
    assert match and "\n" not in str(e.value), str(e.value)
    assert match["key"] == shown and match["allowed"].startswith("must be"), str(e.value)
