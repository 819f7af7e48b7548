"""The loyalty ladder (002's five stages, 004's pyramid).

Every customer is in exactly one of these states per firm relationship.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from agents.compiled import compiled


class LoyaltyState(IntEnum):
    PROSPECT = 0  # unaware of the firm (002: suspicious)
    AWARE = 1  # knows the firm, has not bought (expecting)
    FIRST_TIME = 2  # one purchase in the current relationship
    REPEAT = 3  # buys again, without strong attachment
    LOYAL = 4  # attached (affect) and intends to come back
    ADVOCATE = 5  # very satisfied, intends to stay and recommends (001)
    CAPTIVE = 6  # held by switching costs (a contract, a points bond), not affect (001: telecom)
    AT_RISK = 7  # recently disappointed, or lapsing to rivals
    CHURNED = 8  # defected to a rival or left the category
    WON_BACK = 9  # returned after churn (002)


class Channel(IntEnum):
    """How a customer came to know a firm: the channel a relationship
    acquired from there is credited to (Villanueva, Yoo & Hanssens 2008,
    "The impact of marketing-induced versus word-of-mouth customer
    acquisition on customer equity growth")."""

    PRIOR = 0  # knew the firm before: at the market's opening, or on arriving in the category
    ADVERTISING = 1  # the firm's advertising made them aware
    REFERRAL = 2  # a positive story made them aware (word of mouth, a referral)


CHANNEL_NAMES: tuple[str, ...] = tuple(c.name.lower() for c in Channel)


STATE_NAMES: tuple[str, ...] = tuple(s.name.lower() for s in LoyaltyState)
N_STATES = len(LoyaltyState)

#: states in which the customer counts as the firm's customer
CUSTOMER_STATES = np.array(
    [
        LoyaltyState.FIRST_TIME,
        LoyaltyState.REPEAT,
        LoyaltyState.LOYAL,
        LoyaltyState.ADVOCATE,
        LoyaltyState.CAPTIVE,
        LoyaltyState.AT_RISK,
        LoyaltyState.WON_BACK,
    ],
    dtype=np.int8,
)
_IS_CUSTOMER = np.zeros(N_STATES, dtype=bool)
_IS_CUSTOMER[CUSTOMER_STATES] = True

#: the states as int8 scalars (``I8[LoyaltyState.CHURNED]``): compare state
#: arrays with these, not with the enum members, which numpy takes for int64
#: and so first casts the whole int8 array to int64 (several times slower)
I8 = np.arange(N_STATES, dtype=np.int8)

_FIRST_TIME, _CHURNED = int(LoyaltyState.FIRST_TIME), int(LoyaltyState.CHURNED)


def is_customer(state: np.ndarray) -> np.ndarray:
    """True where a relationship is a current customer relationship."""
    if isinstance(state, np.ndarray) and state.ndim:
        customer: np.ndarray = (state >= I8[LoyaltyState.FIRST_TIME]) & (state != I8[LoyaltyState.CHURNED])
        return customer
    looked_up: np.ndarray = _IS_CUSTOMER[state]
    return looked_up


def customers_per_firm(state: np.ndarray) -> np.ndarray:
    """Current customers of each firm (``[n, firms]`` states; int64):
    ``is_customer(state).sum(axis=0)`` in one compiled pass."""
    out = np.zeros(state.shape[1], dtype=np.int64)
    _count_customers(np.ascontiguousarray(state, dtype=np.int8), out)
    return out


@compiled
def _count_customers(state: np.ndarray, out: np.ndarray) -> None:
    """Add each firm's customer relationships to ``out``."""
    n, F = state.shape
    for i in range(n):
        for f in range(F):
            s = state[i, f]
            out[f] += s >= _FIRST_TIME and s != _CHURNED
