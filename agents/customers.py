"""Customers as columns: one numpy array per attribute.

Traits are one value per customer; relationship state is one
value per customer and firm (``[n, n_firms]``). Every behavioural rule in
``sim/`` is a vectorised operation over these arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, TYPE_CHECKING

import numpy as np

from agents.compiled import compiled
from agents.states import Channel, LoyaltyState
from agents.attributes import ATTRIBUTES, SEGMENTS

if TYPE_CHECKING:  # the engine's config and units, for annotations only (agents sit below sim)
    from sim.config import CustomerConfig
    from sim.units import StepLength

TRAITS = (
    "segment",
    "weights",
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
    "desired",
    "churn_proneness",
    "dropout",
    "taste",
    "renewal_review",
)
_PROSPECT = int(LoyaltyState.PROSPECT)
_PRIOR = int(Channel.PRIOR)
#: counts of visits (``purchases``, ``rival_run``) stop here: far beyond any threshold the ladder uses
COUNT_CAP = np.iinfo(np.uint16).max

RELATIONSHIP = (
    "state",
    "expectation",
    "affect",
    "inertia",
    "satisfaction",
    "behaviour",
    "purchases",
    "rival_run",
    "revenue",
    "cohort",
    "incident",
    "reconsidered",
    "dropped_out",
    "since",
    "last_purchase",
    "acquisition_discount",
    "taste",
    "channel",
)


def _beta(rng: np.random.Generator, mean: np.ndarray | float, concentration: float, n: int) -> np.ndarray:
    return rng.beta(*_beta_shapes(mean, concentration), n)


def _beta_shapes(mean: np.ndarray | float, concentration: float) -> tuple[np.ndarray, np.ndarray]:
    """The two shape parameters of a beta distribution of this mean and concentration."""
    mean = np.clip(mean, 1e-6, 1 - 1e-6)
    return mean * concentration, (1 - mean) * concentration


@dataclass(frozen=True)
class Segments:
    """What :func:`draw_traits` needs of the segments (and the other trait
    distributions), worked out once per market rather than for every
    draw of newcomers; one value per segment unless said otherwise."""

    cdf: np.ndarray  # cumulative shares, for drawing segments
    weight_alpha: np.ndarray  # Dirichlet parameters of the attribute weights, [segments, attributes]
    deal_a: np.ndarray  # beta shapes of deal proneness
    deal_b: np.ndarray
    voice: tuple[np.ndarray, np.ndarray]  # beta shapes of voice (one pair)
    price_sensitivity: np.ndarray  # float32
    desired: np.ndarray  # mean desired level

    @classmethod
    def of(cls, cfg: CustomerConfig) -> "Segments":
        seg_cfg = list(cfg.segments)
        shares = np.array([s.share for s in seg_cfg], dtype=float)
        cdf = (shares / shares.sum()).cumsum()  # as Generator.choice(p=...) makes it
        cdf /= cdf[-1]
        centres = np.array([s.weights for s in seg_cfg], dtype=float)
        centres /= centres.sum(axis=1, keepdims=True)
        deal_a, deal_b = _beta_shapes(np.array([s.deal_proneness_mean for s in seg_cfg]), cfg.deal_concentration)
        return cls(
            cdf,
            np.maximum(centres * cfg.weight_concentration, 1e-3),
            deal_a,
            deal_b,
            _beta_shapes(cfg.voice_mean, cfg.voice_concentration),
            np.array([s.price_sensitivity for s in seg_cfg], dtype=np.float32),
            np.array([s.desired_level for s in seg_cfg], dtype=np.float64),
        )

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """The segments of ``n`` customers: ``rng.choice(segments, n, p=shares)``
        drawing the same uniform numbers and giving the same segments."""
        return self.cdf.searchsorted(rng.random(n), side="right").astype(np.int8)


def draw_traits(
    cfg: CustomerConfig,
    rng: np.random.Generator,
    n: int,
    step: StepLength,
    n_firms: int,
    sociability: np.ndarray | None = None,
    segments: Segments | None = None,
) -> dict[str, np.ndarray]:
    """Heterogeneous traits of ``n`` customers (``segments``: :meth:`Segments.of`
    ``cfg``, if already at hand).

    Lognormal spend and gamma visit rates make revenue concentrate in the
    top fifth of customers (002, 003: 80/20); voice averages ~10% (002).
    Rates are per year (``visit_rate``, ``exit_rate``); the chances come
    from :func:`purchase_episodes` (per visit round: a step of several
    rounds, :attr:`StepLength.rounds`, makes a purchase each round) and
    :meth:`StepLength.probability` (leaving the category, per step).

    Churn proneness is a rate a year, ``-ln(1 - p)`` of a beta-distributed
    chance ``p`` a year (the shifted-beta-geometric model's mixing; Fader
    & Hardie 2007); dropout is a beta-distributed chance per visit (BG/NBD;
    Fader, Hardie & Lee 2005). Taste is a standard normal per firm, which
    the choice scales by ``choice.taste_sd``: drawn with the customer, as
    it is independent of everything else the same as drawn when they first
    meet the firm, and kept. The chance of reviewing the market at a
    contract's renewal point is beta, drawn last (:func:`_renewal_review`).
    """
    seg = segments or Segments.of(cfg)
    segment = seg.draw(rng, n)
    g = rng.standard_gamma(seg.weight_alpha[segment])
    weights = (g / np.maximum(g.sum(axis=1, keepdims=True), 1e-12)).astype(np.float32)
    rate = rng.gamma(cfg.visits_per_year_shape, 1.0 / cfg.visits_per_year_shape, n) * cfg.visits_per_year_mean
    if sociability is None:
        sociability = _beta(rng, cfg.sociability_mean, cfg.sociability_concentration, n)
    exit_rate = rng.gamma(cfg.exit_per_year_shape, 1.0 / cfg.exit_per_year_shape, n) * cfg.exit_per_year_mean
    chance, visits = purchase_episodes(rate, step.visit_round)
    return {
        "segment": segment,
        "weights": weights,
        "visit_rate": rate.astype(np.float32),
        "purchase_chance": chance,
        "visits_per_purchase": visits,
        "exit_chance": step.probability(exit_rate).astype(np.float32),
        "spend": (cfg.spend_median * np.exp(cfg.spend_sigma * rng.standard_normal(n))).astype(np.float32),
        "deal_proneness": rng.beta(seg.deal_a[segment], seg.deal_b[segment], n).astype(np.float32),
        "voice": rng.beta(*seg.voice, n).astype(np.float32),
        "sociability": np.asarray(sociability, dtype=np.float32),
        "tolerance": (
            cfg.tolerance_mean * np.exp(cfg.tolerance_sigma * rng.standard_normal(n) - cfg.tolerance_sigma**2 / 2)
        ).astype(np.float32),
        "variety": rng.beta(cfg.variety_a, cfg.variety_b, n).astype(np.float32),
        "exit_rate": exit_rate.astype(np.float32),
        "price_sensitivity": seg.price_sensitivity[segment],
        "desired": np.clip(seg.desired[segment] + cfg.desired_sd * rng.standard_normal(n), 0.0, 1.0).astype(np.float32),
        "churn_proneness": (
            -np.log1p(-np.minimum(rng.beta(cfg.churn_proneness_a, cfg.churn_proneness_b, n), _MOST_CERTAIN))
        ).astype(np.float32),
        "dropout": _dropout(rng, cfg, n),
        "taste": rng.standard_normal((n, n_firms)).astype(np.float32),
        "renewal_review": _renewal_review(rng, cfg, n),
    }


#: a beta draw of a chance a year is capped here before its rate -ln(1 - p)
#: is taken (a chance of 1 would be an infinite rate): not a parameter
_MOST_CERTAIN = 1.0 - 1e-7


def _renewal_review(rng: np.random.Generator, cfg: CustomerConfig, n: int) -> np.ndarray:
    """Each customer's chance of reviewing the market at a contract's
    renewal point: beta of the configured mean and concentration, drawn
    after every other trait (and exactly 1, with no draw, at a mean of 1, so
    markets where every subscriber reviews draw their customers as before)."""
    if cfg.renewal_review_mean >= 1.0:
        return np.ones(n, dtype=np.float32)
    return _beta(rng, cfg.renewal_review_mean, cfg.renewal_review_concentration, n).astype(np.float32)


def _dropout(rng: np.random.Generator, cfg: CustomerConfig, n: int) -> np.ndarray:
    """Each customer's chance per visit of going quietly inactive: beta of
    the configured mean and concentration, exactly 0 if the mean is 0 (a
    contractual market, where relationships end only by the hazard)."""
    draws = _beta(rng, cfg.dropout_mean, cfg.dropout_concentration, n)
    return (draws if cfg.dropout_mean > 0 else np.zeros(n)).astype(np.float32)


def purchase_episodes(visits_per_year: np.ndarray, step: StepLength) -> tuple[np.ndarray, np.ndarray]:
    """Chance that a step holds a purchase (an *episode*: the step's visits,
    all to the firm chosen) and the visits in an episode, for customers who
    visit ``visits_per_year`` times a year.

    A customer expecting ``v = visits_per_year * dt`` visits in a step buys
    in it with chance ``min(v, 1)`` and then makes ``max(v, 1)`` visits, so
    the expected visits (and spend) per year do not depend on the step
    length: in weekly steps a customer visiting fortnightly buys in half the
    weeks, in monthly steps of one round the same customer buys every month,
    twice. ``step`` is a visit round (:attr:`StepLength.visit_round`): a
    monthly step of four rounds makes a purchase a round, with the chance of
    a week.
    """
    v = np.asarray(step.per_step(visits_per_year), dtype=np.float64)
    return np.minimum(v, 1.0).astype(np.float32), np.maximum(v, 1.0).astype(np.float32)


def first_purchase_chance(cfg: CustomerConfig, unit: StepLength) -> float:
    """Chance per visit round of a first purchase in the category at
    ``first_purchase_per_year`` (as :func:`purchase_episodes` turns a rate
    into a chance: ``min(rate * dt, 1)``); -1 when the rate is 0, so a
    first purchase comes at the customer's own rate."""
    rate = cfg.first_purchase_per_year
    return min(float(unit.visit_round.per_step(rate)), 1.0) if rate > 0 else -1.0


@compiled
def _vacate(
    rows: np.ndarray,
    reference_price: np.ndarray,
    bond: np.ndarray,
    expectation: np.ndarray,
    affect: np.ndarray,
    inertia: np.ndarray,
    satisfaction: np.ndarray,
    behaviour: np.ndarray,
    purchases: np.ndarray,
    rival_run: np.ndarray,
    revenue: np.ndarray,
    state: np.ndarray,
    cohort: np.ndarray,
    incident: np.ndarray,
    reconsidered: np.ndarray,
    dropped_out: np.ndarray,
    since: np.ndarray,
    last_purchase: np.ndarray,
    acquisition_discount: np.ndarray,
    channel: np.ndarray,
) -> None:
    """A newcomer's place (the rows ``rows``): reference price 1, no bond,
    every relationship a prospect's with nothing felt, bought or acquired
    (a firm known on arrival was known before: :attr:`Channel.PRIOR`)."""
    for i in rows:
        reference_price[i] = 1.0
        bond[i] = -1
        for f in range(state.shape[1]):
            expectation[i, f] = 0
            affect[i, f] = 0
            inertia[i, f] = 0
            satisfaction[i, f] = 0
            behaviour[i, f] = 0
            purchases[i, f] = 0
            rival_run[i, f] = 0
            revenue[i, f] = 0
            state[i, f] = _PROSPECT
            cohort[i, f] = -1
            incident[i, f] = 0
            reconsidered[i, f] = False
            dropped_out[i, f] = False
            since[i, f] = -1
            last_purchase[i, f] = -1
            acquisition_discount[i, f] = 0
            channel[i, f] = _PRIOR


@dataclass(frozen=True)
class CustomerView:
    """A read-only snapshot of one customer, for teaching and debugging."""

    index: int
    segment: str
    traits: Mapping[str, object]
    relationships: Mapping[str, Mapping[str, object]]

    def __str__(self) -> str:
        lines = [f"customer {self.index} ({self.segment}-driven)"]
        lines += [f"  {k}: {v}" for k, v in self.traits.items()]
        for firm, rel in self.relationships.items():
            lines.append(f"  {firm}: " + ", ".join(f"{k}={v}" for k, v in rel.items()))
        return "\n".join(lines)


class CustomerPopulation:
    """All customers of a market as columnar arrays."""

    # the traits (:data:`TRAITS`), set from ``traits`` by name: one value per customer unless said otherwise
    segment: np.ndarray  # int8
    weights: np.ndarray  # [n, attributes] float32
    visit_rate: np.ndarray
    spend: np.ndarray
    deal_proneness: np.ndarray
    voice: np.ndarray
    sociability: np.ndarray
    tolerance: np.ndarray
    variety: np.ndarray
    exit_rate: np.ndarray
    price_sensitivity: np.ndarray
    purchase_chance: np.ndarray
    visits_per_purchase: np.ndarray
    exit_chance: np.ndarray
    desired: np.ndarray
    churn_proneness: np.ndarray
    dropout: np.ndarray
    taste: np.ndarray  # [n, firms]
    renewal_review: np.ndarray

    def __init__(
        self, traits: dict[str, np.ndarray], n_firms: int, firm_names: list[str], segment_names: list[str] | None = None
    ) -> None:
        self.n = len(traits["segment"])
        self.n_firms = n_firms
        self.firm_names = list(firm_names)
        self.segment_names = list(segment_names or SEGMENTS)
        for name in TRAITS:
            setattr(self, name, traits[name])
        shape = (self.n, n_firms)
        self.reference_price = np.ones(self.n, dtype=np.float32)
        self.bond = np.full(self.n, -1, dtype=np.int32)  # staff member attached to, -1 none
        self.state = np.full(shape, LoyaltyState.PROSPECT, dtype=np.int8)
        self.expectation = np.zeros(shape, dtype=np.float32)
        self.affect = np.zeros(shape, dtype=np.float32)
        self.inertia = np.zeros(shape, dtype=np.float32)  # smoothed share of own choices (Guadagni & Little)
        self.satisfaction = np.zeros(shape, dtype=np.float32)  # cumulative satisfaction, zone units
        self.behaviour = np.zeros(shape, dtype=np.float32)  # repeat-purchase rate (EMA)
        self.purchases = np.zeros(shape, dtype=np.uint16)  # visits in this relationship
        self.rival_run = np.zeros(shape, dtype=np.uint16)  # visits in a row at rivals
        self.revenue = np.zeros(shape, dtype=np.float32)  # annualised spend at each firm (EMA)
        self.cohort = np.full(shape, -1, dtype=np.int32)  # step the relationship was acquired
        self.incident = np.zeros(shape, dtype=np.float32)  # fading mark of an unrecovered incident, 0-1
        self.reconsidered = np.zeros(shape, dtype=np.bool_)  # a firm left is back in the consideration set
        self.dropped_out = np.zeros(shape, dtype=np.bool_)  # went quietly inactive for good (dropout_final)
        self.since = np.full(shape, -1, dtype=np.int32)  # step (burn-in included) the relationship began
        self.last_purchase = np.full(shape, -1, dtype=np.int32)  # step (burn-in included) of the last purchase
        self.acquisition_discount = np.zeros(shape, dtype=np.float32)  # share off the list price at its first purchase
        self.channel = np.full(shape, Channel.PRIOR, dtype=np.int8)  # how the customer came to know the firm
        self.generation = np.zeros(self.n, dtype=np.int32)  # newcomers who took this place so far

    def replace(self, rows: np.ndarray, traits: dict[str, np.ndarray]) -> None:
        """New prospects take the places of customers who left the category
        (the market resets their per-relationship modifiers, sim.modifiers)."""
        for name in TRAITS:
            if name == "sociability":
                continue  # the newcomer takes the leaver's place in the network
            getattr(self, name)[rows] = traits[name]
        at = np.asarray(rows)
        at = np.flatnonzero(at) if at.dtype == bool else at.astype(np.int64, copy=False)
        _vacate(
            at,
            self.reference_price,
            self.bond,
            self.expectation,
            self.affect,
            self.inertia,
            self.satisfaction,
            self.behaviour,
            self.purchases,
            self.rival_run,
            self.revenue,
            self.state,
            self.cohort,
            self.incident,
            self.reconsidered,
            self.dropped_out,
            self.since,
            self.last_purchase,
            self.acquisition_discount,
            self.channel,
        )
        self.generation[rows] += 1

    def customer(self, i: int) -> CustomerView:
        """A read-only view of customer ``i``."""
        if not 0 <= i < self.n:
            raise IndexError(f"customer index {i} out of range [0, {self.n})")
        seg = int(self.segment[i])
        traits = {
            name: (
                tuple(float(x) for x in getattr(self, name)[i]) if name == "weights" else getattr(self, name)[i].item()
            )
            for name in TRAITS
            if name not in ("segment", "taste")
        }
        traits["weights"] = MappingProxyType(dict(zip(ATTRIBUTES, traits["weights"])))
        traits["reference_price"] = float(self.reference_price[i])
        traits["bond"] = int(self.bond[i])
        rels = {}
        for f, firm in enumerate(self.firm_names):
            rel = {name: getattr(self, name)[i, f].item() for name in RELATIONSHIP}
            rel["state"] = LoyaltyState(rel["state"]).name.lower()
            rel["channel"] = Channel(rel["channel"]).name.lower()
            rels[firm] = MappingProxyType(rel)
        return CustomerView(
            i,
            self.segment_names[seg] if seg < len(self.segment_names) else str(seg),
            MappingProxyType(traits),
            MappingProxyType(rels),
        )

    def nbytes(self) -> int:
        """Memory held by the population's arrays."""
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))
