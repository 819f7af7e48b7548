"""Per-relationship modifiers: how strategies change what one customer gets
from one firm, named by what they mean to the engine.

Each modifier is a ``[n_customers, n_firms]`` array allocated on first use;
until then it is neutral and the engine reads a neutral scalar (0 for a
bonus, 1 for a factor, False for refusal), so a market without programmes
allocates none and its phases do the same arithmetic either way. Strategies
write a firm's column (:meth:`Modifier.column`); the engine reads values with
:meth:`Modifier.at`. Customers who leave the category are replaced by
newcomers, whose modifiers are reset to neutral (:meth:`Modifiers.reset`).

A modifier stores its deviation from neutral, so that the contributions of
several programmes add up (``strategies.base.Strategy.set_share``): a price
factor stores the share taken off the price, a basket factor the lift.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from sim.columns import take_rows


class Modifier:
    """One per-relationship modifier, neutral (nothing stored) until a
    programme first writes it."""

    dtype: ClassVar[type] = np.float32
    neutral: ClassVar[Any] = 0.0

    def __init__(self, n: int, n_firms: int) -> None:
        self.shape = (n, n_firms)
        self.values: np.ndarray | None = None  #: the stored deviation from neutral, None while unset

    @property
    def in_use(self) -> bool:
        """True once a programme has written the modifier."""
        return self.values is not None

    def array(self) -> np.ndarray:
        """The stored ``[n, firms]`` array, allocated (neutral) on first use."""
        if self.values is None:
            self.values = np.zeros(self.shape, dtype=self.dtype)
        return self.values

    def column(self, firm: int) -> np.ndarray:
        """The stored values at ``firm`` (a writable view), allocated on first use."""
        return self.array()[:, firm]

    def stored(self, rows: Any, firms: np.ndarray | None = None) -> Any:
        """The stored deviation for ``rows`` (a slice or row indices, all
        firms) or for the cells ``(rows, firms)``; 0 (or False) while unset."""
        if self.values is None:
            return self.dtype(0)
        return take_rows(self.values, rows) if firms is None else self.values[rows, firms]

    def at(self, rows: Any, firms: np.ndarray | None = None) -> Any:
        """The modifier's effect for ``rows`` or the cells ``(rows, firms)``:
        an array, or the neutral scalar while unset."""
        if self.values is None:
            return self.neutral
        return self.stored(rows, firms)

    def reset(self, rows: np.ndarray) -> None:
        """Neutral again for these customers (they left the category)."""
        if self.values is not None:
            self.values[rows] = 0


class Bonus(Modifier):
    """Added to what the engine computes (0 is neutral)."""


class Balance(Modifier):
    """A quantity a programme keeps per relationship for the customer (the
    reward points they hold at the firm): the engine's rules do not read it;
    it is reset for newcomers (their points lapse) like every modifier, and
    a programme writes it directly (it is a stock, not a sum of
    contributions)."""


class PriceFactor(Modifier):
    """A personal price multiplier, ``1 - cut``: the stored value is the
    share taken off the firm's price (a personal offer). The cut also pulls
    deal-prone customers in the choice like a discount (Lichtenstein,
    Netemeyer & Burton 1990: deal proneness)."""

    neutral = 1.0

    def at(self, rows: Any, firms: np.ndarray | None = None) -> Any:
        if self.values is None:
            return self.neutral
        return 1 - self.stored(rows, firms)

    def cut(self, rows: Any, firms: np.ndarray | None = None) -> Any:
        """The share taken off the price (0 while unset)."""
        return self.stored(rows, firms) if self.values is not None else 0.0


class BasketFactor(Modifier):
    """A multiplier of what a customer puts in the basket, ``1 + lift``:
    the stored value is the lift."""

    neutral = 1.0

    def at(self, rows: Any, firms: np.ndarray | None = None) -> Any:
        if self.values is None:
            return self.neutral
        return 1 + self.stored(rows, firms)


class Refusal(Modifier):
    """True where the firm refuses to serve the customer (pruning)."""

    dtype = np.bool_
    neutral = np.False_


class StandingOrder(Modifier):
    """True where the customer's purchase occasion this step goes to the
    firm through its ordering system, without weighing up the firms (a
    structural bond: routine replenishment, seed 003); a programme writes it
    each step."""

    dtype = np.bool_
    neutral = np.False_


class Modifiers:
    """All per-relationship modifiers of a market."""

    #: the modifiers by name, with their kind and what they change
    KINDS: ClassVar[dict[str, type[Modifier]]] = {
        "price_factor": PriceFactor,  # the price paid (and a deal's pull in the choice)
        "switching_bonus": Bonus,  # added to switching costs (points, social bonds)
        "service_bonus": Bonus,  # added to the service received
        "basket_factor": BasketFactor,  # multiplies the basket
        "belonging_bonus": Bonus,  # added to the belonging felt (a club)
        "refusal": Refusal,  # the firm does not serve the customer
        "choice_bonus": Bonus,  # added to the firm's utility in the choice (a reward's expected value)
        "occasion_lift": Bonus,  # raises the chance of a purchase occasion, as a share of it (goal gradient)
        "points": Balance,  # reward points the customer holds at the firm (not read by the engine)
        "standing_order": StandingOrder,  # this step's occasion goes to the firm without a choice (a system)
    }

    def __init__(self, n: int, n_firms: int) -> None:
        self.price_factor = PriceFactor(n, n_firms)
        self.switching_bonus = Bonus(n, n_firms)
        self.service_bonus = Bonus(n, n_firms)
        self.basket_factor = BasketFactor(n, n_firms)
        self.belonging_bonus = Bonus(n, n_firms)
        self.refusal = Refusal(n, n_firms)
        self.choice_bonus = Bonus(n, n_firms)
        self.occasion_lift = Bonus(n, n_firms)
        self.points = Balance(n, n_firms)
        self.standing_order = StandingOrder(n, n_firms)

    def __getitem__(self, name: str) -> Modifier:
        if name not in self.KINDS:
            raise KeyError(f"modifier {name!r}: must be one of {', '.join(self.KINDS)}")
        modifier: Modifier = getattr(self, name)
        return modifier

    def in_use(self) -> list[str]:
        """Names of the modifiers some programme has written."""
        return [name for name in self.KINDS if self[name].in_use]

    def reset(self, rows: np.ndarray) -> None:
        """Neutral modifiers for the customers in ``rows`` (newcomers)."""
        for name in self.KINDS:
            self[name].reset(rows)

    def nbytes(self) -> int:
        """Memory held by the allocated modifiers."""
        return sum(self[name].array().nbytes for name in self.in_use())  # in use: allocated already
