"""Firms: few and rich, so plain ``mesa.Agent`` objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dataclasses

import mesa

if TYPE_CHECKING:  # the engine's config and units, for annotations only (agents sit below sim)
    from sim.config import FirmConfig
    from sim.strategy_provider import StrategyHooks


_UNSET = object()


class Firm(mesa.Agent):  # type: ignore[misc]  # mesa ships no type information
    """A firm's positioning and what strategies change of it.

    ``price`` is the list price index; strategies set ``discount`` (share off
    the list price), ``basket_multiplier`` and the other levers for the step.
    """

    # of the config's fields (:class:`sim.config.FirmConfig`), set by name in ``__init__``
    name: str
    price: float
    quality: float
    customers_per_store: float

    def __init__(self, model: mesa.Model, index: int, cfg: FirmConfig) -> None:
        super().__init__(model)
        self.index = index
        self.config = cfg
        for f in dataclasses.fields(cfg):
            if f.name != "strategies":
                setattr(self, f.name, getattr(cfg, f.name))
        self.discount = 0.0
        self.basket_multiplier = 1.0
        # levers of complaint handling (strategies raise them)
        self.voice_ease = 1.0  # multiplies customers' voice propensity
        self.recovery_bonus = 0.0  # added to the chance a complaint is resolved
        self.quick_bonus = 0.0  # added to the share of resolutions that are quick
        # engagement added to the staff's target beyond pay, levers and strain (a lay-off's survivors lower it)
        self.morale = 0.0
        self.strategies: list[StrategyHooks] = []

    @property
    def effective_price(self) -> float:
        """The price customers pay this step."""
        return self.price * (1.0 - self.discount)

    def __setattr__(self, name: str, value: object) -> None:
        """Set an attribute; if its value changed, the market's per-firm
        columns of attributes (:meth:`sim.model.LoyaltyModel.by_firm`) are
        worked out again."""
        old = self.__dict__.get(name, _UNSET)
        super().__setattr__(name, value)
        if old is value or (type(value) in (int, float, bool, str) and type(old) is type(value) and old == value):
            return
        columns = getattr(self.__dict__.get("model"), "firm_columns", None)
        if columns:
            columns.clear()

    def __repr__(self) -> str:
        return f"Firm({self.index}, {self.name!r}, price={self.price}, quality={self.quality})"
